"""Fixtures for the code input/output tests: small structures, fake pseudopotential folders, configurations."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("ase")

from ase.build import bulk  # noqa: E402

GOLDEN = Path(__file__).parent / "golden"
collect_ignore = ["golden"]  # golden files are data (run_gpaw.py among them), not tests
ABINIT_PSP = Path("/usr/share/abinit/psp")  # Debian's abinit-data: test pseudopotentials


def si():
    return bulk("Si", "diamond", a=5.43)


def cu():
    return bulk("Cu", "fcc", a=3.61)


def nacl():
    """Conventional rock salt, 8 atoms, Na and Cl interleaved (exercises VASP's grouping by element)."""
    atoms = bulk("NaCl", "rocksalt", a=5.64, cubic=True)
    atoms.set_initial_magnetic_moments([0.5 if s == "Na" else 0.0 for s in atoms.get_chemical_symbols()])
    return atoms


STRUCTURES = {"si": si, "cu": cu, "nacl": nacl}


@pytest.fixture
def pseudo_root(tmp_path: Path) -> Path:
    """Fake pseudopotentials and POTCARs for Si, Cu, Na, Cl (contents are placeholders: inputs only)."""
    root = tmp_path / "pseudos"
    upf, psp8, potcars = root / "upf", root / "psp8", root / "potpaw_PBE"
    for folder in (upf, psp8, potcars):
        folder.mkdir(parents=True)
    for s in ("Si", "Cu", "Na", "Cl"):
        (upf / f"{s}.pbe-fake.UPF").write_text(f'<UPF version="2.0.1"><!-- fake {s} --></UPF>\n')
        (psp8 / f"{s}.psp8").write_text(f"fake {s} psp8\n")
    for name in ("Si", "Cu", "Na_pv", "Cl"):  # with ASE's "recommended" suffixes
        (potcars / name).mkdir()
        (potcars / name / "POTCAR").write_text(
            f"  PAW_PBE {name} 01Jan2000\n   1.00000000000000\n End of Dataset\n"
        )
    (upf / "S.pbe-fake.UPF").write_text("fake S: must never be taken for Si\n")
    return root


@pytest.fixture
def config(pseudo_root: Path) -> dict:
    return {
        "engines": {
            "qe": {"pseudo_dir": str(pseudo_root / "upf")},
            "abinit": {"pseudo_dir": str(pseudo_root / "psp8")},
            "vasp": {"potcar_dir": str(pseudo_root / "potpaw_PBE")},
            "gpaw": {},
        }
    }


def gpaw_python() -> str | None:
    """Why GPAW cannot run here (None when Debian's python3 imports gpaw and the setups are there)."""
    python = shutil.which("python3", path="/usr/bin")
    if python is None:
        return "no /usr/bin/python3"
    done = subprocess.run([python, "-c", "import gpaw"], capture_output=True, text=True)
    if done.returncode != 0:
        return "Debian's python3 cannot import gpaw (apt-get install gpaw gpaw-data)"
    if not Path("/usr/share/gpaw-setups/Si.PBE.gz").is_file():
        return "no GPAW setups in /usr/share/gpaw-setups (apt-get install gpaw-data)"
    return None


def skip_or_fail(why: str) -> None:
    """Skip a real-run test whose program or data is absent; fail instead under ``MATINFO_REQUIRE_DFT=1``
    (``.ci/run`` sets it after installing them, so CI cannot silently skip the DFT runs)."""
    if os.environ.get("MATINFO_REQUIRE_DFT"):
        pytest.fail(f"MATINFO_REQUIRE_DFT is set but {why}")
    pytest.skip(why)
