"""VASP output reading on a synthetic ``vasprun.xml`` (VASP itself is licensed and not installed in CI).

The file is built here with the elements ASE's ``read_vasp_xml`` reads, values chosen by hand: atoms in VASP's
grouped order, forces that identify each atom, two k-points with a 1.5 eV indirect gap.
"""

from __future__ import annotations

import numpy as np
import pytest

from matinfo.calc import codes
from matinfo.calc.errors import CalculationError

from .conftest import nacl

VASP = codes.get("vasp")


def _v(values) -> str:
    return "<v>" + " ".join(f"{x:.8f}" for x in values) + "</v>"


def fake_vasprun(
    atoms, *, nscsteps: int = 5, nelm: int = 100, energy: float = -27.5, complete: bool = True
) -> str:
    """A vasprun.xml for the (already VASP-ordered) ``atoms``; force on atom i is (i, -i, 0.5 i) eV/Å."""
    cell = "".join(_v(row) for row in atoms.cell)
    pos = "".join(_v(row) for row in atoms.get_scaled_positions())
    forces = "".join(_v([i, -i, 0.5 * i]) for i in range(len(atoms)))
    species = "".join(f"<rc><c>{s}</c><c>1</c></rc>" for s in atoms.get_chemical_symbols())
    eig = {1: [-1.0, 0.5, 2.2, 3.0], 2: [-0.8, 0.2, 2.0, 2.9]}  # VBM 0.5 (k1), CBM 2.0 (k2)
    kblocks = "".join(
        f'<set comment="kpoint {k}">'
        + "".join(f"<r>{e:.4f} {1.0 if e < 1.0 else 0.0:.4f}</r>" for e in values)
        + "</set>"
        for k, values in eig.items()
    )
    scstep = f'<scstep><energy><i name="e_fr_energy">{energy - 0.01}</i><i name="e_0_energy">{energy}</i></energy></scstep>'
    text = f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<modeling>
 <generator><i name="program" type="string">vasp </i><i name="version" type="string">6.4.2  </i></generator>
 <kpoints>
  <varray name="kpointlist">{_v([0, 0, 0])}{_v([0.5, 0, 0])}</varray>
  <varray name="weights"><v>0.25</v><v>0.75</v></varray>
 </kpoints>
 <parameters><separator name="electronic"><i type="int" name="NELM">   {nelm}</i></separator></parameters>
 <atominfo><atoms>{len(atoms)}</atoms><array name="atoms"><set>{species}</set></array></atominfo>
 <structure name="initialpos"><crystal><varray name="basis">{cell}</varray></crystal>
  <varray name="positions">{pos}</varray></structure>
 <calculation>
  {scstep * nscsteps}
  <structure><crystal><varray name="basis">{cell}</varray></crystal><varray name="positions">{pos}</varray></structure>
  <varray name="forces">{forces}</varray>
  <varray name="stress">{_v([10, 0, 0])}{_v([0, 10, 0])}{_v([0, 0, 10])}</varray>
  <energy><i name="e_fr_energy">{energy - 0.01}</i><i name="e_0_energy">{energy}</i></energy>
  <eigenvalues><array><set><set comment="spin 1">{kblocks}</set></set></array></eigenvalues>
  <dos><i name="efermi">1.0</i></dos>
 </calculation>
"""
    return text + ("</modeling>\n" if complete else "")


@pytest.fixture
def vasp_run(tmp_path, config):
    """A work folder with the inputs of the interleaved NaCl cell, and its VASP-ordered structure."""
    from ase.io import read

    VASP.write_inputs(nacl(), "bands", {}, tmp_path, config)
    return tmp_path, read(tmp_path / "POSCAR")


def test_reads_energy_forces_stress_gap_and_dos_in_input_order(vasp_run):
    workdir, ordered = vasp_run
    (workdir / "vasprun.xml").write_text(fake_vasprun(ordered))
    (workdir / "OUTCAR").write_text(" General timing and accounting\n  Elapsed time (sec):       12.345\n")
    r = VASP.read_results(workdir)
    assert r["task"] == "bands" and r["version"] == "6.4.2" and r["converged"] is True
    assert r["energy"] == pytest.approx(-27.5) and r["wall_time"] == pytest.approx(12.345)
    original = nacl()
    assert r["structure"].get_chemical_symbols() == original.get_chemical_symbols()
    assert np.allclose(r["structure"].positions, original.positions)
    # VASP order is Na Na Na Na Cl Cl Cl Cl; back in the input order Na Cl Na Cl ...
    sort = [int(line.split()[0]) for line in (workdir / "ase-sort.dat").read_text().splitlines()]
    for vasp_index, input_index in enumerate(sort):
        assert r["forces"][input_index] == pytest.approx([vasp_index, -vasp_index, 0.5 * vasp_index])
    assert r["stress"][:3] == pytest.approx([-0.1 * 10 * 0.006241509] * 3, rel=1e-4)  # 10 kbar, ASE sign
    assert r["band_gap"] == pytest.approx(1.5) and r["band_gap_direct"] is False
    assert (r["vbm"], r["cbm"], r["fermi_level"]) == (0.5, 2.0, 1.0)
    e, d = np.array(r["dos"]["energies"]), np.array(r["dos"]["dos"])
    assert np.trapezoid(d, e) == pytest.approx(8.0, rel=1e-3)  # 4 bands x 2 electrons


def test_scf_not_converged(vasp_run):
    workdir, ordered = vasp_run
    (workdir / "vasprun.xml").write_text(fake_vasprun(ordered, nscsteps=100, nelm=100))
    with pytest.raises(CalculationError, match=r"vasprun.xml: SCF not converged in NELM = 100 steps"):
        VASP.read_results(workdir)


def test_incomplete_vasprun(vasp_run):
    workdir, ordered = vasp_run
    (workdir / "vasprun.xml").write_text(fake_vasprun(ordered, complete=False))
    with pytest.raises(CalculationError, match=r"vasprun.xml is incomplete"):
        VASP.read_results(workdir)


def test_relaxation_not_converged(vasp_run):
    workdir, ordered = vasp_run
    (workdir / "vasprun.xml").write_text(fake_vasprun(ordered))
    (workdir / "OUTCAR").write_text("   ... no convergence message ...\n")
    with pytest.raises(CalculationError, match=r"OUTCAR: the relaxation did not reach the required accuracy"):
        VASP.read_results(workdir, "relax")
