"""VASP: INCAR / KPOINTS / POSCAR / POTCAR written with ASE's VASP writers, results read from ``vasprun.xml``.

Files: ``INCAR`` (``ase.io.vasp_parsers.incar_writer``), ``KPOINTS`` (ASE's ``format_kpoints``), ``POSCAR``
(``ase.io.vasp.write_vasp``; atoms grouped by element in order of first appearance), ``POTCAR`` (the elements'
POTCARs concatenated in that order), ``ase-sort.dat`` (ASE's sort/resort table, so results come back in the input
order), ``matinfo_params.json``.  Outputs read: ``vasprun.xml`` (energies, forces, stress, eigenvalues, Fermi
level, version) and ``OUTCAR`` (relaxation converged, wall time).

Defaults: PBE (``GGA = PE``), ``ENCUT`` 520 eV, ``PREC = Accurate``, ``EDIFF`` = ``scf_tol``, Gamma-centred grid
of 1000 k-points per reciprocal atom (3000 for ``bands``), Fermi-Dirac 0.01 eV (``ISMEAR = -1``;
Methfessel-Paxton 0.1 eV, ``ISMEAR = 1``, when every element is a metal), no spin, no WAVECAR/CHGCAR.  ``relax``:
conjugate gradient (``IBRION = 2``), ``ISIF = 3`` when the cell relaxes, ``EDIFFG = -fmax``.

Configuration ``[engines.vasp]``: ``potcar_dir`` (the folder with one sub-folder per POTCAR, e.g.
``.../potpaw_PBE.64``; default ``$VASP_PP_PATH/potpaw_PBE``, ``.../potpaw_LDA`` for LDA), ``potcar_setups``
(element -> suffix such as ``"_sv"``; default VASP's recommended set as ASE lists it), ``command`` (default
``vasp_std``), ``nprocs``, ``mpirun``.  VASP and its POTCARs are licensed; nothing here ships them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from matinfo.calc.codes._common import (
    CalcConfigError,
    CalculationError,
    calculator_band_summary,
    check_atoms,
    check_task,
    engine_section,
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

__all__ = [
    "NAME",
    "STDOUT",
    "defaults",
    "elements",
    "check",
    "write_inputs",
    "command",
    "read_results",
    "potcar_paths",
]

NAME = "vasp"
#: where the runner should write the command's stdout (VASP's own outputs are OUTCAR, vasprun.xml)
STDOUT = "vasp.out"
ECUT = 520.0
SMEARINGS = ("fermi-dirac", "gaussian", "methfessel-paxton")
_ISMEAR = {"fermi-dirac": -1, "gaussian": 0, "methfessel-paxton": 1}
FILES = ("INCAR", "KPOINTS", "POSCAR", "POTCAR", "ase-sort.dat")


def _params(atoms, params):
    return resolve_params(
        NAME,
        params,
        ecut_default=ECUT,
        smearings=SMEARINGS,
        metal_smearing="methfessel-paxton",
        symbols=atoms.get_chemical_symbols(),
    )


def _order(symbols: list[str]) -> list[str]:
    return list(dict.fromkeys(symbols))


def potcar_paths(symbols, xc: str, config: Any) -> dict[str, Path]:
    """The POTCAR of each element (first-appearance order); :class:`CalcConfigError` naming what is missing."""
    from ase.calculators.vasp.setups import setups_defaults

    section = engine_section(config, NAME)
    folder = section.get("potcar_dir")
    if folder is None:
        base = os.environ.get("VASP_PP_PATH")
        if not base:
            raise CalcConfigError(
                "vasp: no POTCAR folder configured",
                field="engines.vasp.potcar_dir",
                hint='set [engines.vasp] potcar_dir = "/path/to/potpaw_PBE" (one sub-folder per element with '
                "its POTCAR), or $VASP_PP_PATH",
            )
        folder = Path(base) / ("potpaw_PBE" if xc == "PBE" else "potpaw_LDA")
    folder = Path(str(folder)).expanduser()
    setups = {**setups_defaults["recommended"], **(section.get("potcar_setups") or {})}
    found, missing = {}, []
    for s in _order(list(symbols)):
        path = folder / f"{s}{setups.get(s, '')}" / "POTCAR"
        if path.is_file():
            found[s] = path
        else:
            missing.append(f"{s} ({path})")
    if missing:
        raise CalcConfigError(
            f"vasp: no POTCAR for element(s) {', '.join(missing)} in {folder}: expected '<element><suffix>/POTCAR'",
            field="engines.vasp.potcar_dir",
            hint="fix [engines.vasp] potcar_dir or potcar_setups, or choose another engine",
        )
    return found


def defaults(task: str = "static") -> dict[str, Any]:
    """Every parameter with its default (see :mod:`matinfo.calc.codes._common`)."""
    check_task(task)
    return common_defaults(ECUT)


def elements(config: Any, xc: str = "PBE") -> frozenset[str]:
    """The elements with a POTCAR (with the configured setup suffix) in the POTCAR folder."""
    from ase.data import chemical_symbols

    found = set()
    for s in chemical_symbols[1:]:
        try:
            potcar_paths([s], xc, config)
        except CalcConfigError:
            continue
        found.add(s)
    return frozenset(found)


def check(atoms, params: Mapping[str, Any] | None, config: Any, task: str = "static") -> None:
    """Raise before anything runs: bad parameters or structure, no VASP executable, an element without POTCAR."""
    check_task(task)
    check_atoms(atoms, NAME)
    p = _params(atoms, params)
    require_command(engine_section(config, NAME), NAME, "vasp_std")
    potcar_paths(atoms.get_chemical_symbols(), p["xc"], config)


def _incar(task: str, p: dict[str, Any], magmoms: list[float] | None, nions: int) -> dict[str, str]:
    incar: dict[str, Any] = {
        "prec": "Accurate",
        "encut": f"{p['ecut']:.3f}",
        "ediff": f"{p['scf_tol']:.2E}",
        "nelm": 100,
        "ismear": _ISMEAR[p["smearing"]],
        "sigma": f"{p['smearing_width']:.4f}",
        "ispin": 2 if p["spin"] else 1,
        "lreal": ".FALSE.",
        "lwave": ".FALSE.",
        "lcharg": ".FALSE.",
        "ibrion": -1,
        "nsw": 0,
    }
    if p["xc"] == "PBE":
        incar["gga"] = "PE"
    if magmoms:
        incar["magmom"] = " ".join(f"{m:.4f}" for m in magmoms)
    if p["nbands"] is not None:
        incar["nbands"] = p["nbands"]
    if task == "relax":
        incar.update(
            ibrion=2, nsw=p["max_steps"], isif=3 if p["relax_cell"] else 2, ediffg=f"{-p['fmax']:.4f}"
        )
    for key, value in p["extra"].items():
        incar[key.lower()] = value
    return {k.upper(): str(v) for k, v in sorted(incar.items())}


def write_inputs(
    atoms, task: str, params: Mapping[str, Any] | None, workdir: Path, config: Any
) -> list[Path]:
    """Write INCAR, KPOINTS, POSCAR, POTCAR, ase-sort.dat and matinfo_params.json; return their paths."""
    from ase.calculators.vasp.create_input import format_kpoints
    from ase.io.vasp import write_vasp
    from ase.io.vasp_parsers.incar_writer import write_incar

    check_task(task)
    check_atoms(atoms, NAME)
    p = _params(atoms, params)
    symbols = atoms.get_chemical_symbols()
    potcars = potcar_paths(symbols, p["xc"], config)
    rank = {s: i for i, s in enumerate(potcars)}
    srt = sorted(range(len(atoms)), key=lambda i: (rank[symbols[i]], i))
    resrt = [0] * len(srt)
    for n, i in enumerate(srt):
        resrt[i] = n
    ordered = atoms[srt]
    ordered.calc = None
    magmoms = initial_magmoms(ordered, p["spin"])
    ordered.set_initial_magnetic_moments(None)
    kppra = p["kppra_bands"] if task == "bands" else p["kppra"]
    grid = resolve_grid(atoms, p["kpts"], kppra)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    for stale in ("vasprun.xml", "OUTCAR", "OSZICAR", "CONTCAR"):
        (workdir / stale).unlink(missing_ok=True)
    write_incar(
        str(workdir), _incar(task, p, magmoms, len(atoms)), header="# written by matinfo.calc.codes.vasp"
    )
    (workdir / "KPOINTS").write_text(format_kpoints(list(grid), ordered, gamma=True), encoding="utf-8")
    with (workdir / "POSCAR").open("w", encoding="utf-8") as fd:
        write_vasp(fd, ordered, direct=True, vasp5=True)
    with (workdir / "POTCAR").open("w", encoding="utf-8") as out:
        for path in potcars.values():
            out.write(path.read_text(encoding="utf-8"))
    with (workdir / "ase-sort.dat").open("w", encoding="utf-8") as fd:
        for a, b in zip(srt, resrt, strict=True):
            fd.write(f"{a:5d} {b:5d} \n")
    return [workdir / f for f in FILES] + [write_run_params(workdir, task, p, kpts=grid)]


def command(workdir: Path, config: Any) -> list[str]:
    """``vasp_std`` (with ``mpirun -np N`` in front when ``nprocs > 1``); VASP reads its fixed file names.

    >>> command(Path("w"), {"engines": {"vasp": {"command": "vasp_gam"}}})
    ['vasp_gam']
    """
    return mpi_argv(engine_section(config, NAME), NAME, "vasp_std")


def _resort(workdir: Path, n: int) -> list[int]:
    path = workdir / "ase-sort.dat"
    if not path.is_file():
        return list(range(n))
    return [int(line.split()[1]) for line in path.read_text().splitlines() if line.strip()]


def read_results(workdir: Path, task: str | None = None) -> dict[str, Any]:
    """Read ``vasprun.xml`` (and ``OUTCAR`` when there): energy (eV, σ→0), forces (eV/Å), stress (eV/Å^3,
    Voigt), final structure in the input order, band gap, Fermi level, DOS (``bands`` only), VASP version, wall
    time; :class:`CalculationError` naming the file when the run failed or did not converge."""
    from ase.io import read

    workdir = Path(workdir)
    task = task_of(workdir, task)
    path = workdir / "vasprun.xml"
    if not path.is_file():
        raise CalculationError(f"vasp: no {path} — VASP did not run; read its stdout and OUTCAR")
    text = path.read_text(encoding="utf-8", errors="replace")
    if "</modeling>" not in text:
        raise CalculationError(f"vasp: {path} is incomplete — the run stopped early; read OUTCAR and stdout")
    nelm = re.search(r'<i type="int" name="NELM">\s*(\d+)', text)
    nelm_value = int(nelm.group(1)) if nelm else 60
    for block in re.findall(r"<calculation>(.*?)</calculation>", text, flags=re.S):
        if block.count("<scstep>") >= nelm_value:
            raise CalculationError(
                f"vasp: {path}: SCF not converged in NELM = {nelm_value} steps — raise NELM"
            )
    outcar = workdir / "OUTCAR"
    outcar_text = outcar.read_text(encoding="utf-8", errors="replace") if outcar.is_file() else ""
    if task == "relax" and outcar_text and "reached required accuracy" not in outcar_text:
        raise CalculationError(f"vasp: {outcar}: the relaxation did not reach the required accuracy")
    final = read(path, index=-1, format="vasp-xml")
    calc = final.calc
    resrt = _resort(workdir, len(final))
    atoms = final[resrt]
    atoms.calc = None
    version = re.search(r'<i name="version" type="string">\s*(\S+?)\s*</i>', text)
    wall = re.search(r"Elapsed time \(sec\):\s*(\S+)", outcar_text)
    n_steps = text.count("<calculation>") if task == "relax" else 0
    out = results_base(
        NAME, task, atoms, calc.get_potential_energy(), version=version and version.group(1), n_steps=n_steps
    )
    out.update(
        forces=np.asarray(calc.get_forces())[resrt],
        stress=np.asarray(calc.get_stress()),
        converged=True,
        wall_time=float(wall.group(1)) if wall else None,
        output_file=str(path),
    )
    out.update(calculator_band_summary(calc, workdir, task))
    return out
