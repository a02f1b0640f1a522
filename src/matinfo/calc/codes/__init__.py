"""Code-specific input and output for ``matinfo.calc``: one module per DFT code, each with pure functions.

* ``defaults(task) -> dict``: every parameter with its default;
* ``elements(config) -> frozenset``: the elements this configuration can treat (setups, pseudopotentials);
* ``check(atoms, params, config, task="static")``: raise before anything runs (bad parameter or structure,
  missing executable or pseudopotential / PAW setup, unsupported element);
* ``write_inputs(atoms, task, params, workdir, config) -> list[Path]``: the input files, deterministic;
* ``command(workdir, config) -> list[str]``: the argv to run in ``workdir``; its stdout belongs in the file
  named by the module's ``STDOUT`` (QE's ``pw.out`` is read back);
* ``read_results(workdir, task=None) -> dict``: energy, forces, stress, final structure, band gap, DOS, version,
  converged flag, wall time (the results dict of :mod:`matinfo.calc.engines`);
  :class:`~matinfo.calc.errors.CalculationError` naming the output file when the run failed.

``task`` is ``"static"``, ``"relax"`` or ``"bands"`` (band gap + DOS).  The parameters shared by every code are
listed in :mod:`matinfo.calc.codes._common`.  ``config`` is a :class:`~matinfo.calc.config.CalcConfig`, one
engine's :class:`~matinfo.calc.config.EngineConfig`, or a mapping ``{"engines": {"<code>": {...}}}``.
Setup problems raise :class:`~matinfo.calc.errors.CalcConfigError` (or ``ParameterError`` /
``StructureError`` for parameters and structures).  :func:`get` returns a code's module (imported on first use).

>>> sorted(CODES)
['abinit', 'gpaw', 'qe', 'vasp']
>>> get("qe").NAME
'qe'
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from matinfo.calc.codes._common import TASKS
from matinfo.calc.codes._kpoints import kppra_grid
from matinfo.errors import ParameterError

__all__ = ["CODES", "TASKS", "get", "kppra_grid"]

CODES = {"gpaw": "GPAW", "qe": "Quantum ESPRESSO (pw.x)", "vasp": "VASP", "abinit": "ABINIT"}


def get(code: str) -> ModuleType:
    """The module of ``code`` (one of :data:`CODES`)."""
    if code not in CODES:
        raise ParameterError(f"unknown code {code!r}; known: {', '.join(sorted(CODES))}")
    return import_module(f"matinfo.calc.codes.{code}")
