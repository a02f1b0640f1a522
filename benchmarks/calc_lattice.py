"""Lattice constants of elemental crystals from GPAW (and CHGNet when installed) against ASE's dcdft collection.

Reference: ``ase.collections.dcdft``, the Delta-test set (Lejaeghere et al., Science 351, aad3000 (2016)): the
WIEN2k all-electron PBE equilibrium volume per atom and bulk modulus of each element's ground-state crystal.  For
the cubic ones (fcc, bcc, diamond) the reference lattice constant is ``(V0 * atoms per conventional cell)^(1/3)``.

Method: the primitive cell (1 atom for fcc/bcc, 2 for diamond) at ``--points`` volumes from -6 % to +6 % around
the reference, a GPAW PBE single point at each through :mod:`matinfo.calc.codes.gpaw` (``write_inputs``,
``command``, ``read_results``: Debian's GPAW run out of process), Birch-Murnaghan fit with ASE's
``EquationOfState``; then ``a0``, ``B0`` and the errors against WIEN2k.  Settings: plane waves ``--ecut`` (eV),
``--kppra`` k-points per reciprocal atom, Marzari-Vanderbilt 0.1 eV for metals (the engine's ``auto`` rule).
Second table: GPAW wall time of one single point for small cells at the engine's default settings.

CHGNet: with ``--chgnet`` and the ``chgnet`` package importable, the same volumes are evaluated with
``chgnet.model.CHGNetCalculator`` in this process (hook for the calc core's CHGNet engine).

    .venv/bin/python benchmarks/calc_lattice.py                  # ~5 min on 2 shared cores, prints the tables
    .venv/bin/python benchmarks/calc_lattice.py --save           # ... and writes docs/benchmarks.md's section
    .venv/bin/python benchmarks/calc_lattice.py --elements Al,Si --points 5 --no-timing    # quick look
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # GPAW runs serial; one core per process

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _report import machine, versions, write_section  # noqa: E402

NAME = "calc_lattice"
DEFAULT_ELEMENTS = "Al,Cu,Ag,Pd,Si,Ge,W,Mo"
#: atoms in the conventional cubic cell of the dcdft structure -> ASE's crystal structure name
_LATTICES = {4: "fcc", 2: "bcc", 8: "diamond"}
#: small cells for the timing table: label -> (builder arguments, repeat)
TIMING_CELLS = {
    "Si, diamond, 2 atoms": (("Si", "diamond", 5.47), False),
    "Cu, fcc, 1 atom": (("Cu", "fcc", 3.63), False),
    "Al, fcc, 4 atoms (cubic)": (("Al", "fcc", 4.04), True),
    "Si, diamond, 8 atoms (cubic)": (("Si", "diamond", 5.47), True),
}


def reference(symbol: str) -> dict:
    """WIEN2k lattice type, a0 (Å), V0 (Å^3/atom), B0 (GPa) of ``symbol`` from ASE's dcdft collection."""
    from ase.collections import dcdft

    atoms, data = dcdft[symbol], dcdft.data[symbol]
    cpar = atoms.cell.cellpar()
    if not (np.allclose(cpar[:3], cpar[0]) and np.allclose(cpar[3:], 90)) or len(atoms) not in _LATTICES:
        raise SystemExit(f"{symbol}: dcdft structure is not cubic fcc/bcc/diamond; pick another element")
    v0 = data["wien2k_volume"]
    return {
        "lattice": _LATTICES[len(atoms)],
        "a0": (v0 * len(atoms)) ** (1 / 3),
        "v0": v0,
        "b0": data["wien2k_B"],
    }


def _strains(points: int) -> np.ndarray:
    return np.linspace(-0.06, 0.06, points)  # volume strain


