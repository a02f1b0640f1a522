"""ABINIT: input written by ASE's ``write_abinit_in``, output read by ``read_abinit_out`` and ``read_eig``.

Files: ``abinit.abi`` (input; pseudopotentials by absolute path), ``abinit.abo`` (main output), ``abinito_EIG``
(eigenvalues), ``abinit.log`` should take the run's stdout.

Defaults: PBE (``ixc 11``; the pseudopotentials should be PBE too: ABINIT warns when they differ), 680 eV
(25 Ha) cutoff, Gamma-centred grid of 1000 k-points per reciprocal atom (3000 for ``bands``), smearing
(Fermi-Dirac 0.01 eV, ``occopt 3``; cold smearing 0.1 eV, ``occopt 4``, when every element is a metal), no spin,
``toldfe`` = ``scf_tol``.  ``relax``: BFGS (``ionmov 2``) with ``optcell 2`` when the cell relaxes, ``tolmxf``
from ``fmax``.  The ``bands`` task is one SCF on the finer grid.

Configuration ``[engines.abinit]``: ``pseudo_dir`` (required; Debian's ``abinit-data`` has test pseudopotentials in
``/usr/share/abinit/psp``), ``pseudopotentials`` (element -> file name), ``command`` (default ``abinit``),
``nprocs``, ``mpirun``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from matinfo.calc.codes._common import (
    CalculationError,
    check_atoms,
    check_task,
    engine_section,
    fnum,
    initial_magmoms,
    mpi_argv,
    require_command,
    resolve_params,
    results_base,
    run_band_summary,
    task_of,
    write_run_params,
)
from matinfo.calc.codes._common import defaults as common_defaults
from matinfo.calc.codes._kpoints import resolve_grid
from matinfo.calc.codes._pseudos import available_elements, find_pseudopotentials

__all__ = ["NAME", "STDOUT", "defaults", "elements", "check", "write_inputs", "command", "read_results"]

NAME = "abinit"
#: where the runner should write the command's stdout (ABINIT's log; its main output is abinit.abo)
STDOUT = "abinit.log"
ECUT = 680.0
EXTENSIONS = (".psp8", ".upf", ".xml", ".fhi", ".pspnc", ".psp", ".hgh")
SMEARINGS = ("fermi-dirac", "gaussian", "marzari-vanderbilt", "methfessel-paxton")
_OCCOPT = {"fermi-dirac": 3, "marzari-vanderbilt": 4, "methfessel-paxton": 6, "gaussian": 7}
INPUT, OUTPUT, EIG, LOG = "abinit.abi", "abinit.abo", "abinito_EIG", STDOUT


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
    """Raise before anything runs: bad parameters or structure, no ``abinit``, an element without pseudopotential."""
    check_task(task)
    check_atoms(atoms, NAME)
    _params(atoms, params)
    require_command(engine_section(config, NAME), NAME, "abinit")
    find_pseudopotentials(atoms.get_chemical_symbols(), config, NAME, EXTENSIONS)


def _abinit_params(task: str, p: dict[str, Any], grid: tuple[int, int, int]) -> dict[str, Any]:
    from ase.units import Bohr, Hartree

    inp: dict[str, Any] = {
        "xc": p["xc"],
        "ecut": fnum(p["ecut"], 6),  # eV (ASE writes the unit)
        "occopt": _OCCOPT[p["smearing"]],
        "tsmear": fnum(p["smearing_width"], 8),  # eV
        "toldfe": float(f"{p['scf_tol']:.3e}"),  # eV
        "nstep": 100,
        "kptopt": 1,
        "ngkpt": list(grid),
        "nshiftk": 1,
        "shiftk": [0.0, 0.0, 0.0],
        "optforces": 1,
        "optstress": 1,
        "prteig": 1,
        "prtwf": 0,
        "prtden": 0,
        "chksymtnons": 0,  # ABINIT 9 refuses fractional translations off the FFT grid (matters only for GW/BSE)
    }
    if p["nbands"] is not None:
        inp["nband"] = p["nbands"]
    if task == "relax":
        inp.update(
            ionmov=2,
            ntime=p["max_steps"],
            tolmxf=float(f"{p['fmax'] / (Hartree / Bohr):.3e}"),  # Ha/Bohr
        )
        if p["relax_cell"]:
            inp.update(optcell=2, dilatmx=1.1, ecutsm=0.5)
    inp.update(p["extra"])
    return inp


def write_inputs(
    atoms, task: str, params: Mapping[str, Any] | None, workdir: Path, config: Any
) -> list[Path]:
    """Write ``abinit.abi`` and ``matinfo_params.json`` into ``workdir``; return their paths."""
    from ase.io.abinit import write_abinit_in

    check_task(task)
    check_atoms(atoms, NAME)
    p = _params(atoms, params)
    pseudos = find_pseudopotentials(atoms.get_chemical_symbols(), config, NAME, EXTENSIONS)
    kppra = p["kppra_bands"] if task == "bands" else p["kppra"]
    grid = resolve_grid(atoms, p["kpts"], kppra)
    atoms = atoms.copy()
    atoms.calc = None
    atoms.set_initial_magnetic_moments(initial_magmoms(atoms, p["spin"]))
    species = sorted(set(int(z) for z in atoms.numbers))
    from ase.data import chemical_symbols

    pseudo_paths = [str(pseudos[chemical_symbols[z]]) for z in species]
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    for stale in workdir.glob("abinit*"):  # ABINIT renames outputs rather than overwrite them
        if stale.is_file():
            stale.unlink()
    path = workdir / INPUT
    with path.open("w", encoding="utf-8") as fd:
        write_abinit_in(fd, atoms, param=_abinit_params(task, p, grid), species=species, pseudos=pseudo_paths)
    return [path, write_run_params(workdir, task, p, kpts=grid)]


def command(workdir: Path, config: Any) -> list[str]:
    """``abinit abinit.abi`` (with ``mpirun -np N`` in front when ``nprocs > 1``); stdout belongs in ``abinit.log``.

    >>> command(Path("w"), {})
    ['abinit', 'abinit.abi']
    """
    return [*mpi_argv(engine_section(config, NAME), NAME, "abinit"), INPUT]


def _error_message(workdir: Path) -> str:
    """ABINIT's own ``--- !ERROR`` message from the log or main output, as ``': <message>'``."""
    for name in (LOG, OUTPUT):
        path = workdir / name
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        m = re.search(r"--- !ERROR.*?message: \|\n(.*?)\n\.\.\.", text, flags=re.S)
        if m:
            return ": " + " ".join(m.group(1).split())
    return " (no 'Calculation completed.')"


