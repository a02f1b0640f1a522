"""read_cif / read_cif_folder: entries per block, verbatim text, metadata, and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from matinfo.errors import StructureError
from matinfo.io import CifEntry, read_cif, read_cif_folder

CELL = """_cell_length_a 4.0
_cell_length_b 4.0
_cell_length_c 4.0
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
"""
ATOMS = """loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
_atom_site_occupancy
"""


def _cif(name: str, rows: str, cell: str = CELL) -> str:
    return f"data_{name}\n{cell}{ATOMS}{rows}"


def test_two_blocks_give_two_entries_with_verbatim_text(data_dir: Path) -> None:
    path = data_dir / "two_blocks.cif"
    entries = read_cif(path)
    assert [e.block_name for e in entries] == ["rutile", "anatase"]
    assert all(isinstance(e, CifEntry) and e.source == str(path) for e in entries)
    assert "".join(e.cif_text for e in entries) == path.read_text()
    assert entries[1].cif_text.startswith("data_anatase")
    assert entries[0].formula == "O2 Ti"  # _chemical_formula_sum as written
    assert entries[1].formula == "Ti4 O8"  # no formula tag: cell formula of the structure
    assert entries[0].structure.composition.reduced_formula == "TiO2"
    assert len(entries[0].structure) == 6 and len(entries[1].structure) == 12


def test_metadata_from_publ_and_journal_tags(data_dir: Path) -> None:
    meta = read_cif(data_dir / "two_blocks.cif")[0].metadata
    assert meta["doi"] == "10.1234/test.5678"
    assert meta["journal"] == "Journal of Tests"
    assert meta["year"] == 2001
    assert meta["authors"] == ("Doe, J.", "Roe, R.")
    assert meta["title"] == "A test title on two lines"
    assert meta["database_codes"] == {"icsd": "12345"}


def test_parser_warnings_are_collected_not_printed(data_dir: Path, recwarn: pytest.WarningsRecorder) -> None:
    entry = read_cif(data_dir / "two_blocks.cif")[1]
    assert any("_symmetry_equiv_pos_as_xyz" in w for w in entry.warnings)
    assert not [w for w in recwarn if "pymatgen" in str(w.filename)]


def test_text_input_and_source_name() -> None:
    text = _cif("po", "Po1 Po 0 0 0 1.0\n")
    (entry,) = read_cif(text, source="inline.cif")
    assert entry.source == "inline.cif" and entry.block_name == "po" and entry.formula == "Po1"
    assert read_cif(text)[0].source == "<string>"


def test_partial_occupancy_and_mixed_sites_are_kept() -> None:
    rows = "K1 K 0 0 0 0.5\nNa1 Na 0 0 0 0.5\nLi1 Li 0.5 0.5 0.5 0.4\nLi2 Li 0.55 0.5 0.5 0.4\n"
    s = read_cif(_cif("mixed", rows))[0].structure
    assert len(s) == 3  # K/Na share one site; the two Li sites 0.2 Å apart stay separate
    assert {str(sp): occ for sp, occ in s[0].species.items()} == {"K": 0.5, "Na": 0.5}
    assert s.composition["Li"] == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("name", "line", "field", "value"),
    [
        ("missing_cell.cif", 2, "_cell_length_c", None),
        ("no_atoms.cif", 1, "_atom_site_fract_x", None),
        ("bad_coordinate.cif", 18, "_atom_site_fract_z", "0.5x"),
        ("bad_cell_value.cif", 3, "_cell_length_b", "abc"),
        ("garbage.cif", 1, None, "This"),
    ],
)
def test_malformed_files_raise_located_errors(
    data_dir: Path, name: str, line: int, field: str | None, value: str | None
) -> None:
    with pytest.raises(StructureError) as info:
        read_cif(data_dir / name)
    err = info.value
    assert (err.source, err.line, err.field, err.value) == (str(data_dir / name), line, field, value)
    message = str(err)
    assert f"{name}:{line}" in message and err.hint and err.hint in message
    if field:
        assert field in message
    assert isinstance(err, ValueError)  # StructureError subclasses ValueError


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        (_cif("a", "Na1 Na 0 0 ? 1.0\n"), 15, "_atom_site_fract_z", "not a number"),
        (_cif("a", "Na1 Na 0 0 0 abc\n"), 15, "_atom_site_occupancy", "occupancy"),
        (
            _cif("a", "Na1 Na 0 0 0 1.0\n", CELL.replace("90\n_cell_angle_gamma", "190\n_cell_angle_gamma")),
            6,
            "_cell_angle_beta",
            "not a valid number",
        ),
        (_cif("a", "Na1 Na 0 0\n"), 8, "_atom_site_label", "not a multiple"),
        ("data_a\n_publ_section_title\n;\nnever closed\n", 3, None, "never closed"),
        ("data_a\n_chemical_name_common 'unterminated\n", 2, None, "unterminated"),
        ("data_a\n_cell_length_a\n", 2, "_cell_length_a", "no value"),
        ("# only a comment\n", None, None, "no 'data_' block"),
        (_cif("a", "Na1 Na 0 0 0 0.7\nK1 K 0 0 0 0.7\n"), 14, "_atom_site_occupancy", "occupancy_tolerance"),
    ],
)
def test_malformed_text_raises(text: str, line: int | None, field: str | None, words: str) -> None:
    with pytest.raises(StructureError, match=words) as info:
        read_cif(text, source="bad.cif")
    assert (info.value.source, info.value.line, info.value.field) == ("bad.cif", line, field)


def test_never_half_read_a_file_with_one_bad_block() -> None:
    text = _cif("good", "Na1 Na 0 0 0 1.0\n") + _cif("bad", "Na1 Na 0 zero 0 1.0\n")
    with pytest.raises(StructureError) as info:
        read_cif(text)
    assert info.value.line == 30 and info.value.value == "zero"


def test_metadata_only_block_gives_no_entry_but_shares_its_metadata() -> None:
    text = "data_global\n_journal_paper_doi 10.1/xyz\n_journal_year 1999\n" + _cif("s", "Na1 Na 0 0 0 1.0\n")
    (entry,) = read_cif(text)
    assert entry.block_name == "s" and entry.metadata == {"doi": "10.1/xyz", "year": 1999}


def test_missing_file_and_binary_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_cif(tmp_path / "nope.cif")
    binary = tmp_path / "x.cif"
    binary.write_bytes(b"\x00\x01data_")
    with pytest.raises(StructureError, match="binary"):
        read_cif(binary)


def test_read_cif_folder_raise_and_skip(data_dir: Path, tmp_path: Path) -> None:
    good = tmp_path / "a_good.cif"
    good.write_text(_cif("good", "Na1 Na 0 0 0 1.0\n"))
    (tmp_path / "b_bad.cif").write_text((data_dir / "no_atoms.cif").read_text())
    results = list(read_cif_folder(tmp_path, on_error="skip"))
    assert [p.name for p, _ in results] == ["a_good.cif", "b_bad.cif"]
    assert isinstance(results[0][1], list) and isinstance(results[1][1], StructureError)
    with pytest.raises(StructureError, match=r"b_bad\.cif"):
        list(read_cif_folder(tmp_path))
    with pytest.raises(ValueError, match="on_error"):
        list(read_cif_folder(tmp_path, on_error="ignore"))  # type: ignore[arg-type]