def gpaw_energy(atoms, params: dict, workdir: Path) -> tuple[float, float]:
    """(energy eV, wall time s of the whole run) of one GPAW single point through matinfo.calc.codes.gpaw."""
    from matinfo.calc.codes import gpaw

    gpaw.write_inputs(atoms, "static", params, workdir, {})
    t0 = time.perf_counter()
    with (workdir / gpaw.STDOUT).open("w") as out:
        subprocess.run(
            gpaw.command(workdir, {}), cwd=workdir, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    wall = time.perf_counter() - t0
    return gpaw.read_results(workdir, "static")["energy"], wall


def fit(volumes, energies) -> tuple[float, float]:
    """(V0 Å^3, B0 GPa) of a Birch-Murnaghan fit."""
    from ase.eos import EquationOfState
    from ase.units import GPa

    v0, _e0, b = EquationOfState(list(volumes), list(energies), eos="birchmurnaghan").fit()
    return float(v0), float(b / GPa)


def lattice_table(elements: list[str], args, root: Path) -> list[dict]:
    from ase.build import bulk

    rows = []
    params = {"ecut": args.ecut, "kppra": args.kppra}
    chgnet_calc = _chgnet() if args.chgnet else None
    for symbol in elements:
        ref = reference(symbol)
        prim = bulk(symbol, ref["lattice"], a=ref["a0"])
        per_conv = {"fcc": 4, "bcc": 2, "diamond": 8}[ref["lattice"]]
        vols, energies, walls, chg = [], [], [], []
        for i, eps in enumerate(_strains(args.points)):
            atoms = prim.copy()
            atoms.set_cell(prim.cell * (1 + eps) ** (1 / 3), scale_atoms=True)
            e, wall = gpaw_energy(atoms, params, root / f"{symbol}-{i}")
            vols.append(atoms.get_volume() / len(atoms))
            energies.append(e / len(atoms))
            walls.append(wall)
            if chgnet_calc is not None:
                atoms.calc = chgnet_calc
                chg.append(atoms.get_potential_energy() / len(atoms))
        v0, b0 = fit(vols, energies)
        row = {
            "element": symbol,
            "lattice": ref["lattice"],
            "a_ref": ref["a0"],
            "a_gpaw": (v0 * per_conv) ** (1 / 3),
            "b_ref": ref["b0"],
            "b_gpaw": b0,
            "wall_per_point": float(np.mean(walls)),
        }
        if chg:
            v0c, b0c = fit(vols, chg)
            row.update(a_chgnet=(v0c * per_conv) ** (1 / 3), b_chgnet=b0c)
        rows.append(row)
        print(
            f"{symbol:3s} {ref['lattice']:8s} a_ref {ref['a0']:.4f}  a_gpaw {row['a_gpaw']:.4f} "
            f"({100 * (row['a_gpaw'] / ref['a0'] - 1):+.2f} %)  B {b0:6.1f} vs {ref['b0']:6.1f} GPa  "
            f"{row['wall_per_point']:.1f} s/point",
            flush=True,
        )
    return rows


def _chgnet():
    try:
        from chgnet.model import CHGNetCalculator
    except ImportError:
        print("chgnet is not installed: CHGNet column left out (pip install chgnet)", flush=True)
        return None
    return CHGNetCalculator()


def timing_table(root: Path) -> list[dict]:
    from ase.build import bulk

    rows = []
    for label, ((symbol, lattice, a), cubic) in TIMING_CELLS.items():
        atoms = bulk(symbol, lattice, a=a, cubic=cubic)
        from matinfo.calc.codes._kpoints import kppra_grid

        grid = kppra_grid(atoms.cell, len(atoms), 1000)
        _e, wall = gpaw_energy(atoms, {}, root / f"timing-{symbol}-{len(atoms)}")
        raw = json.loads((root / f"timing-{symbol}-{len(atoms)}" / "results.json").read_text())
        rows.append(
            {
                "cell": label,
                "atoms": len(atoms),
                "kpts": "x".join(map(str, grid)),
                "wall": wall,
                "gpaw_time": raw["wall_time"],
            }
        )
        print(
            f"{label:30s} k {rows[-1]['kpts']:8s} {wall:6.1f} s (GPAW script {raw['wall_time']:.1f} s)",
            flush=True,
        )
    return rows


def report(rows: list[dict], timing: list[dict], args, command: str) -> str:
    m = machine()
    v = versions("ase", "numpy")
    gpaw_version = subprocess.run(
        ["/usr/bin/python3", "-c", "import gpaw; print(gpaw.__version__)"], capture_output=True, text=True
    ).stdout.strip()
    lines = [
        "## GPAW lattice constants vs the WIEN2k (dcdft) reference",
        "",
        f"`{command}` — {dt.date.today().isoformat()}, {m['cpu']} ({m['nproc']} cores, load {m['load1']:.1f}), "
        f"GPAW {gpaw_version} (Debian, /usr/bin/python3), ASE {v['ase']} (matinfo venv).",
        "",
        f"PBE, plane waves {args.ecut:g} eV, {args.kppra:g} k-points per reciprocal atom (Gamma-centred), primitive "
        f"cells, {args.points} volumes within ±6 %, Birch-Murnaghan fit. Reference: WIEN2k all-electron PBE from "
        "ASE's `dcdft` collection (the Delta test).",
        "",
    ]
    has_chg = any("a_chgnet" in r for r in rows)
    head = "| element | lattice | a ref (Å) | a GPAW (Å) | error | B ref (GPa) | B GPAW (GPa) | s/point |"
    if has_chg:
        head += " a CHGNet (Å) | error |"
    lines += [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        err = 100 * (r["a_gpaw"] / r["a_ref"] - 1)
        line = (
            f"| {r['element']} | {r['lattice']} | {r['a_ref']:.4f} | {r['a_gpaw']:.4f} | {err:+.2f} % | "
            f"{r['b_ref']:.1f} | {r['b_gpaw']:.1f} | {r['wall_per_point']:.1f} |"
        )
        if has_chg:
            line += (
                f" {r['a_chgnet']:.4f} | {100 * (r['a_chgnet'] / r['a_ref'] - 1):+.2f} % |"
                if "a_chgnet" in r
                else " - | - |"
            )
        lines.append(line)
    if rows:
        errs = np.array([100 * (r["a_gpaw"] / r["a_ref"] - 1) for r in rows])
        lines += [
            "",
            f"GPAW: mean absolute error {np.abs(errs).mean():.2f} %, mean signed error {errs.mean():+.2f} %.",
        ]
        chg = np.array([100 * (r["a_chgnet"] / r["a_ref"] - 1) for r in rows if "a_chgnet" in r])
        if chg.size:
            lines[-1] += f" CHGNet: {np.abs(chg).mean():.2f} % and {chg.mean():+.2f} %."
        lines[-1] += " Wall times are with the load shown above (shared cores)."
    if timing:
        lines += [
            "",
            "GPAW single point at the engine's defaults (PBE, 400 eV, 1000 k-points per reciprocal atom), serial:",
            "",
            "| cell | atoms | k-points | wall time (s) | of which GPAW script (s) |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {t['cell']} | {t['atoms']} | {t['kpts']} | {t['wall']:.1f} | {t['gpaw_time']:.1f} |"
            for t in timing
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--elements", default=DEFAULT_ELEMENTS, help="comma-separated cubic elements of dcdft")
    ap.add_argument("--ecut", type=float, default=500.0, help="plane-wave cutoff, eV")
    ap.add_argument("--kppra", type=float, default=2000.0, help="k-points per reciprocal atom")
    ap.add_argument("--points", type=int, default=7, help="volumes per equation of state")
    ap.add_argument("--chgnet", action="store_true", help="add CHGNet (needs the chgnet package)")
    ap.add_argument("--no-timing", action="store_true", help="leave out the wall-time table")
    ap.add_argument("--save", action="store_true", help=f"write the {NAME!r} section of docs/benchmarks.md")
    ap.add_argument("--keep", type=Path, default=None, help="keep the work folders here")
    args = ap.parse_args(argv)
    command = "python benchmarks/calc_lattice.py " + " ".join(argv if argv is not None else sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="calc_lattice_") as tmp:
        root = args.keep or Path(tmp)
        rows = lattice_table([e.strip() for e in args.elements.split(",") if e.strip()], args, root)
        timing = [] if args.no_timing else timing_table(root)
    text = report(rows, timing, args, command.strip())
    print()
    print(text)
    if args.save:
        print(f"written: {write_section(NAME, text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
