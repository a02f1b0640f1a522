"""Engines: how one code turns a structure and parameters into energies, forces and the rest.

The Engine protocol
-------------------
An engine is a *template* in ASE's sense (``ase.calculators.genericfileio``): it writes input files, names the
command that runs them, and reads the results back.  It keeps no state between calculations; where and how the
command runs (a local process, a SLURM job, a Dask worker) is the runner's business
(:mod:`matinfo.calc.runners`)::

    class MyEngine:
        name = "mycode"                      # registry name, lower case
        tasks = ("static", "relax")          # the TASKS it can do
        elements = frozenset({...}) or None  # symbols it can treat; None: every element

        def defaults(self, task) -> dict:
            '''Every parameter of ``task`` with its default value (unknown keys in a spec are refused).'''

        def check(self, spec, config) -> None:
            '''Raise before anything runs: missing executable, pseudopotential, impossible parameters.
            ``config`` is the engine's :class:`~matinfo.calc.config.EngineConfig`.'''

        def write_inputs(self, atoms, spec, workdir, config) -> None:
            '''Write the input files of ``spec`` (ASE ``atoms`` = ``spec.cell.to_atoms()``) into ``workdir``.'''

        def command(self, spec, workdir, config) -> list[str]:
            '''The command line, run by the runner with ``workdir`` as its current folder.'''

        def read_results(self, workdir) -> dict:
            '''The results as a plain dict (below); raise CalculationError if there are none.'''

        stdout_file = "pw.out"               # optional: where the runner sends standard output

The results dict: ``energy`` (total, eV), ``forces`` ((n, 3) eV/Å), ``stress`` (Voigt xx yy zz yz xz xy,
**eV/Å³**, ASE's sign — or a 3×3 matrix; None if the code has none), ``structure`` (the final structure: an ASE
``Atoms``, a pymatgen ``Structure`` or a :class:`~matinfo.calc.structures.Cell` dict; absent for ``static``),
``band_gap`` (eV or None), ``dos`` (``{"energies": [...], "dos": [...]}``, eV relative to the Fermi level and
states/eV, or None), ``version`` (the code's version string), ``converged`` (bool), ``n_steps`` (int).
:func:`matinfo.calc.results.normalise` turns it into a :class:`~matinfo.calc.spec.CalcResult`.

Engines that run inside Python (EMT, CHGNet: ASE calculators) follow the same protocol through
:class:`matinfo.calc.ase_engines.ASEEngine`: their input is a JSON file and their command
``python -m matinfo.calc.worker WORKDIR``, so they too run in a separate process that a crash or a kill cannot
take the job queue down with.

Engines are found by name: the built-in ones, a ``plugin = "module:Class"`` key in the configuration's
``[engines.NAME]`` table, or :func:`register_engine`.  :func:`check_spec` runs every check of point 7 (overlapping
atoms, unsupported elements, the engine's own checks) and is called before a job is queued and again before it
runs.
"""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from matinfo.calc.config import CalcConfig, EngineConfig
from matinfo.calc.errors import CalcConfigError
from matinfo.calc.spec import TASKS, CalcSpec
from matinfo.calc.structures import Cell, check_overlaps
from matinfo.errors import ParameterError, StructureError

__all__ = [
    "Engine",
    "get_engine",
    "engine_names",
    "register_engine",
    "engine_ref",
    "make_spec",
    "check_spec",
    "require_executable",
    "require_pseudopotentials",
    "BUILTIN_ENGINES",
    "DEFAULT_ENGINE",
]

#: The engine used when none is named: CHGNet (weights ship in its wheel; no network).
DEFAULT_ENGINE = "chgnet"

#: name → ``module:attribute`` of the built-in engines (imported on first use).
BUILTIN_ENGINES: dict[str, str] = {
    "emt": "matinfo.calc.ase_engines:EMTEngine",
    "chgnet": "matinfo.calc.ase_engines:CHGNetEngine",
    "gpaw": "matinfo.calc.code_engines:GPAW",
    "qe": "matinfo.calc.code_engines:QE",
    "vasp": "matinfo.calc.code_engines:VASP",
    "abinit": "matinfo.calc.code_engines:ABINIT",
}

