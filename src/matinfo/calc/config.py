"""The calculation configuration: executables, pseudopotentials, resources and the runner, from one TOML file.

Search order: the ``path`` given (``--config``), ``$MATINFO_CALC_CONFIG``, ``~/.config/matinfo/calc.toml``
(:data:`DEFAULT_PATH`); none of them means the built-in defaults (local runner, CHGNet and EMT need nothing).

.. code-block:: toml

    [runner]
    kind = "local"          # local | slurm | dask
    workdir = "~/matinfo-calc"
    timeout = 7200          # seconds one calculation may run
    lease = 120             # seconds a claimed job stays claimed without a heartbeat
    max_attempts = 3        # runs of a job before it is failed for good
    cores = 2               # threads of one local calculation (OMP_NUM_THREADS)

    [engines.qe]
    command = ["mpirun", "-np", "4", "pw.x"]
    pseudo_dir = "/opt/pseudo/SSSP"
    pseudopotentials = { Si = "Si.pbe-n-rrkjus_psl.1.0.0.UPF" }

    [slurm]
    partition = "normal"
    time = "02:00:00"
    ntasks = 4
    modules = ["quantum-espresso/7.2"]

    [dask]
    scheduler = "tcp://10.0.0.5:8786"   # absent: a local cluster of n_workers

    [references]                        # elemental reference structures for formation energies
    Mn = "~/refs/alpha-Mn.cif"

Unknown keys are errors naming the file and the key, so a typo never silently leaves a default in place.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from matinfo.calc.errors import CalcConfigError

__all__ = [
    "CalcConfig",
    "EngineConfig",
    "RunnerConfig",
    "SlurmConfig",
    "DaskConfig",
    "load_config",
    "find_config",
    "ENV_CONFIG",
    "DEFAULT_PATH",
    "RUNNER_KINDS",
]

#: Environment variable naming the configuration file.
ENV_CONFIG = "MATINFO_CALC_CONFIG"
#: The configuration file used when neither ``--config`` nor ``$MATINFO_CALC_CONFIG`` names one.
DEFAULT_PATH = Path("~/.config/matinfo/calc.toml")
#: Runners: ``local`` processes, ``slurm`` batch jobs, ``dask`` (``dask.distributed``) workers.
RUNNER_KINDS = ("local", "slurm", "dask")


def _default_workdir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("matinfo", appauthor=False)) / "calc"


@dataclass(frozen=True)
class RunnerConfig:
    kind: str = "local"
    workdir: Path | None = None  # None: the user cache folder, see CalcConfig.workdir
    timeout: float = 7200.0
    lease: float = 120.0
    max_attempts: int = 3
    poll: float = 0.5
    cores: int = 1  # threads a local calculation may use (OMP_NUM_THREADS, torch threads)


@dataclass(frozen=True)
class SlurmConfig:
    partition: str | None = None
    time: str = "01:00:00"
    nodes: int = 1
    ntasks: int = 1
    cpus_per_task: int = 1
    mem: str | None = None
    account: str | None = None
    qos: str | None = None
    modules: tuple[str, ...] = ()
    setup: tuple[str, ...] = ()  # shell lines run before the calculation (source a venv, export ...)
    extra: tuple[str, ...] = ()  # further #SBATCH options, e.g. "--constraint=intel"
    sbatch: str = "sbatch"
    squeue: str = "squeue"
    poll: float = 30.0


@dataclass(frozen=True)
class DaskConfig:
    scheduler: str | None = None
    n_workers: int = 2
    threads_per_worker: int = 1
    processes: bool = True


@dataclass(frozen=True)
class EngineConfig:
    """Settings of one engine: how to run it and where its data are.

    ``command`` is the command line (a list, or a string split on whitespace); ``pseudo_dir`` a folder;
    ``pseudopotentials`` element → file name in ``pseudo_dir``; ``env`` extra environment variables;
    ``options`` anything else the engine reads (``python`` for GPAW, ``xc``...).
    """

    name: str
    command: tuple[str, ...] | None = None
    pseudo_dir: Path | None = None
    pseudopotentials: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CalcConfig:
    """The whole configuration; :func:`load_config` reads it, ``CalcConfig()`` is the built-in default."""

    runner: RunnerConfig = field(default_factory=RunnerConfig)
    slurm: SlurmConfig = field(default_factory=SlurmConfig)
    dask: DaskConfig = field(default_factory=DaskConfig)
    engines: Mapping[str, EngineConfig] = field(default_factory=dict)
    references: Mapping[str, Path] = field(default_factory=dict)
    source: Path | None = None

    @property
    def workdir(self) -> Path:
        return self.runner.workdir or _default_workdir()

    def engine(self, name: str) -> EngineConfig:
        """The settings of engine ``name`` (empty ones if the file has no ``[engines.NAME]``)."""
        return self.engines.get(name) or EngineConfig(name)

    def where(self) -> str:
        return str(self.source) if self.source else "the built-in defaults (no configuration file)"


def find_config(path: str | Path | None = None) -> Path | None:
    """The configuration file to read: ``path``, ``$MATINFO_CALC_CONFIG``, or the default if it exists."""
    if path is not None:
        p = Path(path).expanduser()
        if not p.is_file():
            raise CalcConfigError("no such configuration file", source=str(p), hint="check the --config path")
        return p
    env = os.environ.get(ENV_CONFIG)
    if env:
        p = Path(env).expanduser()
        if not p.is_file():
            raise CalcConfigError(
                f"${ENV_CONFIG} names a file that does not exist",
                source=str(p),
                hint=f"fix or unset {ENV_CONFIG}",
            )
        return p
    p = DEFAULT_PATH.expanduser()
    return p if p.is_file() else None


def load_config(path: str | Path | None = None) -> CalcConfig:
    """Read the configuration (see the module docstring for the search order and the keys)."""
    p = find_config(path)
    if p is None:
        return CalcConfig()
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise CalcConfigError(f"not valid TOML: {e}", source=str(p)) from None
    return parse_config(data, source=p)


_TOP = ("runner", "slurm", "dask", "engines", "references")


def parse_config(data: Mapping[str, Any], *, source: Path | None = None) -> CalcConfig:
    """A :class:`CalcConfig` from the parsed TOML ``data``."""
    src = str(source) if source else None
    for key in data:
        if key not in _TOP:
            raise CalcConfigError(
                "unknown section", source=src, field=key, hint=f"sections are {', '.join(_TOP)}"
            )
    runner = _section(RunnerConfig, data.get("runner", {}), "runner", src)
    if runner.kind not in RUNNER_KINDS:
        raise CalcConfigError(
            "unknown runner",
            source=src,
            field="runner.kind",
            value=runner.kind,
            hint=f"use {' | '.join(RUNNER_KINDS)}",
        )
    if runner.workdir is not None:
        runner = _replace(runner, workdir=Path(str(runner.workdir)).expanduser())
    engines = {}
    for name, sec in (data.get("engines") or {}).items():
        engines[name.lower()] = _engine(name.lower(), sec, src)
    refs = {el: Path(str(v)).expanduser() for el, v in (data.get("references") or {}).items()}
    return CalcConfig(
        runner=runner,
        slurm=_section(SlurmConfig, data.get("slurm", {}), "slurm", src),
        dask=_section(DaskConfig, data.get("dask", {}), "dask", src),
        engines=MappingProxyType(engines),
        references=MappingProxyType(refs),
        source=source,
    )


def _replace(obj: Any, **changes: Any) -> Any:
    from dataclasses import replace

    return replace(obj, **changes)


def _section(cls: type, sec: Any, name: str, src: str | None) -> Any:
    if not isinstance(sec, Mapping):
        raise CalcConfigError("must be a table", source=src, field=name, value=sec, hint=f"write [{name}]")
    known = {f.name: f for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in sec.items():
        f = known.get(key)
        if f is None:
            raise CalcConfigError(
                "unknown key", source=src, field=f"{name}.{key}", hint=f"keys of [{name}]: {', '.join(known)}"
            )
        default = f.default
        if isinstance(default, tuple):
            value = (value,) if isinstance(value, str) else tuple(value)
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise CalcConfigError("must be true or false", source=src, field=f"{name}.{key}", value=value)
        elif isinstance(default, int | float) and not isinstance(default, bool):
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise CalcConfigError(
                    "must be a non-negative number", source=src, field=f"{name}.{key}", value=value
                )
            value = type(default)(value)
        kwargs[key] = value
    return cls(**kwargs)


def _engine(name: str, sec: Any, src: str | None) -> EngineConfig:
    if not isinstance(sec, Mapping):
        raise CalcConfigError("must be a table", source=src, field=f"engines.{name}", value=sec)
    sec = dict(sec)
    command = sec.pop("command", None)
    if command is not None:
        command = tuple(command.split()) if isinstance(command, str) else tuple(map(str, command))
        if not command:
            raise CalcConfigError("is empty", source=src, field=f"engines.{name}.command")
    pseudo_dir = sec.pop("pseudo_dir", None)
    pseudos = sec.pop("pseudopotentials", {}) or {}
    env = sec.pop("env", {}) or {}
    for key, val in (("pseudopotentials", pseudos), ("env", env)):
        if not isinstance(val, Mapping):
            raise CalcConfigError(
                "must be a table",
                source=src,
                field=f"engines.{name}.{key}",
                value=val,
                hint='e.g. { Si = "Si.UPF" }',
            )
    return EngineConfig(
        name=name,
        command=command,
        pseudo_dir=Path(str(pseudo_dir)).expanduser() if pseudo_dir else None,
        pseudopotentials=MappingProxyType({str(k): str(v) for k, v in pseudos.items()}),
        env=MappingProxyType({str(k): str(v) for k, v in env.items()}),
        options=MappingProxyType(sec),
    )
