"""``import matinfo.io`` stays cheap: pymatgen and spglib load only when a function needs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import matinfo


def test_import_does_not_load_pymatgen_or_spglib() -> None:
    code = (
        "import sys, matinfo.io as m; "
        "heavy = [n for n in ('pymatgen', 'spglib', 'numpy') if n in sys.modules]; "
        "assert not heavy, heavy; print(len(m.__all__))"
    )
    src = str(Path(matinfo.__file__).resolve().parents[1])  # the same matinfo as this test run imports
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env)
    assert out.returncode == 0, out.stderr


def test_public_api_is_curated() -> None:
    import matinfo.io as m

    assert set(m.__all__) >= {
        "read_cif", "read_cif_folder", "CifEntry", "structure_info", "StructureInfo", "assign_prototype",
        "PrototypeAssignment", "read_structures", "register_format", "known_formats", "SYMPREC",
    }  # fmt: skip
    assert all(hasattr(m, name) for name in m.__all__)
