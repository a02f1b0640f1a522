"""Quantum ESPRESSO ``pw.x``: input written by ASE's ``write_espresso_in``, output read by ``read_espresso_out``.

Files: ``pw.in`` (input), ``pw.out`` (the run's stdout; :func:`command` passes ``-in pw.in`` and the runner
should send stdout to ``pw.out``, or use ``-in pw.in > pw.out`` in a shell), ``tmp/`` (QE's outdir).

Defaults: PBE enforced with ``input_dft`` (QE otherwise takes the functional from the pseudopotentials), 680 eV
(50 Ry) wave-function cutoff and QE's default 4x for the density (norm-conserving; raise ``ecutrho`` through
``params["extra"] = {"system": {"ecutrho": ...}}`` for ultrasoft/PAW), Gamma-centred grid of 1000 k-points per
reciprocal atom (3000 for ``bands``), occupations by smearing (Fermi-Dirac 0.01 eV, Marzari-Vanderbilt 0.1 eV
when every element is a metal) so that QE adds empty bands, no spin, ``verbosity = 'high'`` so every k-point's
eigenvalues are printed.  ``relax`` is ``vc-relax`` (``relax`` when ``relax_cell`` is false) with BFGS, forces
below ``fmax``.  The ``bands`` task is one SCF on the finer grid.

Configuration ``[engines.qe]``: ``pseudo_dir`` (required), ``pseudopotentials`` (element -> file name, optional),
``command`` (default ``pw.x``), ``nprocs`` and ``mpirun``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from matinfo.calc.codes._common import (
    CalculationError,
    calculator_band_summary,
    check_atoms,
    check_task,
    engine_section,
    fnum,
    initial_magmoms,
    mpi_argv,
    require_command,
    resolve_params,
    results_base,
    task_of,
    write_run_params,
)
from matinfo.calc.codes._common import defaults as common_defaults
from matinfo.calc.codes._kpoints import resolve_grid
from matinfo.calc.codes._pseudos import available_elements, find_pseudopotentials, pseudo_dir
from matinfo.errors import ParameterError

__all__ = ["NAME", "STDOUT", "defaults", "elements", "check", "write_inputs", "command", "read_results"]

NAME = "qe"
#: where the runner should write the command's stdout: pw.x's output, which read_results reads
STDOUT = "pw.out"
ECUT = 680.0
EXTENSIONS = (".upf",)
SMEARINGS = ("fermi-dirac", "gaussian", "marzari-vanderbilt", "methfessel-paxton")
_QE_SMEARING = {
    "fermi-dirac": "fd",
    "gaussian": "gaussian",
    "marzari-vanderbilt": "mv",
    "methfessel-paxton": "mp",
}
INPUT, OUTPUT = "pw.in", STDOUT


def _params(atoms, params):
    return resolve_params(
        NAME, params, ecut_default=ECUT, smearings=SMEARINGS, symbols=atoms.get_chemical_symbols()
    )


def defaults(task: str = "static") -> dict[str, Any]:
    """Every parameter with its default (see :mod:`matinfo.calc.codes._common`)."""
    check_task(task)
    return common_defaults(ECUT)


def elements(config: Any) -> frozenset[str]:
    """The elements this configuration can treat: those with a pseudopotential in ``pseudo_dir``."""
    return available_elements(config, NAME, EXTENSIONS)


def check(atoms, params: Mapping[str, Any] | None, config: Any, task: str = "static") -> None:
    """Raise before anything runs: bad parameters or structure, no ``pw.x``, an element without pseudopotential."""
    check_task(task)
    check_atoms(atoms, NAME)
    _params(atoms, params)
    require_command(engine_section(config, NAME), NAME, "pw.x")
    find_pseudopotentials(atoms.get_chemical_symbols(), config, NAME, EXTENSIONS)


def _input_data(task: str, p: dict[str, Any], pseudo_dir: Path, natoms: int) -> dict[str, dict[str, Any]]:
    from ase.units import Bohr, Ry

    calculation = {"static": "scf", "bands": "scf", "relax": "vc-relax" if p["relax_cell"] else "relax"}[task]
    data: dict[str, dict[str, Any]] = {
        "control": {
            "calculation": calculation,
            "prefix": "matinfo",
            "outdir": "./tmp",
            "pseudo_dir": str(pseudo_dir),
            "tprnfor": True,
            "tstress": True,
            "verbosity": "high",
            "disk_io": "low",
        },
        "system": {
            "ecutwfc": fnum(p["ecut"] / Ry, 6),
            "input_dft": p["xc"],
            "occupations": "smearing",
            "smearing": _QE_SMEARING[p["smearing"]],
            "degauss": fnum(p["smearing_width"] / Ry, 8),
        },
        "electrons": {
            "conv_thr": float(f"{p['scf_tol'] / Ry:.3e}"),
            "mixing_beta": 0.4,
            "electron_maxstep": 200,
        },
    }
    if p["nbands"] is not None:
        data["system"]["nbnd"] = p["nbands"]
    if p["spin"]:
        data["system"]["nspin"] = 2
    if task == "relax":
        data["control"]["nstep"] = p["max_steps"]
        data["control"]["forc_conv_thr"] = float(f"{p['fmax'] / (Ry / Bohr):.3e}")
        data["control"]["etot_conv_thr"] = float(f"{1e-5 * natoms / Ry:.3e}")
        data["ions"] = {"ion_dynamics": "bfgs"}
        if p["relax_cell"]:
            data["cell"] = {"cell_dynamics": "bfgs", "press_conv_thr": 0.5}
    for section, values in p["extra"].items():
        if not isinstance(values, Mapping):
            raise ParameterError(
                f"parameter 'extra' must map pw.x namelists to settings, e.g. {{'system': {{'ecutrho': 400}}}}; "
                f"got {section!r} = {values!r}"
            )
        data.setdefault(section.lower(), {}).update(values)
    return {k: dict(sorted(v.items())) for k, v in data.items()}


def write_inputs(
    atoms, task: str, params: Mapping[str, Any] | None, workdir: Path, config: Any
) -> list[Path]:
    """Write ``pw.in`` (absolute ``pseudo_dir`` from the configuration) and ``matinfo_params.json`` (the resolved
    parameters) into ``workdir``; return their paths."""
    from ase.io.espresso import write_espresso_in

    check_task(task)
    check_atoms(atoms, NAME)
    p = _params(atoms, params)
    pseudos = find_pseudopotentials(atoms.get_chemical_symbols(), config, NAME, EXTENSIONS)
    folder = pseudo_dir(config, NAME)
    kppra = p["kppra_bands"] if task == "bands" else p["kppra"]
    grid = resolve_grid(atoms, p["kpts"], kppra)
    atoms = atoms.copy()
    atoms.calc = None
    magmoms = initial_magmoms(atoms, p["spin"])
    atoms.set_initial_magnetic_moments(magmoms)  # None clears them
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / OUTPUT).unlink(missing_ok=True)
    path = workdir / INPUT
    with path.open("w", encoding="utf-8") as fd:
        write_espresso_in(
            fd,
            atoms,
            input_data=_input_data(task, p, folder, len(atoms)),
            pseudopotentials={s: f.relative_to(folder).as_posix() for s, f in pseudos.items()},
            kpts=grid,
            koffset=(0, 0, 0),
        )
    # ASE writes every namelist it knows; QE 6.x warns about the empty ones it does not (&FCP, &RISM)
    text = re.sub(r"^&(IONS|CELL|FCP|RISM)\n/\n", "", path.read_text(encoding="utf-8"), flags=re.M)
    path.write_text(text, encoding="utf-8")
    return [path, write_run_params(workdir, task, p, kpts=grid)]


def command(workdir: Path, config: Any) -> list[str]:
    """``pw.x -in pw.in`` (with ``mpirun -np N`` in front when ``nprocs > 1``); stdout belongs in ``pw.out``.

    >>> command(Path("w"), {"engines": {"qe": {"nprocs": 2}}})
    ['mpirun', '-np', '2', 'pw.x', '-in', 'pw.in']
    """
    return [*mpi_argv(engine_section(config, NAME), NAME, "pw.x"), "-in", INPUT]


_VERSION = re.compile(r"Program PWSCF v\.(\S+) starts")
_WALL = re.compile(r"PWSCF\s*:.*?CPU\s+(.+?)\s+WALL")


def _seconds(text: str) -> float:
    """QE's '1h 2m', '3m45.01s' or '0.51s' as seconds."""
    total = 0.0
    for value, unit in re.findall(r"([\d.]+)\s*([hms])", text):
        total += float(value) * {"h": 3600, "m": 60, "s": 1}[unit]
    return total


