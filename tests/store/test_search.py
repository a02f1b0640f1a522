"""Typed searches: elements, formula, structure, unit-aware property ranges, conditions, references."""

from __future__ import annotations

import pytest

from matinfo.core.records import MaterialIn, PropertyIn, ReferenceIn
from matinfo.errors import QueryError
from matinfo.store import PropertyFilter, Query


@pytest.fixture
def filled(db):
    ref = ReferenceIn(
        doi="10.1002/anie.200701144",
        authors="Murugan, R.; Thangadurai, V.; Weppner, W.",
        title="Fast lithium ion conduction in garnet-type Li7La3Zr2O12",
        journal="Angew. Chem.",
        year=2007,
    )
    ids = {}
    ids["llzo"] = db.add_material(
        "Li7La3Zr2O12",
        space_group=230,
        reference=ref,
        properties=[PropertyIn("ionic_conductivity", 5.11e-4, "S/cm", conditions={"temperature": "25 °C"})],
    ).substance_id
    ids["llzo_ta"] = db.add_material(
        "Li6.4La3Zr1.4Ta0.6O12",
        space_group=230,
        properties=[PropertyIn("ionic_conductivity", "1.0 mS/cm", conditions={"temperature": (300, "K")})],
    ).substance_id
    ids["lno"] = db.add_material(
        "LiNbO3",
        space_group=161,
        properties=[PropertyIn("ionic_conductivity", "<1e-8", "S/cm", conditions={"temperature": 298.15})],
    ).substance_id
    ids["rutile"] = db.add_material(
        "TiO2", space_group=136, properties=[PropertyIn("band_gap", 3.0, "eV")]
    ).substance_id
    ids["anatase"] = db.add_material(
        "TiO2", space_group=141, properties=[PropertyIn("band_gap", 3.2, "eV")]
    ).substance_id
    ids["pbte"] = db.add_material(
        "PbTe",
        space_group=225,
        properties=[
            PropertyIn("seebeck_coefficient", v, "uV/K", conditions={"temperature": t})
            for t, v in ((300, 150.0), (600, 250.0))
        ],
    ).substance_id
    return db, ids


def _ids(hits):
    return {h.substance_id for h in hits}


def test_unit_aware_property_range(filled):
    db, ids = filled
    a = _ids(db.search(properties=["ionic_conductivity >= 0.1 mS/cm"]))
    b = _ids(db.search(properties=["ionic_conductivity >= 1e-4 S/cm"]))
    assert a == b == {ids["llzo"]}  # the Ta-doped garnet joined LLZO
    assert PropertyFilter.parse("ionic_conductivity >= 0.1 mS/cm").value == pytest.approx(1e-4)


def test_elements_all_any_none_and_counts(filled):
    db, ids = filled
    assert _ids(db.search(elements=["Li", "O"])) == {ids["llzo"], ids["lno"]}
    assert _ids(db.search(elements_any=["Nb", "Te"])) == {ids["lno"], ids["pbte"]}
    assert _ids(db.search(elements=["Li"], elements_none=["Nb"])) == {ids["llzo"]}
    assert _ids(db.search(nelements=2)) == {ids["rutile"], ids["anatase"], ids["pbte"]}
    assert _ids(db.search(elements="Ta")) == {ids["llzo"]}  # found through its doped member


def test_formula_any_notation_and_structure(filled):
    db, ids = filled
    assert _ids(db.search(formula="Ti2O4")) == {ids["rutile"], ids["anatase"]}
    assert _ids(db.search(formula="TiO2", space_group="P4_2/mnm")) == {ids["rutile"]}
    assert _ids(db.search(formula="TiO2", crystal_system="tetragonal")) == {ids["rutile"], ids["anatase"]}
    assert _ids(db.search(chemical_system="O-Ti")) == {ids["rutile"], ids["anatase"]}
    assert _ids(db.search(space_group=230)) == {ids["llzo"]}


def test_conditions_belong_to_the_same_record(filled):
    db, ids = filled
    hot = Query(properties=["seebeck_coefficient >= 200 uV/K"], conditions=["temperature >= 500 K"])
    assert _ids(db.search(hot)) == {ids["pbte"]}
    cold = Query(properties=["seebeck_coefficient >= 200 uV/K"], conditions=["temperature <= 400 K"])
    assert _ids(db.search(cold)) == set()
    celsius = Query(properties=["ionic_conductivity > 0"], conditions=["temperature 20..30 degC"])
    assert _ids(db.search(celsius)) == {ids["llzo"], ids["lno"]}


def test_bounds_are_kept(filled):
    db, ids = filled
    sub = db.get_substance(ids["lno"])
    (p,) = sub.properties
    assert p.bound == "<" and p.value == pytest.approx(1e-8) and p.unit == "S/cm"


def test_reference_filters(filled):
    db, ids = filled
    assert _ids(db.search(doi="https://doi.org/10.1002/ANIE.200701144")) == {ids["llzo"]}
    assert _ids(db.search(year=(2000, 2010), author="thangadurai")) == {ids["llzo"]}
    assert _ids(db.search(year=1999)) == set()