_REGISTERED: dict[str, Any] = {}


@runtime_checkable
class Engine(Protocol):
    """See the module docstring."""

    name: str
    tasks: tuple[str, ...]
    elements: frozenset[str] | None

    def defaults(self, task: str) -> dict[str, Any]: ...

    def check(self, spec: CalcSpec, config: EngineConfig) -> None: ...

    def write_inputs(self, atoms: Any, spec: CalcSpec, workdir: Path, config: EngineConfig) -> None: ...

    def command(self, spec: CalcSpec, workdir: Path, config: EngineConfig) -> list[str]: ...

    def read_results(self, workdir: Path) -> dict[str, Any]: ...


def register_engine(engine: Any) -> None:
    """Make ``engine`` (an object following :class:`Engine`) available by its name in this process."""
    if not isinstance(engine, Engine):
        raise ParameterError(f"{engine!r} does not follow the Engine protocol (see matinfo.calc.engines)")
    _REGISTERED[engine.name.lower()] = engine


def _load(ref: str, *, where: str) -> Any:
    module, _, attr = ref.partition(":")
    try:
        obj = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as e:
        raise CalcConfigError(
            f"cannot import engine {ref!r}: {e}", source=where, hint="write plugin = 'package.module:Class'"
        ) from None
    return obj() if isinstance(obj, type) else obj


def engine_names(config: CalcConfig | None = None) -> list[str]:
    """Every engine name known: built-in, registered, and plugins of the configuration."""
    names = set(BUILTIN_ENGINES) | set(_REGISTERED)
    if config is not None:
        names |= {n for n, e in config.engines.items() if "plugin" in e.options}
    return sorted(names)


def get_engine(name: str, config: CalcConfig | None = None) -> Any:
    """The engine called ``name``."""
    key = str(name).lower()
    if config is not None and "plugin" in config.engine(key).options:
        return _load(str(config.engine(key).options["plugin"]), where=config.where())
    if key in _REGISTERED:
        return _REGISTERED[key]
    if key in BUILTIN_ENGINES:
        return _load(BUILTIN_ENGINES[key], where="matinfo.calc.engines.BUILTIN_ENGINES")
    raise ParameterError(
        f"unknown calculation engine {name!r}; known: {', '.join(engine_names(config))} "
        "(add one with [engines.NAME] plugin = 'module:Class' in the calc configuration)"
    )


def engine_ref(engine: Any) -> str:
    """``module:Class`` of ``engine``, for a worker process to build the same engine."""
    cls = type(engine)
    return f"{cls.__module__}:{cls.__qualname__}"


def make_spec(
    engine: str,
    task: str,
    cell: Cell,
    parameters: Mapping[str, Any] | None = None,
    *,
    label: str | None = None,
    structure_id: int | None = None,
    config: CalcConfig | None = None,
) -> CalcSpec:
    """A :class:`CalcSpec` with the engine's defaults filled in; unknown parameters are refused."""
    eng = get_engine(engine, config)
    if task not in TASKS:
        raise ParameterError(f"task {task!r} is not one of {', '.join(TASKS)}")
    if task not in eng.tasks:
        raise ParameterError(f"engine {eng.name!r} cannot do task {task!r}; it does {', '.join(eng.tasks)}")
    defaults = eng.defaults(task)
    given = dict(parameters or {})
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ParameterError(
            f"engine {eng.name!r}, task {task!r}: unknown parameter(s) {', '.join(map(repr, unknown))}; "
            f"its parameters are {', '.join(sorted(defaults)) or 'none'}"
        )
    return CalcSpec(eng.name, task, cell, {**defaults, **given}, label=label, structure_id=structure_id)


