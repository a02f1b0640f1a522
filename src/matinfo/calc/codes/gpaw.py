"""GPAW (real-space/plane-wave PAW DFT), run out of process by the Python that has it.

Debian's ``gpaw`` package is built for Debian's ``/usr/bin/python3`` and NumPy 1.x, so it cannot be imported
next to matinfo's NumPy 2.  :func:`write_inputs` therefore writes three files into the work folder:

* ``structure.json``: cell, positions (Å), atomic numbers, pbc, initial moments;
* ``matinfo_params.json``: the resolved parameters (plane-wave cutoff in eV, k-point grid, occupations, ...);
* ``run_gpaw.py``: a fixed script (:mod:`matinfo.calc.codes._gpaw_script`) that runs the calculation with ASE's
  BFGS for relaxations (FrechetCellFilter, or ExpCellFilter on ASE < 3.23, when the cell relaxes) and writes
  ``results.json``; GPAW's own log is ``gpaw.txt``.

Defaults: PBE, plane waves at 400 eV, Gamma-centred grid of 1000 k-points per reciprocal atom (3000 for
``bands``), Fermi-Dirac 0.01 eV (Marzari-Vanderbilt 0.1 eV when every element is a metal), no spin, GPAW's
default number of bands (occupied + 20 % + 4, so band gaps have conduction bands).  The ``bands`` task is one
SCF on the finer grid; gap and DOS come from its eigenvalues.

Configuration ``[engines.gpaw]``: ``python`` (default ``/usr/bin/python3``), ``nprocs`` (default 1; more runs
``mpirun -np N python run_gpaw.py``), ``mpirun`` (default ``mpirun``), ``command`` (replaces the whole prefix
before ``run_gpaw.py``, e.g. ``"gpaw -P 4 python"``), ``setup_paths`` (PAW setup folders; default
``$GPAW_SETUP_PATH`` or Debian's ``/usr/share/gpaw-setups``).
"""

from __future__ import annotations

import functools
import json
import os
import shlex
import subprocess
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from matinfo.calc.codes._common import (
    CalcConfigError,
    CalculationError,
    atoms_from_dict,
    check_atoms,
    check_task,
    engine_section,
    initial_magmoms,
    mpi_argv,
    require_command,
    require_executable,
    resolve_params,
    results_base,
    run_band_summary,
    structure_dict,
    task_of,
    write_json,
)
from matinfo.calc.codes._common import defaults as common_defaults
from matinfo.calc.codes._kpoints import resolve_grid

__all__ = [
    "NAME",
    "STDOUT",
    "defaults",
    "elements",
    "check",
    "write_inputs",
    "command",
    "read_results",
    "setup_paths",
]

NAME = "gpaw"
#: where the runner should write the command's stdout (GPAW's own log is gpaw.txt)
STDOUT = "gpaw.out"
DEFAULT_PYTHON = "/usr/bin/python3"
DEBIAN_SETUPS = "/usr/share/gpaw-setups"
ECUT = 400.0
SMEARINGS = ("fermi-dirac", "marzari-vanderbilt", "methfessel-paxton")
SCRIPT = "run_gpaw.py"


def _params(atoms, params: Mapping[str, Any] | None) -> dict[str, Any]:
    return resolve_params(
        NAME, params, ecut_default=ECUT, smearings=SMEARINGS, symbols=atoms.get_chemical_symbols()
    )


def defaults(task: str = "static") -> dict[str, Any]:
    """Every parameter with its default (see :mod:`matinfo.calc.codes._common`); GPAW's cutoff is 400 eV."""
    check_task(task)
    return common_defaults(ECUT)