def test_whole_substance_in_one_call(filled):
    db, ids = filled
    sub = db.get_substance(ids["llzo"])
    assert {m.formula for m in sub.materials} == {"Li7La3Zr2O12", "Li6.4La3Zr1.4Ta0.6O12"}
    assert len(sub.properties) == 2
    assert sorted(p.conditions["temperature"] for p in sub.properties) == pytest.approx([298.15, 300.0])
    assert sub.references[0].doi == "10.1002/anie.200701144"
    d = sub.to_dict()
    assert d["substance_id"] == ids["llzo"] and d["space_group"] == 230


def test_bad_queries_say_what_to_do(filled):
    db, _ = filled
    with pytest.raises(QueryError, match="ionic_condutivity|quantity"):
        db.search(properties=["ionic_condutivity >= 1 S/cm"])
    with pytest.raises(QueryError, match="cannot convert|dimension|eV"):
        db.search(properties=["ionic_conductivity >= 1 eV"])
    with pytest.raises(QueryError, match="Xx"):
        db.search(elements=["Xx"])
    with pytest.raises(QueryError, match="quantity OP number"):
        db.search(properties=["ionic_conductivity is high"])


def test_every_plan_gives_the_same_pages(db, monkeypatch):
    """Plans are chosen by estimate (walks, drivers, plain); every plan gives the same pages."""
    from matinfo.store import _search_plan as plans  # the planner's tunables

    formulas = [
        "FeO",
        "Fe2O3",
        "CoS",
        "NiSe",
        "FeNi",
        "LiCoO2",
        "CoO",
        "Ni3S2",
        "FeS2",
        "Co",
        "LiFePO4",
        "NiO",
        "LiTiS2",
        "Li2TiO3",
        "ZrO2",
        "TiN",
        "ZrC",
    ]
    db.write(
        [
            MaterialIn(
                formula=f,
                name=f,
                properties=(PropertyIn("band_gap", 0.5 * i, "eV", method="calculation"),),
            )
            for i, f in enumerate(formulas)
        ],
        dataset="walk",
    )
    queries = [
        Query(elements_any=("Fe", "Co", "Ni"), elements_none=("O",), nelements=2, limit=3, offset=o)
        for o in (0, 3)
    ] + [
        Query(elements=("O",), nelements=2, space_group=None, limit=2),
        Query(nelements=1, limit=5),
        Query(elements=("Li", "Ti"), elements_any=("O", "S", "Se"), properties=("band_gap > 0 eV",)),
        Query(elements=("O",), properties=("band_gap >= 1 eV",), limit=2, offset=1),
        Query(dataset="walk", elements=("N",), elements_none=("O",), limit=None),
        Query(filter='elements HAS ALL "Li","O" AND nelements=3'),
        Query(filter='elements HAS ANY "Ti","Zr" AND NOT elements HAS "O" AND nelements<=2', limit=1),
        Query(filter='NOT elements HAS ANY "O","S" AND nelements > 1', limit=4),
        Query(filter='elements HAS "Fe" OR nelements = 1', limit=3),
        Query(formula="Fe2O3"),
    ]
    for q in queries:
        pages = {}
        for plan in (None, "walk", "walk-nelements", "driver"):
            monkeypatch.setattr(plans, "FORCE_PLAN", plan)
            pages[plan] = [x.substance_id for x in db.search(q)]
        monkeypatch.setattr(plans, "FORCE_PLAN", None)
        monkeypatch.setattr(plans, "PG_ESTIMATES_FROM", 0)  # PostgreSQL's estimates instead of counts
        pages["estimates"] = [x.substance_id for x in db.search(q)]
        monkeypatch.undo()
        assert len(set(map(tuple, pages.values()))) == 1, (q, pages)
    # a walk whose window is too short for the page falls back to the driver or walks on
    monkeypatch.setattr(plans, "FORCE_PLAN", "walk")
    monkeypatch.setattr(plans, "WALK_MIN_SPAN", 1)
    monkeypatch.setattr(plans, "WALK_SAFETY", 0.0)
    for q in queries:
        monkeypatch.setattr(plans, "FORCE_PLAN", "walk")
        walked = [x.substance_id for x in db.search(q)]
        monkeypatch.setattr(plans, "FORCE_PLAN", None)
        assert walked == [x.substance_id for x in db.search(q)], q
    assert [x.reduced_formula for x in db.search(Query(nelements=1))] == ["Co"]
    assert sorted(x.reduced_formula for x in db.search(Query(filter='elements HAS ALL "Li","Ti"'))) == [
        "Li2TiO3",
        "LiTiS2",
    ]


def test_plan_follows_the_counts(db):
    """The rarest criterion drives; a dense conjunction walks."""
    from matinfo.store.search import plan_search

    db.write([MaterialIn(formula=f) for f in ("LiTiS2", "Li2O", "TiO2", "LiCoO2", "Fe2O3", "CoO")])
    with db.session() as s:
        plan, _ = plan_search(s, Query(elements=("O", "Ti"), limit=100))
        assert plan.name == "driver" and plan.driver.startswith("elements Ti & O"), plan
        plan, _ = plan_search(s, Query(filter='elements HAS ALL "O","Ti"', limit=100))
        assert plan.name == "driver" and plan.driver.startswith("elements Ti & O"), plan
        plan, _ = plan_search(s, Query(elements=("O",), limit=1))
        assert plan.name == "walk", plan
        assert str(plan).startswith("walk")
