"""Real calculations, tiny on purpose (Si, 2 atoms, low cutoff, few k-points): each takes seconds.

GPAW runs wherever Debian's ``gpaw`` + ``gpaw-data`` are installed (``.ci/run`` installs them, so CI runs these);
QE and ABINIT run with the test pseudopotentials of Debian's ``abinit-data``, and QE at its default (PBE) with a
Troullier-Martins pseudopotential that QE's own ``ld1.x`` generates here.  A test skips, with the reason,
only when its program or data is genuinely absent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from matinfo.calc import codes
from matinfo.calc.errors import CalculationError

from .conftest import ABINIT_PSP, gpaw_python, si, skip_or_fail

ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def run(code: str, atoms, task: str, params: dict, workdir: Path, config) -> dict:
    """What a runner does: check, write, run ``command`` in ``workdir`` (stdout to ``STDOUT``), read."""
    module = codes.get(code)
    module.check(atoms, params, config, task)
    module.write_inputs(atoms, task, params, workdir, config)
    with (workdir / module.STDOUT).open("w") as out:
        subprocess.run(
            module.command(workdir, config),
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=ENV,
            timeout=300,
        )
    return module.read_results(workdir, task)


def _assert_common(r: dict, code: str, task: str, n: int):
    assert r["code"] == code and r["task"] == task and r["converged"] is True
    assert np.isfinite(r["energy"]) and r["energy_per_atom"] == pytest.approx(r["energy"] / n)
    assert r["forces"].shape == (n, 3) and r["stress"].shape == (6,)
    assert r["version"] and r["wall_time"] is not None and r["wall_time"] >= 0
    assert len(r["structure"]) == n


@pytest.fixture(scope="module")
def need_gpaw():
    if (why := gpaw_python()) is not None:
        skip_or_fail(why)


GPAW_TINY = {"ecut": 200, "kpts": [3, 3, 3]}


def test_gpaw_pbe_band_gap_and_dos(need_gpaw, tmp_path):
    r = run("gpaw", si(), "bands", {**GPAW_TINY, "dos_width": 0.02}, tmp_path, {})
    _assert_common(r, "gpaw", "bands", 2)
    assert r["version"].startswith("22.") or r["version"][0].isdigit()
    assert r["energy_per_atom"] == pytest.approx(-5.08, abs=0.1)  # PBE, 200 eV, 3x3x3
    assert np.abs(r["forces"]).max() < 1e-3  # diamond Si: forces vanish by symmetry
    assert 0.3 < r["band_gap"] < 1.2 and r["band_gap_direct"] is False  # PBE Si: indirect, ~0.6 eV
    assert r["vbm"] < r["fermi_level"] < r["cbm"]
    dos = r["dos"]
    e, d = np.array(dos["energies"]), np.array(dos["dos"])
    assert e.shape == d.shape and dos["fermi_level"] == r["fermi_level"]
    assert np.trapezoid(d, e) == pytest.approx(2 * 8, rel=1e-3)  # 8 bands x 2 electrons
    gap_window = (e > r["vbm"] - r["fermi_level"] + 0.15) & (e < r["cbm"] - r["fermi_level"] - 0.15)
    assert d[gap_window].max() < 1e-3  # nothing inside the gap


def test_gpaw_relax_positions(need_gpaw, tmp_path):
    atoms = si()
    atoms.positions[1] += [0.05, -0.03, 0.02]
    params = {**GPAW_TINY, "kpts": [2, 2, 2], "relax_cell": False, "fmax": 0.1}
    r = run("gpaw", atoms, "relax", params, tmp_path, {})
    _assert_common(r, "gpaw", "relax", 2)
    assert r["n_steps"] >= 1 and np.abs(r["forces"]).max() < 0.1
    assert (tmp_path / "relax.traj").is_file()
    assert "dos" not in r and r["band_gap"] >= 0


def test_gpaw_failed_run_names_the_file(need_gpaw, tmp_path):
    params = {**GPAW_TINY, "extra": {"maxiter": 2}}  # cannot converge in 2 SCF iterations
    with pytest.raises(CalculationError, match=r"results.json: SCF did not converge"):
        run("gpaw", si(), "static", params, tmp_path, {})


@pytest.fixture(scope="module")
def abinit_psp():
    if not (ABINIT_PSP / "14-Si.nlcc.UPF").is_file():
        skip_or_fail(f"no test pseudopotentials in {ABINIT_PSP} (apt-get install abinit-data)")
    return ABINIT_PSP


def test_qe_scf_band_gap(abinit_psp, tmp_path):
    if shutil.which("pw.x") is None:
        skip_or_fail("pw.x not installed (apt-get install quantum-espresso)")
    # APE-generated LDA norm-conserving Si from abinit-data; LDA enforced to match it
    config = {
        "engines": {"qe": {"pseudo_dir": str(abinit_psp), "pseudopotentials": {"Si": "14-Si.nlcc.UPF"}}}
    }
    r = run("qe", si(), "bands", {"xc": "LDA", "ecut": 150, "kpts": [3, 3, 3]}, tmp_path, config)
    _assert_common(r, "qe", "bands", 2)
    assert r["version"].startswith(("6.", "7."))
    assert np.abs(r["forces"]).max() < 1e-3
    assert 0.3 < r["band_gap"] < 1.0
    assert np.trapezoid(r["dos"]["dos"], r["dos"]["energies"]) > 8


def test_qe_relax(abinit_psp, tmp_path):
    if shutil.which("pw.x") is None:
        skip_or_fail("pw.x not installed (apt-get install quantum-espresso)")
    config = {
        "engines": {"qe": {"pseudo_dir": str(abinit_psp), "pseudopotentials": {"Si": "14-Si.nlcc.UPF"}}}
    }
    atoms = si()
    atoms.positions[1] += [0.05, -0.03, 0.02]
    params = {"xc": "LDA", "ecut": 150, "kpts": [2, 2, 2], "relax_cell": False, "fmax": 0.1}
    r = run("qe", atoms, "relax", params, tmp_path, config)
    _assert_common(r, "qe", "relax", 2)
    assert r["n_steps"] >= 2 and np.abs(r["forces"]).max() < 0.1


def test_abinit_scf_band_gap(abinit_psp, tmp_path):
    if shutil.which("abinit") is None:
        skip_or_fail("abinit not installed (apt-get install abinit)")
    # ONCVPSP PBE norm-conserving Si from abinit-data
    config = {
        "engines": {"abinit": {"pseudo_dir": str(abinit_psp), "pseudopotentials": {"Si": "Si-GGA.psp8"}}}
    }
    r = run("abinit", si(), "bands", {"ecut": 200, "kpts": [3, 3, 3]}, tmp_path, config)
    _assert_common(r, "abinit", "bands", 2)
    assert r["version"].startswith("9.")
    assert 0.3 < r["band_gap"] < 1.0
    assert np.trapezoid(r["dos"]["dos"], r["dos"]["energies"]) > 8


@pytest.mark.parametrize("code", sorted(codes.CODES))
def test_read_results_without_outputs_names_the_file(code, tmp_path, config):
    codes.get(code).write_inputs(si(), "static", {}, tmp_path, config)
    with pytest.raises(CalculationError, match=rf"{code}: no {tmp_path}/\S+ — "):
        codes.get(code).read_results(tmp_path)  # task recorded by write_inputs


def test_qe_failure_message_is_quoted(tmp_path, config):
    codes.get("qe").write_inputs(si(), "static", {}, tmp_path, config)
    (tmp_path / "pw.out").write_text(
        "     Program PWSCF v.6.7MaX starts on\n %%%%%%%%%%%%%%%%%%%%%%%%%%%%\n     Error in routine readpp (1):\n"
        "     file ./Si.UPF not found\n %%%%%%%%%%%%%%%%%%%%%%%%%%%%\n"
    )
    with pytest.raises(
        CalculationError, match=r"pw.out: Error in routine readpp \(1\): file ./Si.UPF not found"
    ):
        codes.get("qe").read_results(tmp_path)


def test_abinit_relax(abinit_psp, tmp_path):
    if shutil.which("abinit") is None:
        skip_or_fail("abinit not installed (apt-get install abinit)")
    config = {
        "engines": {"abinit": {"pseudo_dir": str(abinit_psp), "pseudopotentials": {"Si": "Si-GGA.psp8"}}}
    }
    atoms = si()
    atoms.positions[1] += [0.05, -0.03, 0.02]  # off the FFT grid: needs chksymtnons 0
    r = run("abinit", atoms, "relax", {"ecut": 200, "kpts": [2, 2, 2], "fmax": 0.1}, tmp_path, config)
    _assert_common(r, "abinit", "relax", 2)
    assert r["n_steps"] >= 2 and np.abs(r["forces"]).max() < 0.1


def test_gpaw_relaxation_out_of_steps_names_the_log(need_gpaw, tmp_path):
    atoms = si()
    atoms.positions[1] += [0.1, -0.05, 0.05]
    params = {**GPAW_TINY, "kpts": [2, 2, 2], "relax_cell": False, "fmax": 0.001, "max_steps": 1}
    with pytest.raises(
        CalculationError, match=r"results.json: relaxation not converged in 1 steps \(see .*relax.log\)"
    ):
        run("gpaw", atoms, "relax", params, tmp_path, {})


#: ld1.x input: a PBE Troullier-Martins norm-conserving pseudopotential of Si (3s2 3p2, r_c 2.0/2.2 bohr)
LD1_SI_PBE = """&input
   title='Si', zed=14.0, rel=0, config='[Ne] 3s2 3p2', iswitch=3, dft='PBE'