def _wall_time(text: str) -> float | None:
    m = re.search(r"Overall time at end \(sec\) : cpu=\s*\S+\s+wall=\s*(\S+)", text)
    return float(m.group(1)) if m else None


def read_results(workdir: Path, task: str | None = None) -> dict[str, Any]:
    """Read ``abinit.abo`` and ``abinito_EIG``: energy (eV), forces (eV/Å), stress (eV/Å^3, Voigt), final
    structure, band gap, Fermi level, DOS (``bands`` only), version, wall time; :class:`CalculationError` naming the
    file when the run failed or did not converge."""
    from ase.io.abinit import read_abinit_out, read_eig

    workdir = Path(workdir)
    task = task_of(workdir, task)
    path = workdir / OUTPUT
    if not path.is_file():
        raise CalculationError(f"abinit: no {path} — ABINIT did not run; read its stdout ({LOG})")
    text = path.read_text(encoding="utf-8", errors="replace")
    if "Calculation completed." not in text:
        raise CalculationError(
            f"abinit: {path}: the run did not complete{_error_message(workdir)}; see {LOG}"
        )
    if "was not enough scf cycles to converge" in text:
        raise CalculationError(f"abinit: {path}: SCF not converged (not enough scf cycles) — raise nstep")
    if task == "relax" and re.search(r"At Broyd/MD step\s+\d+, gradients are converged", text) is None:
        raise CalculationError(f"abinit: {path}: the relaxation did not converge within ntime steps")
    try:
        with path.open(encoding="utf-8", errors="replace") as fd:
            raw = read_abinit_out(fd)
        with (workdir / EIG).open(encoding="utf-8") as fd:
            eig = read_eig(fd)
    except (RuntimeError, OSError, StopIteration, KeyError, ValueError) as err:
        raise CalculationError(f"abinit: cannot read {path} / {workdir / EIG}: {err}") from err
    atoms = raw["atoms"].copy()
    atoms.calc = None
    steps = [int(n) for n in re.findall(r"At Broyd/MD step\s+(\d+)", text)]
    n_steps = max(steps, default=0) if task == "relax" else 0
    out = results_base(NAME, task, atoms, raw["energy"], version=raw.get("version"), n_steps=n_steps)
    out.update(
        forces=np.asarray(raw["forces"]),
        stress=np.asarray(raw["stress"]),
        converged=True,
        wall_time=_wall_time(text),
        output_file=str(path),
    )
    out.update(run_band_summary(eig["eigenvalues"], eig["kpoint_weights"], eig["fermilevel"], workdir, task))
    return out
