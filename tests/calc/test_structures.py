from __future__ import annotations

import pytest

from matinfo.calc.structures import Cell, check_overlaps, read_cells
from matinfo.errors import StructureError


def test_key_ignores_site_order_and_wrapping(cu3au):
    shuffled = Cell(cu3au.lattice, cu3au.species[::-1], cu3au.frac_coords[::-1])
    shifted = Cell(
        cu3au.lattice, cu3au.species, tuple((x + 1.0, y - 1.0, z) for x, y, z in cu3au.frac_coords)
    )
    assert shuffled.key == cu3au.key == shifted.key
    moved = Cell(cu3au.lattice, cu3au.species, ((0.01, 0, 0),) + cu3au.frac_coords[1:])
    assert moved.key != cu3au.key


def test_conversions_round_trip(cu3au):
    assert Cell.from_dict(cu3au.to_dict()) == cu3au
    again = Cell.from_atoms(cu3au.to_atoms())
    assert again.key == cu3au.key
    s = cu3au.to_structure()
    assert s.composition.reduced_formula == "Cu3Au"
    assert Cell.from_structure(s).key == cu3au.key
    assert cu3au.formula == "AuCu3" and cu3au.elements == ("Au", "Cu")
    assert cu3au.volume == pytest.approx(3.75**3)


def test_frozen(cu):
    with pytest.raises(AttributeError):
        cu.species = ("Ag",)


def test_overlapping_atoms_named(cu3au):
    bad = Cell(cu3au.lattice, cu3au.species + ("Cu",), cu3au.frac_coords + ((0.02, 0.0, 0.0),))
    with pytest.raises(StructureError) as e:
        check_overlaps(bad, source="bad.cif")
    msg = str(e.value)
    assert "bad.cif" in msg and "sites 0 (Au) and 4 (Cu)" in msg and "0.075 Å" in msg
    check_overlaps(cu3au)  # fine


def test_overlap_with_periodic_image():
    c = Cell(((0.3, 0, 0), (0, 5, 0), (0, 0, 5)), ("Cu",), ((0, 0, 0),))
    with pytest.raises(StructureError, match="site 0 and its image"):
        check_overlaps(c)


def test_disordered_structure_refused():
    from pymatgen.core import Lattice, Structure

    s = Structure(Lattice.cubic(4.0), [{"Cu": 0.5, "Au": 0.5}], [[0, 0, 0]])
    with pytest.raises(StructureError, match="partial occupancy"):
        Cell.from_structure(s, source="x.cif")


def test_read_cells_from_cif(tmp_path, cu3au):
    path = tmp_path / "cu3au.cif"
    path.write_text(cu3au.to_cif())
    [(name, cell)] = read_cells([path])
    assert name == "cu3au.cif" and cell.formula == "AuCu3"
    with pytest.raises(StructureError, match="no such file"):
        read_cells([tmp_path / "missing.cif"])
    (tmp_path / "junk.cif").write_text("data_x\n_cell_length_a 3\n")
    with pytest.raises(StructureError, match="junk.cif"):
        read_cells([tmp_path / "junk.cif"])