def check_spec(spec: CalcSpec, config: CalcConfig | None = None) -> Any:
    """Every check that can fail before a calculation runs; returns the engine.

    Overlapping atoms (:func:`~matinfo.calc.structures.check_overlaps`), elements the engine cannot treat, then
    the engine's own :meth:`Engine.check` (executable, pseudopotentials).
    """
    config = config or CalcConfig()
    eng = get_engine(spec.engine, config)
    check_overlaps(spec.cell, source=spec.label)
    if eng.elements is not None:
        bad = [el for el in spec.cell.elements if el not in eng.elements]
        if bad:
            raise StructureError(
                f"engine {eng.name!r} cannot treat {', '.join(bad)}",
                source=spec.label,
                field="species",
                value=spec.cell.formula,
                hint=f"it treats {_element_list(eng.elements)}; choose another engine"
                + (" (e.g. --engine chgnet)" if eng.name != DEFAULT_ENGINE else ""),
            )
    eng.check(spec, config.engine(eng.name))
    return eng


def _element_list(elements: frozenset[str]) -> str:
    if len(elements) > 20:
        return f"{len(elements)} elements"
    return " ".join(sorted(elements))


def require_executable(
    engine: str, config: EngineConfig, default: tuple[str, ...], *, where: str
) -> list[str]:
    """The engine's command line, its program found on ``PATH`` (or as a path), else a clear error."""
    command = list(config.command or default)
    # the program is the first word that is not a launcher option (mpirun -np 4 pw.x → pw.x and mpirun)
    for word in command:
        if word.startswith("-") or word.isdigit():
            continue
        if shutil.which(word) is None and not (Path(word).is_file() and Path(word).stat().st_mode & 0o111):
            raise CalcConfigError(
                f"the executable {word!r} of engine {engine!r} was not found",
                source=where,
                field=f"engines.{engine}.command",
                value=" ".join(command),
                hint=f"install it or give its full path in [engines.{engine}] command = ...",
            )
        if not word.startswith(("mpirun", "mpiexec", "srun")):
            break
    return command


def require_pseudopotentials(
    engine: str,
    elements: tuple[str, ...],
    config: EngineConfig,
    *,
    where: str,
    suffixes: tuple[str, ...] = (),
) -> dict[str, Path]:
    """element → pseudopotential file: ``pseudopotentials`` of the configuration, else the first file of
    ``pseudo_dir`` named ``<El>.*`` / ``<el>_*`` / ``<El>_*`` with one of ``suffixes``; a clear error otherwise."""
    if config.pseudo_dir is None:
        raise CalcConfigError(
            f"engine {engine!r} needs pseudopotentials but no folder is configured",
            source=where,
            field=f"engines.{engine}.pseudo_dir",
            hint=f'add pseudo_dir = "/path/to/pseudopotentials" to [engines.{engine}]',
        )
    if not config.pseudo_dir.is_dir():
        raise CalcConfigError(
            "the pseudopotential folder does not exist",
            source=where,
            field=f"engines.{engine}.pseudo_dir",
            value=str(config.pseudo_dir),
            hint="fix the path",
        )
    out: dict[str, Path] = {}
    for el in elements:
        name = config.pseudopotentials.get(el)
        if name is not None:
            path = config.pseudo_dir / name
            if not path.is_file():
                raise CalcConfigError(
                    f"the pseudopotential of {el} does not exist: {path}",
                    source=where,
                    field=f"engines.{engine}.pseudopotentials.{el}",
                    value=name,
                    hint=f"put the file in {config.pseudo_dir} or fix the name",
                )
            out[el] = path
            continue
        found = sorted(
            p
            for p in config.pseudo_dir.iterdir()
            if p.is_file()
            and p.name.split(".")[0].split("_")[0].split("-")[0].lower() == el.lower()
            and (not suffixes or p.name.lower().endswith(tuple(s.lower() for s in suffixes)))
        )
        if not found:
            raise CalcConfigError(
                f"no pseudopotential for {el} in {config.pseudo_dir}",
                source=where,
                field=f"engines.{engine}.pseudopotentials.{el}",
                hint=f'add {el} = "<file>" to [engines.{engine}.pseudopotentials] or put {el}.* in the folder',
            )
        out[el] = found[0]
    return out
