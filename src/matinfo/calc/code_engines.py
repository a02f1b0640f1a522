"""The DFT codes of :mod:`matinfo.calc.codes` (GPAW, Quantum ESPRESSO, VASP, ABINIT) as engines.

Each code module is a set of pure functions (``defaults``, ``check``, ``write_inputs``, ``command``,
``read_results``; see :mod:`matinfo.calc.codes`); :class:`CodeEngine` adapts them to the
:class:`~matinfo.calc.engines.Engine` protocol, so they run through the same runners, job queue and checks as
CHGNet.  The code module is imported on first use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matinfo.calc.config import EngineConfig
from matinfo.calc.spec import CalcSpec

__all__ = ["CodeEngine", "GPAW", "QE", "VASP", "ABINIT"]

#: Where a code's standard output must go when the module does not say (``STDOUT``).
_STDOUT = {"qe": "OUTPUT", "abinit": "LOG"}


class CodeEngine:
    """The Engine of code ``code`` (a name of :data:`matinfo.calc.codes.CODES`)."""

    elements = None  # the code's own check() names elements it has no pseudopotential / setup for

    def __init__(self, code: str) -> None:
        self.code = code
        self.name = code

    def __repr__(self) -> str:
        return f"CodeEngine({self.code!r})"

    @property
    def module(self) -> Any:
        from matinfo.calc import codes

        return codes.get(self.code)

    @property
    def tasks(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(getattr(self.module, "TASKS", None) or ("static", "relax", "bands"))

    @property
    def stdout_file(self) -> str:
        mod = self.module
        name = getattr(mod, "STDOUT", None)
        if name is None and self.code in _STDOUT:
            name = getattr(mod, _STDOUT[self.code], None)
        return name or "stdout.txt"

    def defaults(self, task: str) -> dict[str, Any]:
        return dict(self.module.defaults(task))

    def check(self, spec: CalcSpec, config: EngineConfig) -> None:
        self.module.check(spec.cell.to_atoms(), dict(_plain(spec.parameters)), config, task=spec.task)

    def write_inputs(self, atoms: Any, spec: CalcSpec, workdir: Path, config: EngineConfig) -> None:
        self.module.write_inputs(atoms, spec.task, dict(_plain(spec.parameters)), Path(workdir), config)

    def command(self, spec: CalcSpec, workdir: Path, config: EngineConfig) -> list[str]:
        return list(self.module.command(Path(workdir), config))

    def read_results(self, workdir: Path) -> dict[str, Any]:
        return dict(self.module.read_results(Path(workdir)))


def _plain(obj: Any) -> Any:
    from matinfo.calc.spec import _thawed

    return _thawed(obj)


GPAW = CodeEngine("gpaw")
QE = CodeEngine("qe")
VASP = CodeEngine("vasp")
ABINIT = CodeEngine("abinit")