def setup_paths(config: Any = None) -> list[Path]:
    """Folders searched for PAW setups: ``setup_paths`` of ``[engines.gpaw]``, else ``$GPAW_SETUP_PATH``, else
    Debian's ``/usr/share/gpaw-setups``."""
    section = engine_section(config, NAME)
    paths = section.get("setup_paths")
    if paths is None:
        env = os.environ.get("GPAW_SETUP_PATH")
        paths = env.split(os.pathsep) if env else [DEBIAN_SETUPS]
    elif isinstance(paths, str):
        paths = [paths]
    return [Path(p) for p in paths]


def elements(config: Any, xc: str = "PBE") -> frozenset[str]:
    """The elements with an ``xc`` PAW setup in :func:`setup_paths` (Debian's gpaw-data: 66, no lanthanides)."""
    from ase.data import chemical_symbols

    names = {p.name for d in setup_paths(config) if d.is_dir() for p in d.iterdir()}
    return frozenset(s for s in chemical_symbols[1:] if f"{s}.{xc}.gz" in names or f"{s}.{xc}" in names)


def _python(config: Any) -> str:
    python = engine_section(config, NAME).get("python", DEFAULT_PYTHON)
    if not isinstance(python, str) or not python:
        raise CalcConfigError(
            "the Python that runs GPAW must be a path", field="engines.gpaw.python", value=python
        )
    return python


@functools.lru_cache(maxsize=8)
def _probe(python: str) -> tuple[str | None, str]:
    """(GPAW version or None, error text) for ``python``; cached, one short subprocess per interpreter."""
    code = "import gpaw, ase; print(gpaw.__version__, ase.__version__)"
    try:
        done = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as err:
        return None, str(err)
    words = done.stdout.split()
    if done.returncode != 0 or not words:
        return None, (done.stderr.strip().splitlines() or ["no output"])[-1]
    return words[0], ""


def check(atoms, params: Mapping[str, Any] | None, config: Any, task: str = "static") -> None:
    """Raise before anything runs: bad parameters or structure, no Python with GPAW, an element without setup."""
    check_task(task)
    check_atoms(atoms, NAME)
    p = _params(atoms, params)
    section = engine_section(config, NAME)
    python = _python(config)
    if "command" in section:
        require_command(section, NAME, python)
    else:
        require_executable(python, NAME, "python")
        require_command({**section, "command": [python]}, NAME, python)  # mpirun when nprocs > 1
    version, why = _probe(python)
    if version is None:
        raise CalcConfigError(
            f"gpaw: {python} cannot import gpaw ({why})",
            field="engines.gpaw.python",
            value=python,
            hint="install Debian's packages (apt-get install gpaw gpaw-data) or set "
            '[engines.gpaw] python = "/path/to/python-with-gpaw"',
        )
    _setups(sorted(set(atoms.get_chemical_symbols())), p["xc"], config)


def _setups(symbols: list[str], xc: str, config: Any) -> None:
    paths = setup_paths(config)
    missing = [
        s
        for s in symbols
        if not any((d / f"{s}.{xc}.gz").is_file() or (d / f"{s}.{xc}").is_file() for d in paths)
    ]
    if missing:
        raise CalcConfigError(
            f"gpaw: no {xc} PAW setup for element(s) {', '.join(missing)}: looked for "
            f"'<element>.{xc}.gz' in {', '.join(map(str, paths))}",
            field="engines.gpaw.setup_paths",
            hint="install gpaw-data, or point [engines.gpaw] setup_paths (or $GPAW_SETUP_PATH) at a folder "
            "that has them; or choose another engine for these elements",
        )


