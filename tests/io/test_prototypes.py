"""assign_prototype: AFLOW labels for rutile, anatase, LiNbO3; disordered structures; library cache."""

from __future__ import annotations

from pathlib import Path

from pymatgen.core import Lattice, Structure

from matinfo.io import PrototypeAssignment, assign_prototype, read_cif
from matinfo.io.prototypes import prototype_library


def test_library_is_loaded_once_with_288_prototypes() -> None:
    lib = prototype_library()
    assert lib is prototype_library()
    assert len(lib) == 288
    labels = {p.label for p in lib}
    assert {"A2B_tP6_136_f_a", "A2B_tI12_141_e_a", "ABC3_hR10_161_a_a_b"} <= labels


def test_rutile_and_anatase_get_different_labels(data_dir: Path) -> None:
    rutile, anatase = (assign_prototype(e.structure) for e in read_cif(data_dir / "two_blocks.cif"))
    assert isinstance(rutile, PrototypeAssignment)
    assert (rutile.label, rutile.mineral, rutile.strukturbericht, rutile.pearson_symbol) == (
        "A2B_tP6_136_f_a", "Rutile", "C4", "tP6",
    )  # fmt: skip
    assert rutile.method == "structure_matcher" and rutile.matched
    # real anatase (TiO6 octahedra) only matches the library entry by label: the library geometry differs
    assert (anatase.label, anatase.mineral, anatase.strukturbericht) == ("A2B_tI12_141_e_a", "Anatase", "C5")
    assert anatase.method == "wyckoff_label" and "isopointal" in anatase.reason


def test_aflow_anatase_and_linbo3_files_match_their_labels(crystal_structures: Path) -> None:
    folder = crystal_structures / "aflow_prototypes_part1"
    for name in ("064_A2B_tI12_141_e_a", "112_A2B_tP6_136_f_a", "091_ABC3_hR10_161_a_a_b"):
        result = assign_prototype(read_cif(folder / f"{name}.cif")[0].structure)
        assert result.label == name[4:] and result.method == "structure_matcher"


def test_linbo3_built_from_its_space_group() -> None:
    lattice = Lattice.hexagonal(5.148, 13.863)
    linbo3 = Structure.from_spacegroup(
        "R3c", lattice, ["Li", "Nb", "O"], [[0, 0, 0.2829], [0, 0, 0], [0.0492, 0.3446, 0.0647]]
    )
    result = assign_prototype(linbo3)
    assert result.label == "ABC3_hR10_161_a_a_b" and result.pearson_symbol == "hR10"


def test_disordered_structure_uses_ordered_approximation() -> None:
    s = Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.9), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    s.replace_species({"Na": {"Na": 0.7, "K": 0.3}})
    result = assign_prototype(s)
    assert result.label == "AB_cF8_225_a_b" and result.ordered_approximation
    assert "K dropped" in result.reason


def test_mostly_empty_or_overlapping_disorder_gives_none_with_reason() -> None:
    s = Structure(Lattice.cubic(4.0), [{"Li": 0.3}, "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    result = assign_prototype(s)
    assert result.label is None and result.ordered_approximation and "keeps only" in result.reason
    overlapping = Structure(
        Lattice.cubic(4.0), [{"Li": 0.6}, {"Li": 0.6}, "Cl"], [[0, 0, 0], [0.05, 0, 0], [0.5, 0.5, 0.5]]
    )
    result = assign_prototype(overlapping)
    assert result.label is None and "Å apart" in result.reason


def test_no_prototype_with_that_formula() -> None:
    s = Structure(
        Lattice.cubic(6.0), ["Na"] + ["Cl"] * 7, [[0, 0, 0]] + [[0.1 * i, 0.5, 0.5] for i in range(1, 8)]
    )
    result = assign_prototype(s)
    assert result.label is None and not result.matched and "AB7" in result.reason
