"""``check_calc_engine``: the conformance check of the :class:`~matinfo.calc.engines.Engine` protocol, for our
engines and plug-ins alike (scikit-learn's ``check_estimator`` for calculations).

>>> from matinfo.calc.ase_engines import EMTEngine
>>> check_calc_engine(EMTEngine())          # raises AssertionError naming the broken rule, else returns None

Checked: ``name`` is a lower-case string; ``tasks`` a non-empty subset of :data:`~matinfo.calc.spec.TASKS`;
``elements`` None or a set of element symbols; ``defaults(task)`` a fresh dict of JSON values for every task,
whose values written out give the same spec key as leaving them out; ``write_inputs`` is deterministic (two
folders get the same files, byte for byte once the folder's own path is taken out — what golden-file tests
need) and writes at least one file; ``command`` is a non-empty list of strings.  With ``run=True`` the engine
also runs a static calculation of ``cell`` (the configured runner), and its result must have a finite energy and
one force per atom.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

from matinfo.calc.config import CalcConfig
from matinfo.calc.spec import TASKS, CalcSpec
from matinfo.calc.structures import Cell

__all__ = ["check_calc_engine"]


def _fail(engine: Any, rule: str) -> AssertionError:
    return AssertionError(f"engine {getattr(engine, 'name', type(engine).__name__)!r}: {rule}")


def _default_cell(engine: Any) -> Cell:
    el = "Cu"
    if engine.elements is not None and el not in engine.elements:
        el = sorted(engine.elements)[0]
    return Cell(((0.0, 1.8, 1.8), (1.8, 0.0, 1.8), (1.8, 1.8, 0.0)), (el,), ((0.0, 0.0, 0.0),))


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes().replace(str(folder).encode(), b"<WORKDIR>")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def check_calc_engine(
    engine: Any, cell: Cell | None = None, *, config: CalcConfig | None = None, run: bool = False
) -> None:
    """Check that ``engine`` keeps the Engine protocol (see the module docstring); AssertionError if not."""
    from matinfo.calc.engines import Engine

    config = config or CalcConfig()
    if not isinstance(engine, Engine):
        raise _fail(engine, "lacks a method or attribute of the Engine protocol (see matinfo.calc.engines)")
    if not isinstance(engine.name, str) or engine.name != engine.name.lower() or not engine.name:
        raise _fail(engine, "name must be a non-empty lower-case string")
    tasks = tuple(engine.tasks)
    if not tasks or not set(tasks) <= set(TASKS):
        raise _fail(engine, f"tasks {tasks} must be a non-empty subset of {TASKS}")
    if engine.elements is not None:
        from ase.data import chemical_symbols

        bad = set(engine.elements) - set(chemical_symbols[1:])
        if bad:
            raise _fail(engine, f"elements has non-element symbols {sorted(bad)}")
    cell = cell or _default_cell(engine)
    econf = config.engine(engine.name)
    for task in tasks:
        d1, d2 = engine.defaults(task), engine.defaults(task)
        if not isinstance(d1, dict) or d1 is d2 or d1 != d2:
            raise _fail(engine, f"defaults({task!r}) must return a fresh, equal dict each call")
        try:
            json.dumps(d1, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise _fail(engine, f"defaults({task!r}) must be JSON values: {e}") from None
        spec = CalcSpec(engine.name, task, cell, d1)
        written: list[dict[str, bytes]] = []
        for _ in range(2):
            with tempfile.TemporaryDirectory(prefix="matinfo-check-") as tmp:
                folder = Path(tmp)
                engine.write_inputs(cell.to_atoms(), spec, folder, econf)
                command = engine.command(spec, folder, econf)
                written.append(_files(folder))
        if not written[0]:
            raise _fail(engine, f"write_inputs wrote no file for task {task!r}")
        if written[0] != written[1]:
            differ = sorted(
                k for k in written[0].keys() | written[1].keys() if written[0].get(k) != written[1].get(k)
            )
            raise _fail(engine, f"write_inputs is not deterministic for task {task!r}: {differ} differ")
        if not command or not all(isinstance(w, str) for w in command):
            raise _fail(engine, f"command must be a non-empty list of strings, not {command!r}")
    if run:
        from matinfo.calc.runners import execute

        static = CalcSpec(engine.name, "static", cell, engine.defaults("static"))
        with tempfile.TemporaryDirectory(prefix="matinfo-check-") as tmp:
            result = execute(static, config=config, workdir=Path(tmp))
        if not math.isfinite(result.energy) or len(result.forces) != cell.n_atoms:
            raise _fail(engine, "a static calculation must give a finite energy and one force per atom")
