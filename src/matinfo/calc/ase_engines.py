"""Engines that are ASE calculators run inside Python: EMT (fast tests) and CHGNet (the default).

They follow the file-based :class:`~matinfo.calc.engines.Engine` protocol all the same: the input is
``calc.json`` (the spec and the engine to build), the command ``python -m matinfo.calc.worker WORKDIR``
(:mod:`matinfo.calc.worker`), the output ``results.json``.  So a CHGNet relaxation runs in its own process, with
its own memory, and can be killed, timed out or sent to a SLURM node like any DFT code.

Parameters of both (defaults in :meth:`ASEEngine.defaults`): ``relax`` takes ``fmax`` (eV/Å, force criterion),
``steps`` (most optimizer steps), ``relax_cell`` (also relax the cell, with ASE's ``FrechetCellFilter``) and
``optimizer`` (``FIRE``, ``BFGS``, ``LBFGS``); CHGNet takes ``model`` (the bundled model version) in both tasks.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from matinfo._files import atomic_write
from matinfo.calc.config import EngineConfig
from matinfo.calc.errors import CalculationError
from matinfo.calc.spec import CalcSpec
from matinfo.errors import ParameterError

__all__ = ["ASEEngine", "EMTEngine", "CHGNetEngine", "INPUT_FILE", "RESULTS_FILE", "ERROR_FILE"]

#: Files of a worker's folder: the spec in, the results (or the error) out.
INPUT_FILE = "calc.json"
RESULTS_FILE = "results.json"
ERROR_FILE = "error.json"

_RELAX_DEFAULTS = {"fmax": 0.05, "steps": 300, "relax_cell": True, "optimizer": "FIRE"}
_OPTIMIZERS = ("FIRE", "BFGS", "LBFGS")


class ASEEngine:
    """Base of the in-process engines: subclasses give :meth:`calculator` (and ``name``, ``elements``)."""

    name = "ase"
    tasks: tuple[str, ...] = ("static", "relax")
    elements: frozenset[str] | None = None

    def defaults(self, task: str) -> dict[str, Any]:
        return dict(_RELAX_DEFAULTS) if task == "relax" else {}

    def check(self, spec: CalcSpec, config: EngineConfig) -> None:
        p = spec.parameters
        if spec.task == "relax":
            if p["optimizer"] not in _OPTIMIZERS:
                raise ParameterError(f"optimizer {p['optimizer']!r}: use one of {', '.join(_OPTIMIZERS)}")
            if not (isinstance(p["fmax"], int | float) and p["fmax"] > 0):
                raise ParameterError(f"fmax must be a positive number (eV/Å), not {p['fmax']!r}")
            if not (isinstance(p["steps"], int) and p["steps"] >= 0):
                raise ParameterError(f"steps must be a whole number >= 0, not {p['steps']!r}")

    def version(self) -> str:
        import ase

        return f"ase {ase.__version__}"

    def calculator(self, parameters: Any) -> Any:
        raise NotImplementedError

    # -- the file protocol -----------------------------------------------------------------------------------
    def write_inputs(self, atoms: Any, spec: CalcSpec, workdir: Path, config: EngineConfig) -> None:
        from matinfo.calc.engines import engine_ref

        blob = {"engine_ref": engine_ref(self), "spec": spec.to_dict()}
        atomic_write(Path(workdir) / INPUT_FILE, lambda tmp: Path(tmp).write_text(json.dumps(blob)))

    def command(self, spec: CalcSpec, workdir: Path, config: EngineConfig) -> list[str]:
        python = str(config.options.get("python") or sys.executable)
        return [python, "-m", "matinfo.calc.worker", str(workdir)]

    def serve_command(self, config: EngineConfig) -> list[str]:
        """A warm worker that runs one work folder per line of its standard input (the local runner's)."""
        python = str(config.options.get("python") or sys.executable)
        return [python, "-m", "matinfo.calc.worker", "--serve"]

    def read_results(self, workdir: Path) -> dict[str, Any]:
        path = Path(workdir) / RESULTS_FILE
        if not path.is_file():
            err = Path(workdir) / ERROR_FILE
            why = json.loads(err.read_text())["error"] if err.is_file() else "no results file"
            raise CalculationError(f"{self.name} calculation in {workdir} failed: {why}")
        return json.loads(path.read_text())

    # -- what the worker process runs ------------------------------------------------------------------------
    def calculate(self, atoms: Any, spec: CalcSpec, workdir: Path) -> dict[str, Any]:
        """Run ``spec`` on ``atoms`` here and now; the results dict of the Engine protocol."""
        atoms.calc = self.calculator(spec.parameters)
        n_steps, converged = 0, True
        if spec.task == "relax":
            n_steps, converged = _relax(atoms, spec.parameters, Path(workdir))
        out = {
            "energy": float(atoms.get_potential_energy()),
            "forces": atoms.get_forces().tolist(),
            "stress": atoms.get_stress(voigt=True).tolist(),
            "version": self.version(),
            "converged": bool(converged),
            "n_steps": int(n_steps),
            "band_gap": None,
            "dos": None,
        }
        if spec.task == "relax":
            out["structure"] = {
                "lattice": atoms.cell.array.tolist(),
                "species": atoms.get_chemical_symbols(),
                "frac_coords": atoms.get_scaled_positions(wrap=False).tolist(),
            }
        return out


def _relax(atoms: Any, p: Any, workdir: Path) -> tuple[int, bool]:
    from ase import optimize

    target = atoms
    if p["relax_cell"]:
        from ase.filters import FrechetCellFilter

        target = FrechetCellFilter(atoms)
    opt = getattr(optimize, p["optimizer"])(target, logfile=str(workdir / "relax.log"))
    converged = opt.run(fmax=float(p["fmax"]), steps=int(p["steps"]))
    return int(opt.nsteps), bool(converged)


class EMTEngine(ASEEngine):
    """ASE's effective-medium theory: milliseconds per step, for tests and examples; a few metals only."""

    name = "emt"
    elements = frozenset({"Al", "Cu", "Ag", "Au", "Ni", "Pd", "Pt", "H", "C", "N", "O"})

    def calculator(self, parameters: Any) -> Any:
        from ase.calculators.emt import EMT

        return EMT()

    def version(self) -> str:
        import ase

        return f"ase-emt {ase.__version__}"


#: The CHGNet model shipped in the ``chgnet`` wheel (no download).
CHGNET_MODEL = "0.3.0"


class CHGNetEngine(ASEEngine):
    """CHGNet, the pretrained universal potential (Deng et al., Nat. Mach. Intell. 5, 1031 (2023)), on the CPU.

    Elements H to Pu (Z 1–94).  Its weights come with the ``chgnet`` package: nothing is downloaded.
    """

    name = "chgnet"
    elements = None  # set below: Z 1..94

    def defaults(self, task: str) -> dict[str, Any]:
        return {**super().defaults(task), "model": CHGNET_MODEL}

    def check(self, spec: CalcSpec, config: EngineConfig) -> None:
        super().check(spec, config)
        if spec.parameters["model"] != CHGNET_MODEL:
            raise ParameterError(
                f"CHGNet model {spec.parameters['model']!r} is not bundled; the installed package ships "
                f"{CHGNET_MODEL!r} (nothing may be downloaded)"
            )
        try:
            import importlib.util

            found = importlib.util.find_spec("chgnet") is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            from matinfo.calc.errors import CalcConfigError

            raise CalcConfigError(
                "the chgnet package is not installed",
                field="engines.chgnet",
                hint="pip install torch==2.13.0 (CPU wheel) then pip install 'matinfo[calc]'",
            )

    def calculator(self, parameters: Any) -> Any:
        import os

        import torch
        from chgnet.model import CHGNet, CHGNetCalculator

        torch.set_num_threads(max(1, int(os.environ.get("OMP_NUM_THREADS", "1"))))
        model = CHGNet.load(model_name=parameters["model"], use_device="cpu", verbose=False)
        return CHGNetCalculator(model=model, use_device="cpu")

    def version(self) -> str:
        import chgnet

        return f"chgnet {chgnet.__version__} model {CHGNET_MODEL}"


def _chgnet_elements() -> frozenset[str]:
    from ase.data import chemical_symbols

    return frozenset(chemical_symbols[1:95])


CHGNetEngine.elements = _chgnet_elements()