def read_results(workdir: Path, task: str | None = None) -> dict[str, Any]:
    """Read ``pw.out``: energy (eV), forces (eV/Å), stress (eV/Å^3, Voigt), final structure, band gap, Fermi
    level, DOS (``bands`` only), QE version, wall time; :class:`CalculationError` naming ``pw.out`` on failure."""
    from ase.io.espresso import read_espresso_out

    workdir = Path(workdir)
    task = task_of(workdir, task)
    path = workdir / OUTPUT
    if not path.is_file():
        raise CalculationError(f"qe: no {path} — pw.x did not run (its stdout belongs in {OUTPUT})")
    text = path.read_text(encoding="utf-8", errors="replace")
    if "convergence NOT achieved" in text:
        raise CalculationError(
            f"qe: {path}: SCF convergence NOT achieved — raise electron_maxstep or lower mixing_beta"
        )
    if "JOB DONE." not in text:
        error = re.search(r"%{5,}\s*\n(.*?)\n\s*%{5,}", text, flags=re.S)
        why = " ".join(error.group(1).split()) if error else "the run stopped before 'JOB DONE.'"
        raise CalculationError(f"qe: {path}: {why}")
    if task == "relax" and "End of BFGS Geometry Optimization" not in text:
        raise CalculationError(
            f"qe: {path}: the relaxation did not finish (no 'End of BFGS Geometry Optimization')"
        )
    if task == "relax" and "bfgs converged" not in text:
        raise CalculationError(f"qe: {path}: the BFGS relaxation did not converge")
    with path.open(encoding="utf-8", errors="replace") as fd:
        images = list(read_espresso_out(fd, index=slice(None)))
    final = images[-1]
    calc = final.calc
    atoms = final.copy()
    atoms.calc = None
    version = _VERSION.search(text)
    wall = _WALL.search(text)
    n_steps = len(images) if task == "relax" else 0
    out = results_base(
        NAME, task, atoms, calc.get_potential_energy(), version=version and version.group(1), n_steps=n_steps
    )
    out.update(
        forces=np.asarray(calc.get_forces()),
        stress=np.asarray(calc.get_stress()),
        converged=True,
        wall_time=_seconds(wall.group(1)) if wall else None,
        output_file=str(path),
    )
    out.update(calculator_band_summary(calc, workdir, task))
    return out