/
&inputp
   pseudotype=1, file_pseudopw='Si.pbe-tm-matinfo.UPF', author='matinfo tests', lloc=-1, rcloc=2.2, tm=.true.
/
2
3S  1  0  2.00  0.00  2.00  2.00  0.0
3P  2  1  2.00  0.00  2.20  2.20  0.0
"""


@pytest.fixture(scope="module")
def pbe_pseudo_dir(tmp_path_factory):
    """A folder with a Si PBE pseudopotential generated by QE's ld1.x (offline, under a second)."""
    if shutil.which("pw.x") is None or shutil.which("ld1.x") is None:
        skip_or_fail("pw.x / ld1.x not installed (apt-get install quantum-espresso)")
    folder = tmp_path_factory.mktemp("ld1")
    done = subprocess.run(["ld1.x"], input=LD1_SI_PBE, cwd=folder, capture_output=True, text=True, env=ENV)
    if not (folder / "Si.pbe-tm-matinfo.UPF").is_file():
        pytest.fail(f"ld1.x did not write the pseudopotential: {done.stdout[-2000:]}")
    return folder


def test_qe_default_pbe_with_generated_pseudo(pbe_pseudo_dir, tmp_path):
    config = {"engines": {"qe": {"pseudo_dir": str(pbe_pseudo_dir)}}}  # found by name: Si.*.UPF
    r = run("qe", si(), "bands", {"ecut": 300, "kpts": [4, 4, 4]}, tmp_path, config)
    _assert_common(r, "qe", "bands", 2)
    assert "input_dft        = 'PBE'" in (tmp_path / "pw.in").read_text()
    assert np.abs(r["forces"]).max() < 1e-3
    assert 0.4 < r["band_gap"] < 1.2 and r["band_gap_direct"] is False
