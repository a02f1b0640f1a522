"""structure_info: space group, Pearson symbol, lattices, site-type symmetry, tolerance ladder, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from pymatgen.core import Lattice, Molecule, Structure

from matinfo.errors import StructureError
from matinfo.io import SYMPREC, StructureInfo, crystal_system, read_cif, structure_info


def nacl(a: float = 5.64) -> Structure:
    return Structure.from_spacegroup("Fm-3m", Lattice.cubic(a), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])


def test_rock_salt() -> None:
    info = structure_info(nacl())
    assert isinstance(info, StructureInfo)
    assert (info.space_group_number, info.space_group_symbol, info.crystal_system) == (225, "Fm-3m", "cubic")
    assert info.pearson_symbol == "cF8"
    assert info.prototype == "AB_cF8_225_a_b" and info.strukturbericht == "B1"
    assert info.lattice.a == pytest.approx(5.64) and info.lattice.alpha == pytest.approx(90)
    assert info.input_lattice.volume == pytest.approx(5.64**3)
    assert info.n_sites == 8 and info.formula == "NaCl" and not info.has_partial_occupancy
    assert info.density == pytest.approx(2.165, abs=0.01)
    assert info.symprec_used == SYMPREC == 1e-3


def test_linbo3_pearson_counts_rhombohedral_cell(crystal_structures: Path) -> None:
    entry = read_cif(crystal_structures / "aflow_prototypes_part1" / "091_ABC3_hR10_161_a_a_b.cif")[0]
    info = structure_info(entry.structure)
    assert (info.space_group_number, info.space_group_symbol, info.pearson_symbol) == (161, "R3c", "hR10")
    assert info.crystal_system == "trigonal"
    # conventional cell on hexagonal axes, input cell rhombohedral
    assert info.lattice.gamma == pytest.approx(120) and info.lattice.a == pytest.approx(info.lattice.b)
    assert info.input_lattice.volume == pytest.approx(info.lattice.volume / 3)
    assert info.prototype == "ABC3_hR10_161_a_a_b"


def test_mixed_occupancy_sites_are_equivalent_only_to_the_same_mixture() -> None:
    # (Na0.5K0.5)Cl rock salt: every cation site carries the same mixture -> still Fm-3m
    s = nacl()
    s.replace_species({"Na": {"Na": 0.5, "K": 0.5}})
    info = structure_info(s, prototype=False)
    assert info.space_group_number == 225 and info.has_partial_occupancy
    assert info.pearson_symbol == "cF8"  # sites, not atoms
    assert info.prototype is None
    # one cation site with a different mixture lowers the symmetry
    s[0] = {"Na": 0.6, "K": 0.4}
    assert structure_info(s, prototype=False).space_group_number == 221


def test_tolerance_ladder_records_what_worked(monkeypatch: pytest.MonkeyPatch) -> None:
    import spglib

    real = spglib.get_symmetry_dataset

    def picky(cell, symprec=1e-5, angle_tolerance=-1.0, **kw):
        return None if symprec < 1e-2 else real(cell, symprec=symprec, angle_tolerance=angle_tolerance, **kw)

    monkeypatch.setattr(spglib, "get_symmetry_dataset", picky)
    info = structure_info(nacl(), prototype=False)
    assert info.symprec_used == 1e-2 and info.space_group_number == 225


def test_noisy_positions_keep_their_space_group() -> None:
    import numpy as np

    s = nacl().copy()
    rng = np.random.default_rng(0)
    s.perturb(1e-4, min_distance=0)  # tiny noise, below symprec
    info = structure_info(s, prototype=False)
    assert info.space_group_number == 225
    s2 = nacl()
    for i in range(len(s2)):
        s2.translate_sites([i], rng.normal(scale=2e-3, size=3), frac_coords=False)
    assert structure_info(s2, symprec=0.1, prototype=False).space_group_number == 225


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("not a structure", "expected a pymatgen Structure"),
        (Molecule(["H", "H"], [[0, 0, 0], [0, 0, 0.74]]), "expected a pymatgen Structure"),
        (Structure(Lattice.cubic(3), [], []), "no sites"),
        (Structure(Lattice.cubic(3), ["Na", "Na"], [[0, 0, 0], [0, 0, 1e-5]]), "no space group"),
    ],
)
def test_weird_input_raises_structure_error(bad: object, words: str) -> None:
    with pytest.raises(StructureError, match=words) as info:
        structure_info(bad)  # type: ignore[arg-type]
    assert info.value.hint


def test_crystal_system_boundaries() -> None:
    assert [crystal_system(n) for n in (1, 2, 3, 15, 16, 74, 75, 142, 143, 167, 168, 194, 195, 230)] == [
        "triclinic", "triclinic", "monoclinic", "monoclinic", "orthorhombic", "orthorhombic", "tetragonal",
        "tetragonal", "trigonal", "trigonal", "hexagonal", "hexagonal", "cubic", "cubic",
    ]  # fmt: skip
    with pytest.raises(ValueError):
        crystal_system(231)