def write_inputs(
    atoms, task: str, params: Mapping[str, Any] | None, workdir: Path, config: Any
) -> list[Path]:
    """Write ``structure.json``, ``matinfo_params.json`` and ``run_gpaw.py`` into ``workdir``; return their paths."""
    check_task(task)
    check_atoms(atoms, NAME)
    p = _params(atoms, params)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    kppra = p["kppra_bands"] if task == "bands" else p["kppra"]
    grid = resolve_grid(atoms, p["kpts"], kppra)
    structure = structure_dict(atoms)
    magmoms = initial_magmoms(atoms, p["spin"])
    structure["magmoms"] = magmoms or [0.0] * len(atoms)
    run = {
        "task": task,
        "xc": p["xc"],
        "ecut": p["ecut"],
        "kpts": list(grid),
        "smearing": p["smearing"],
        "smearing_width": p["smearing_width"],
        "spin": p["spin"],
        "nbands": p["nbands"],
        "scf_tol": p["scf_tol"],
        "fmax": p["fmax"],
        "relax_cell": p["relax_cell"],
        "max_steps": p["max_steps"],
        "dos_width": p["dos_width"],
        "dos_step": p["dos_step"],
        "extra": p["extra"],
    }
    for stale in ("results.json", "gpaw.txt", "relax.traj", "relax.log"):
        (workdir / stale).unlink(missing_ok=True)
    script = files("matinfo.calc.codes").joinpath("_gpaw_script.py").read_text(encoding="utf-8")
    (workdir / SCRIPT).write_text(script, encoding="utf-8")
    return [
        write_json(workdir / "structure.json", structure),
        write_json(workdir / "matinfo_params.json", run),
        workdir / SCRIPT,
    ]


def command(workdir: Path, config: Any) -> list[str]:
    """The argv to run in ``workdir``: ``[python, run_gpaw.py]``, with ``mpirun -np N`` or ``command`` in front.

    >>> command(Path("w"), {})
    ['/usr/bin/python3', 'run_gpaw.py']
    >>> command(Path("w"), {"engines": {"gpaw": {"nprocs": 2}}})
    ['mpirun', '-np', '2', '/usr/bin/python3', 'run_gpaw.py']
    >>> command(Path("w"), {"engines": {"gpaw": {"command": "gpaw -P 4 python"}}})
    ['gpaw', '-P', '4', 'python', 'run_gpaw.py']
    """
    section = engine_section(config, NAME)
    if "command" in section:
        cmd = section["command"]
        prefix = shlex.split(cmd) if isinstance(cmd, str) else list(cmd)
        return [*prefix, SCRIPT]
    return [*mpi_argv({**section, "command": [_python(config)]}, NAME, DEFAULT_PYTHON), SCRIPT]


def read_results(workdir: Path, task: str | None = None) -> dict[str, Any]:
    """Read ``results.json`` written by ``run_gpaw.py``.

    Returns energy (eV; GPAW's energy extrapolated to zero smearing), ``free_energy``, energy_per_atom, forces
    (eV/Å), stress (eV/Å^3, Voigt), the final structure (``atoms``), band gap, VBM/CBM, Fermi level (eV), the DOS
    (``bands`` task only),
    code version, converged flag and wall time (s).  Raises :class:`CalculationError` naming the file when there is
    no result or the run did not converge.
    """
    workdir = Path(workdir)
    task = task_of(workdir, task)
    path = workdir / "results.json"
    if not path.is_file():
        raise CalculationError(
            f"gpaw: no {path} — the run did not finish; read {workdir / 'gpaw.txt'} and the run's stderr"
        )
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not raw.get("converged"):
        why = raw.get("error") or (
            f"relaxation not converged in {raw.get('relax_steps')} steps (see {workdir / 'relax.log'})"
        )
        raise CalculationError(f"gpaw: {path}: {why}")
    atoms = atoms_from_dict(raw["structure"])
    n_steps = raw.get("relax_steps") or 0
    out = results_base(NAME, task, atoms, raw["energy"], version=raw["code_version"], n_steps=n_steps)
    out.update(
        free_energy=float(raw["free_energy"]),
        forces=np.asarray(raw["forces"]),
        stress=np.asarray(raw["stress"]),
        converged=True,
        wall_time=float(raw["wall_time"]),
        output_file=str(workdir / "gpaw.txt"),
    )
    out.update(run_band_summary(raw["eigenvalues"], raw["kpoint_weights"], raw["fermi_level"], workdir, task))
    return out
