"""One GPAW calculation, written into the work folder by matinfo.calc.codes.gpaw as run_gpaw.py.

It runs under the Python that has GPAW (Debian's /usr/bin/python3 with python3-gpaw), not under matinfo's: it
reads structure.json and matinfo_params.json from the current folder and writes gpaw.txt (GPAW's log), relax.traj
and relax.log (relaxations) and results.json.  Exit status 0: converged; 1: did not converge (results.json says
why).  Only the standard library is imported at module level.
"""

import json
import sys
import time
from pathlib import Path


def _atoms(s):
    from ase import Atoms

    atoms = Atoms(numbers=s["numbers"], positions=s["positions"], cell=s["cell"], pbc=s["pbc"])
    if any(s.get("magmoms") or []):
        atoms.set_initial_magnetic_moments(s["magmoms"])
    return atoms


def _structure(atoms):
    return {
        "cell": atoms.cell.tolist(),
        "numbers": [int(z) for z in atoms.numbers],
        "pbc": [bool(p) for p in atoms.pbc],
        "positions": atoms.positions.tolist(),
    }


def _calculator(p):
    from gpaw import GPAW, PW

    occupations = {"name": p["smearing"], "width": p["smearing_width"]}
    kwargs = dict(
        mode=PW(p["ecut"]),
        xc=p["xc"],
        kpts={"size": p["kpts"], "gamma": True},
        occupations=occupations,
        spinpol=p["spin"],
        convergence={"energy": p["scf_tol"]},
        txt="gpaw.txt",
    )
    if p["nbands"] is not None:
        kwargs["nbands"] = p["nbands"]
    kwargs.update(p["extra"])
    return GPAW(**kwargs)


def _relax(atoms, p):
    from ase.optimize import BFGS

    target = atoms
    if p["relax_cell"]:
        try:
            from ase.filters import FrechetCellFilter as CellFilter
        except ImportError:  # ASE < 3.23 (Debian bookworm has 3.22)
            from ase.constraints import ExpCellFilter as CellFilter
        target = CellFilter(atoms)
    opt = BFGS(target, trajectory="relax.traj", logfile="relax.log")
    converged = bool(opt.run(fmax=p["fmax"], steps=p["max_steps"]))
    return converged, int(opt.nsteps)


def _eigenvalues(calc):
    nspins = calc.get_number_of_spins()
    nk = len(calc.get_ibz_k_points())
    eigs = [[calc.get_eigenvalues(kpt=k, spin=s).tolist() for k in range(nk)] for s in range(nspins)]
    return eigs, calc.get_k_point_weights().tolist()


def run(p, s):
    import ase
    import gpaw
    from ase.parallel import world
    from gpaw import KohnShamConvergenceError

    out = {
        "code": "gpaw",
        "code_version": gpaw.__version__,
        "ase_version": ase.__version__,
        "task": p["task"],
    }
    out["python"] = sys.version.split()[0]
    out["nprocs"] = world.size
    atoms = _atoms(s)
    atoms.calc = _calculator(p)
    try:
        if p["task"] == "relax":
            out["relax_converged"], out["relax_steps"] = _relax(atoms, p)
        out["energy"] = atoms.get_potential_energy()
        out["free_energy"] = atoms.get_potential_energy(force_consistent=True)
        out["forces"] = atoms.get_forces().tolist()
        out["stress"] = atoms.get_stress().tolist()
        out["magmom"] = float(atoms.calc.get_magnetic_moment()) if p["spin"] else 0.0
        out["fermi_level"] = float(atoms.calc.get_fermi_level())
        out["eigenvalues"], out["kpoint_weights"] = _eigenvalues(atoms.calc)
        out["scf_converged"] = True
    except KohnShamConvergenceError as err:
        out["scf_converged"] = False
        out["error"] = f"SCF did not converge: {err} (see gpaw.txt)"
    out["structure"] = _structure(atoms)
    out["converged"] = out["scf_converged"] and out.get("relax_converged", True)
    return out, world


def main():
    t0 = time.perf_counter()
    p = json.loads(Path("matinfo_params.json").read_text())
    s = json.loads(Path("structure.json").read_text())
    out, world = run(p, s)
    out["wall_time"] = time.perf_counter() - t0
    if world.rank == 0:
        tmp = Path("results.json.tmp")
        tmp.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
        tmp.replace("results.json")
    return 0 if out["converged"] else 1


if __name__ == "__main__":
    sys.exit(main())
