"""read_structures: picks the reader by file name / extension; one registry; clear unknown-format errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from pymatgen.core import Lattice, Structure

from matinfo.errors import StructureError
from matinfo.io import CifEntry, known_formats, read_cif, read_structures, register_format, registry


def _rutile() -> Structure:
    return Structure.from_spacegroup(
        136, Lattice.tetragonal(4.594, 2.959), ["Ti", "O"], [[0, 0, 0], [0.3048, 0.3048, 0]]
    )


def test_known_formats() -> None:
    assert known_formats()[:2] == ("cif", "poscar")


def test_cif_by_extension(data_dir: Path) -> None:
    entries = read_structures(data_dir / "two_blocks.cif")
    assert [e.block_name for e in entries] == ["rutile", "anatase"]


@pytest.mark.parametrize("name", ["POSCAR", "CONTCAR", "POSCAR_relaxed", "rutile.vasp"])
def test_poscar_by_name(tmp_path: Path, name: str) -> None:
    from pymatgen.io.vasp import Poscar

    path = tmp_path / name
    path.write_text(Poscar(_rutile(), comment="rutile TiO2").get_str())
    (entry,) = read_structures(path)
    assert isinstance(entry, CifEntry)
    assert entry.structure.composition.reduced_formula == "TiO2" and len(entry.structure) == 6
    assert entry.metadata["original_format"] == "poscar" and entry.metadata["comment"] == "rutile TiO2"
    assert entry.block_name == "rutile_TiO2"
    # the CIF rendering reads back to the same structure
    again = read_cif(entry.cif_text)[0].structure
    assert again.matches(entry.structure)


def test_format_argument_overrides_name(tmp_path: Path) -> None:
    from pymatgen.io.vasp import Poscar

    path = tmp_path / "structure.txt"
    path.write_text(Poscar(_rutile()).get_str())
    assert len(read_structures(path, format="poscar")[0].structure) == 6
    with pytest.raises(StructureError, match="unknown structure file format") as info:
        read_structures(path)
    assert "cif (.cif" in str(info.value) and "poscar" in str(info.value)
    with pytest.raises(StructureError, match="unknown structure format"):
        read_structures(path, format="xyz")


def test_malformed_poscar(tmp_path: Path) -> None:
    path = tmp_path / "POSCAR"
    path.write_text("comment\n1.0\nnot a lattice\n")
    with pytest.raises(StructureError, match="POSCAR") as info:
        read_structures(path)
    assert info.value.source == str(path)


def test_register_format_rejects_duplicates(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(registry, "_FORMATS", dict(registry._FORMATS))
    with pytest.raises(ValueError, match="already registered"):
        register_format("cif", lambda p: [])
    with pytest.raises(ValueError, match="already claimed"):
        register_format("cif2", lambda p: [], extensions=[".CIF"])
    register_format("mine", lambda p: [], extensions=[".mine"])
    (tmp_path / "a.mine").write_text("x")
    assert read_structures(tmp_path / "a.mine") == []
    assert "mine" in known_formats()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_structures(tmp_path / "POSCAR")
