"""Distinct-phase linking: the seed's Fig. 1 case, polymorphs, doped garnets, and the recorded reasons."""

from __future__ import annotations

import pytest

from tests.conftest import shared_data

PROTO = ("crystal_structures", "aflow_prototypes_part1")


def test_fig1_linbo3_family_is_one_substance(db):
    """LiNbO3, [Li0.95Nb0.01]NbO3, LiyNb1-yTizO2.5-2y+2z, [Li0.95Nb0.03]Nb0.98O3 (LiNbO3 type) → one ID."""
    cif = shared_data(*PROTO, "091_ABC3_hR10_161_a_a_b.cif")
    a = db.add_material("LiNbO3", structure=cif)
    b = db.add_material("[Li0.95Nb0.01]NbO3", space_group=161)
    c = db.add_material("LiyNb1-yTizO2.5-2y+2z", space_group="R3c")
    d = db.add_material("[Li0.95Nb0.03]Nb0.98O3", space_group=161)
    assert a.space_group_number == 161
    assert {a.substance_id, b.substance_id, c.substance_id, d.substance_id} == {a.substance_id}
    assert not c.is_resolved and "y" in c.unresolved_reason
    assert "space group 161 matched" in b.link_reason and "≤ tolerance" in b.link_reason
    assert "y=0.5" in c.link_reason  # the admissible point of the variable formula that matched
    sub = db.get_substance(a.substance_id)
    assert [m.formula for m in sub.materials] == [
        "LiNbO3",
        "[Li0.95Nb0.01]NbO3",
        "LiyNb1-yTizO2.5-2y+2z",
        "[Li0.95Nb0.03]Nb0.98O3",
    ]
    assert len(sub.structures) == 1 and sub.structures[0].pearson_symbol == "hR10"


@pytest.mark.parametrize("order", [0, 1])
def test_fig1_any_order(db, order):
    """The variable formula founding the substance must still collect the others."""
    formulas = ["LiyNb1-yTizO2.5-2y+2z", "LiNbO3", "[Li0.95Nb0.01]NbO3", "[Li0.95Nb0.03]Nb0.98O3"]
    if order:
        formulas.reverse()
    ids = {db.add_material(f, space_group=161).substance_id for f in formulas}
    assert len(ids) == 1


def test_rutile_and_anatase_are_two_substances(db):
    rutile = db.add_material("TiO2", structure=shared_data(*PROTO, "112_A2B_tP6_136_f_a.cif"))
    anatase = db.add_material("TiO2", structure=shared_data(*PROTO, "064_A2B_tI12_141_e_a.cif"))
    assert rutile.substance_id != anatase.substance_id
    assert (rutile.space_group_number, anatase.space_group_number) == (136, 141)
    # A TiO2 reported without structure is ambiguous between them: it does not join either.
    bare = db.add_material("TiO2")
    assert bare.substance_id not in (rutile.substance_id, anatase.substance_id)
    assert "ambiguous" in bare.link_reason or "founded" in bare.link_reason


def test_doped_garnet_joins_llzo(db):
    llzo = db.add_material("Li7La3Zr2O12", space_group=230)
    ta = db.add_material("Li6.4La3Zr1.4Ta0.6O12", space_group=230)
    assert ta.substance_id == llzo.substance_id
    # Tetragonal LLZO is another phase of the same system.
    tet = db.add_material("Li7La3Zr2O12", space_group=142)
    assert tet.substance_id != llzo.substance_id
    # Far outside the range (Li5La3Ta2O12 is 0.08 away in atomic fractions): its own substance.
    far = db.add_material("Li5La3Ta2O12", space_group=230)
    assert far.substance_id != llzo.substance_id
    sub = db.get_substance(llzo.substance_id)
    assert sub.chemical_system == "La-Li-O-Zr"
    lo, hi = sub.composition_range["Ta"]
    assert lo == 0.0 and hi == pytest.approx(0.6 / 23.4)


def test_no_structure_links_to_only_known_phase(db):
    pbte = db.add_material("PbTe", space_group=225)
    doped = db.add_material("Pb0.975Ga0.025Te")
    assert doped.substance_id == pbte.substance_id
    assert "only known phase" in doped.link_reason


def test_distinct_line_compounds_stay_apart(db):
    ids = {db.add_material(f).substance_id for f in ("Li2O", "Li2O2", "Fe3Al", "Fe4Al")}
    assert len(ids) == 4


def test_show_says_why(db):
    a = db.add_material("LiNbO3", space_group=161)
    db.add_material("[Li0.95Nb0.01]NbO3", space_group=161)
    sub = db.get_substance(a.substance_id)
    reasons = [m.link_reason for m in sub.materials]
    assert reasons[0].startswith("founded a new substance")
    assert "composition distance" in reasons[1] and "tolerance 0.05" in reasons[1]


def test_relink_moves_early_compositions_to_the_phase_that_arrived_later(db):
    early = db.add_material("Pb0.975Ga0.025Te", properties=[("seebeck_coefficient", 150.0, "uV/K")])
    pbte = db.add_material("PbTe", space_group=225)
    assert early.substance_id != pbte.substance_id  # imported before any structure: unknown-structure phase
    counts = db.relink()
    assert counts == {"examined": 1, "moved": 1, "substances_removed": 1}
    sub = db.get_substance(pbte.substance_id)
    assert {m.formula for m in sub.materials} == {"PbTe", "Pb0.975Ga0.025Te"}
    assert [p.quantity for p in sub.properties] == ["seebeck_coefficient"]
    moved = next(m for m in sub.materials if m.formula == "Pb0.975Ga0.025Te")
    assert moved.link_reason.startswith("re-linked: no structure reported; the only known phase")
    assert sub.composition_range["Ga"] == (0.0, pytest.approx(0.0125))
    assert db.relink()["moved"] == 0  # idempotent


def test_relink_leaves_ambiguous_compositions(db):
    bare = db.add_material("TiO2")
    db.add_material("TiO2", space_group=136)
    db.add_material("TiO2", space_group=141)
    assert db.relink()["moved"] == 0
    assert db.get_material(bare.id).substance_id == bare.substance_id
