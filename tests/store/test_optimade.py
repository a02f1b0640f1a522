"""OPTIMADE filter → SQL: every operator and field on a small hand-made store, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import uuid
import warnings

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.orm import Session

from matinfo.core.keys import anonymous_formula, atomic_fractions, chemical_system, reduced_formula
from matinfo.errors import QueryError
from matinfo.store import optimade
from matinfo.store.models import (
    Base,
    Dataset,
    Material,
    MaterialElement,
    Property,
    Reference,
    Structure,
    Substance,
)
from matinfo.store.optimade import OPTIMADE_FIELDS, optimade_clause

PG_URL = os.environ.get("MATINFO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ALL = set(range(1, 10))


def _utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


# id: (formula, substance, resolved, created, extra Material columns)
_MATERIALS = {
    1: (
        "LiNbO3",
        1,
        True,
        _utc(2024, 1, 10),
        dict(space_group_number=161, prototype="LiNbO3", dataset_id=1, reference_id=1, name="batch_1"),
    ),
    2: (
        "[Li0.95Nb0.01]NbO3",
        1,
        True,
        _utc(2024, 2, 1),
        dict(space_group_number=161, dataset_id=1, name="batchX1"),
    ),
    3: ("TiO2", 2, True, _utc(2024, 3, 1), dict(space_group_number=136, prototype="rutile", reference_id=2)),
    4: ("TiO2", 3, True, _utc(2024, 3, 2), dict(space_group_number=141, prototype="anatase", dataset_id=2)),
    5: (
        "Li7La3Zr2O12",
        4,
        True,
        _utc(2024, 4, 1),
        dict(space_group_number=230, dataset_id=1, reference_id=3, name="LLZO 50% Ta"),
    ),
    6: ("Fe2O3", 5, True, _utc(2023, 12, 31, 23), dict(space_group_number=167, name="sample-7")),
    7: ("LixCoO2", 6, False, _utc(2023, 6, 1), {}),  # variable formula: no composition, no fractions
    8: ("Co3O4", 7, True, _utc(2024, 5, 1), dict(space_group_number=227)),
    9: ("CO2", 8, True, _utc(2024, 1, 1, 0, 30), {}),
}
# substance id: crystal system
_SUBSTANCES = {
    1: "trigonal",
    2: "tetragonal",
    3: "tetragonal",
    4: "cubic",
    5: "trigonal",
    6: None,
    7: "cubic",
    8: None,
}
# (material, n_sites, reference)
_STRUCTURES = [(1, 30, 1), (3, 6, 2), (4, 12, None), (5, 192, 3), (5, None, 3)]
# (material, quantity, value, bound, value_text, reference)
_PROPERTIES = [
    (1, "ionic_conductivity", 1e-9, None, None, 1),
    (1, "band_gap", 3.8, None, None, 1),
    (2, "ionic_conductivity", 1e-8, "<", None, 2),
    (3, "band_gap", 3.0, None, None, 2),
    (4, "band_gap", 3.2, "~", None, None),
    (5, "ionic_conductivity", 3e-4, None, None, 3),
    (5, "ionic_conductivity", 1e-3, ">", None, 3),
    (5, "is_metal", 0.0, None, "false", None),
    (6, "band_gap", 2.1, None, None, None),
    (8, "band_gap", 1.6, ">=", None, None),
]


def _populate(s: Session) -> None:
    s.add_all([Dataset(id=1, name="obelix"), Dataset(id=2, name="thermo")])
    s.add_all(
        [
            Reference(id=1, key="doi:10.1000/abc", doi="10.1000/abc", year=2019),
            Reference(id=2, key="doi:10.1000/xyz", doi="10.1000/xyz", year=2005),
            Reference(id=3, key="cite:llzo", doi=None, year=2021, title="A garnet"),
        ]
    )
    for sid, crystal in _SUBSTANCES.items():
        s.add(
            Substance(
                id=sid,
                chemical_system="x",
                structure_type_key="unknown",
                crystal_system=crystal,
                reduced_formula="x",
                nelements=1,
            )
        )
    s.flush()
    for mid, (formula, sid, resolved, created, extra) in _MATERIALS.items():
        # what the store writes (matinfo.store.writer): keys of the parsed composition
        fractions = atomic_fractions(formula) if resolved else {"Co": None, "Li": None, "O": None}
        s.add(
            Material(
                id=mid,
                substance_id=sid,
                formula=formula,
                created_at=created,
                link_reason="test",
                record_key=f"key{mid}",
                nelements=len(fractions),
                is_resolved=resolved,
                reduced_formula=reduced_formula(formula) if resolved else None,
                anonymous_formula=anonymous_formula(formula) if resolved else None,
                chemical_system=chemical_system(formula) if resolved else "Co-Li-O",
                **extra,
            )
        )
        s.flush()
        s.add_all([MaterialElement(material_id=mid, element=el, fraction=x) for el, x in fractions.items()])
    for i, (mid, n, ref) in enumerate(_STRUCTURES, start=1):
        s.add(
            Structure(
                id=i,
                material_id=mid,
                substance_id=_MATERIALS[mid][1],
                cif="data_x",
                n_sites=n,
                reference_id=ref,
            )
        )
    for i, (mid, q, value, bound, value_text, ref) in enumerate(_PROPERTIES, start=1):
        s.add(
            Property(
                id=i,
                material_id=mid,
                substance_id=_MATERIALS[mid][1],
                quantity=q,
                value=value,
                bound=bound,
                value_text=value_text,
                method="experiment",
                reference_id=ref,
            )
        )
    s.commit()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request):
    if request.param == "sqlite":
        eng = create_engine("sqlite://")
        Base.metadata.create_all(eng)
        with Session(eng) as s:
            _populate(s)
        yield eng
        eng.dispose()
        return
    schema = f"test_optimade_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with admin.begin() as c:
            c.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as e:  # no driver, no server, no permission: skip, do not fail
        pytest.skip(f"PostgreSQL at {PG_URL} not usable: {type(e).__name__}: {e}")
    eng = create_engine(PG_URL, connect_args={"connect_timeout": 3, "options": f"-csearch_path={schema}"})
    try:
        Base.metadata.create_all(eng)
        with Session(eng) as s:
            _populate(s)
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as c:
            c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def ids(engine, filter_string: str) -> set[int]:
    with engine.connect() as c:
        return _ids(c, filter_string)


def _ids(conn, filter_string: str) -> set[int]:
    return set(conn.scalars(select(Material.id).where(optimade_clause(filter_string))))


CASES = [
    # elements: HAS, HAS ALL, HAS ANY, HAS ONLY, LENGTH, NOT
    ('elements HAS "Li"', {1, 2, 5, 7}),
    ('elements HAS ALL "Li", "O"', {1, 2, 5, 7}),
    ('elements HAS ALL "Ti","O","Ti"', {3, 4}),
    ('elements HAS ANY "Fe", "Co"', {6, 7, 8}),
    ('elements HAS ONLY "Ti", "O"', {3, 4}),
    ('elements HAS ONLY "Co", "O", "Fe"', {6, 8}),
    ('elements HAS ONLY "O"', set()),
    ('elements HAS "Xe"', set()),
    ("elements LENGTH 4", {5}),
    ("elements LENGTH >= 3", {1, 2, 5, 7}),
    ("elements LENGTH < 3", {3, 4, 6, 8, 9}),
    ('NOT elements HAS "Li"', {3, 4, 6, 8, 9}),
    ('NOT elements HAS ONLY "Ti", "O"', ALL - {3, 4}),
    ('elements HAS "Li" AND NOT elements HAS "Nb"', {5, 7}),
    ("elements IS KNOWN", ALL),
    # nelements, every operator, constant first
    ("nelements = 2", {3, 4, 6, 8, 9}),
    ("nelements != 3", {3, 4, 5, 6, 8, 9}),
    ("nelements > 3", {5}),
    ("nelements >= 3", {1, 2, 5, 7}),
    ("nelements < 3", {3, 4, 6, 8, 9}),
    ("nelements <= 3", ALL - {5}),
    ("nelements > 2.5", {1, 2, 5, 7}),
    ("3 < nelements", {5}),
    ("3 >= nelements", ALL - {5}),
    ("2 = nelements", {3, 4, 6, 8, 9}),
    ("4 != nelements", ALL - {5}),
    ("NOT 3 <= nelements", {3, 4, 6, 8, 9}),
    # elements_ratios and the correlated elements:elements_ratios
    ("elements_ratios HAS 0.6", {1, 6}),
    ("elements_ratios HAS > 0.55", {1, 2, 3, 4, 6, 8, 9}),
    ("elements_ratios HAS ALL > 0.5, < 0.2", {2}),
    ("elements_ratios HAS ANY > 0.65, = 0.4", {3, 4, 6, 9}),
    ("elements_ratios HAS ONLY < 0.7", ALL - {7}),
    ("elements_ratios HAS ONLY < 0.62", {1, 2, 5, 6, 8}),
    ("NOT elements_ratios HAS > 0.55", {5}),
    ("elements_ratios IS UNKNOWN", {7}),
    ("elements_ratios IS KNOWN", ALL - {7}),
    ("elements_ratios LENGTH 3", {1, 2}),
    ('elements:elements_ratios HAS "Li":>0.25', {5}),
    ('elements:elements_ratios HAS ALL "Ti":>0.3, "O":>0.6', {3, 4}),
    ('elements:elements_ratios HAS ANY "Fe":>0.3, "Co":>0.3', {6, 8}),
    ('elements_ratios:elements HAS <0.21:"Nb"', {1, 2}),
    ('elements:elements_ratios HAS ONLY "O":>0.5, "Ti":<0.4', {3, 4}),
    ('NOT elements:elements_ratios HAS "Li":>0.25', {1, 2, 3, 4, 6, 8, 9}),
    # formulas
    ('chemical_formula_reduced = "La3Li7O12Zr2"', {5}),  # OPTIMADE spelling
    ('chemical_formula_reduced = "Li7La3Zr2O12"', {5}),  # pymatgen spelling
    ('chemical_formula_reduced = "O2Ti"', {3, 4}),
    ('chemical_formula_reduced = "Ti2O4"', {3, 4}),
    # OPTIMADE formulas have whole-number proportions: a non-stoichiometric one is unknown (null when served)
    ('chemical_formula_reduced = "Li0.95Nb1.01O3"', set()),
    ('chemical_formula_reduced != "O2Ti"', {1, 5, 6, 8, 9}),
    ("chemical_formula_reduced IS UNKNOWN", {2, 7}),
    ('chemical_formula_anonymous = "A2B"', {3, 4, 9}),  # OPTIMADE spelling
    ('chemical_formula_anonymous = "AB2"', {3, 4, 9}),  # pymatgen spelling
    ('chemical_formula_anonymous = "A3BC"', {1}),
    ('chemical_formula_anonymous = "A3B2"', {6}),
    ('chemical_formula_anonymous = "A4B3"', {8}),
    ('chemical_formula_descriptive = "LiNbO3"', {1}),
    ('chemical_formula_descriptive != "TiO2"', ALL - {3, 4}),
    ('chemical_formula_descriptive CONTAINS "Nb"', {1, 2}),
    ('chemical_formula_descriptive CONTAINS "Co"', {7, 8}),  # not CO2: case-sensitive on SQLite too
    ('chemical_formula_descriptive CONTAINS "O2"', {3, 4, 7, 9}),
    ('chemical_formula_descriptive CONTAINS ""', ALL),
    ('chemical_formula_descriptive STARTS WITH "[Li"', {2}),
    ('chemical_formula_descriptive STARTS "Li"', {1, 5, 7}),
    ('chemical_formula_descriptive STARTS "co"', set()),
    ('chemical_formula_descriptive ENDS WITH "O3"', {1, 2, 6}),
    ('chemical_formula_descriptive ENDS "o2"', set()),
    ('chemical_formula_descriptive ENDS "LiNbO3"', {1}),
    ('NOT chemical_formula_descriptive CONTAINS "O2"', {1, 2, 5, 6, 8}),
    # nsites: several structures per material
    ("nsites = 30", {1}),
    ("nsites > 10", {1, 4, 5}),
    ("nsites < 10", {3}),
    ("10 < nsites", {1, 4, 5}),
    ("nsites IS UNKNOWN", {2, 6, 7, 8, 9}),
    ("NOT nsites > 10", {3}),
    ("nsites != 192", {1, 3, 4}),
    # id, last_modified
    ('id = "3"', {3}),
    ('id != "3"', ALL - {3}),
    ('id = "abc"', set()),
    ('id STARTS "1"', {1}),
    ('id = "3" OR id = "5"', {3, 5}),
    ('last_modified >= "2024-03-01T00:00:00Z"', {3, 4, 5, 8}),
    ('last_modified < "2024-01-01T01:00:00+01:00"', {6, 7}),
    ('last_modified < "2024-01-01"', {6, 7}),
    ('last_modified > "2023-12-31T22:59:59Z" AND last_modified < "2024-01-02T00:00:00Z"', {6, 9}),
    # provider fields
    ("_matinfo_substance_id = 1", {1, 2}),
    ("_matinfo_space_group = 161", {1, 2}),
    ("_matinfo_space_group >= 200", {5, 8}),
    ("_matinfo_space_group IS UNKNOWN", {7, 9}),
    ("NOT _matinfo_space_group >= 200", {1, 2, 3, 4, 6}),
    ('_matinfo_crystal_system = "tetragonal"', {3, 4}),
    ('_matinfo_crystal_system = "Cubic"', {5, 8}),
    ('_matinfo_crystal_system STARTS "tri"', {1, 2, 6}),
    ("_matinfo_crystal_system IS UNKNOWN", {7, 9}),
    ('NOT _matinfo_crystal_system = "cubic"', {1, 2, 3, 4, 6}),
    ('_matinfo_prototype = "rutile"', {3}),
    ("_matinfo_prototype IS KNOWN", {1, 3, 4}),
    ('_matinfo_chemical_system = "O-Ti"', {3, 4}),
    ('_matinfo_chemical_system = "Ti-O"', {3, 4}),
    ('_matinfo_chemical_system = "O-Li-Nb"', {1, 2}),
    ('_matinfo_chemical_system CONTAINS "Li"', {1, 2, 5, 7}),
    ('_matinfo_name CONTAINS "h_1"', {1}),  # _ is not a wildcard
    ('_matinfo_name CONTAINS "50%"', {5}),  # % is not a wildcard
    ('_matinfo_name CONTAINS "%"', {5}),
    ('_matinfo_name STARTS WITH "batch"', {1, 2}),
    ("_matinfo_name IS UNKNOWN", {3, 4, 7, 8, 9}),
    ('_matinfo_doi = "10.1000/abc"', {1}),
    ('_matinfo_doi = "https://doi.org/10.1000/ABC"', {1}),
    ('_matinfo_doi = "10.1000/xyz"', {2, 3}),  # 2 through a property's reference
    ('_matinfo_doi CONTAINS "XYZ"', {2, 3}),
    ('_matinfo_doi STARTS "10.1000/"', {1, 2, 3}),
    ("_matinfo_doi IS KNOWN", {1, 2, 3}),
    ('NOT _matinfo_doi = "10.1000/xyz"', {1}),
    ("_matinfo_year < 2010", {2, 3}),
    ("_matinfo_year >= 2019", {1, 5}),
    ("_matinfo_year IS UNKNOWN", {4, 6, 7, 8, 9}),
    ('_matinfo_dataset = "obelix"', {1, 2, 5}),
    ('_matinfo_dataset != "obelix"', {4}),
    ("_matinfo_dataset IS UNKNOWN", {3, 6, 7, 8, 9}),
    # property quantities, in canonical units; bounds only where they settle the comparison
    ("_matinfo_band_gap > 1.5", {1, 3, 4, 6, 8}),
    ("_matinfo_band_gap > 1.6", {1, 3, 4, 6}),
    ("_matinfo_band_gap >= 1.6", {1, 3, 4, 6, 8}),
    ("_matinfo_band_gap < 3.1", {3, 6}),
    ("_matinfo_band_gap = 3.2", {4}),
    ("_matinfo_band_gap != 3.2", {1, 3, 6, 8}),
    ("1.5 < _matinfo_band_gap", {1, 3, 4, 6, 8}),
    ("_matinfo_bandgap > 3.5", {1}),  # an alias
    ("_matinfo_ionic_conductivity >= 1e-4", {5}),
    ("_matinfo_ionic_conductivity < 1e-8", {1, 2}),
    ("_matinfo_ionic_conductivity > 1e-10", {1, 5}),
    ("_matinfo_ionic_conductivity > 5e-4", {5}),
    ("_matinfo_ionic_conductivity = 1e-8", set()),
    ("_matinfo_ionic_conductivity IS KNOWN", {1, 2, 5}),
    ("_matinfo_sigma_ion >= 1e-4", {5}),
    ("NOT _matinfo_ionic_conductivity > 1e-10", {2}),
    ("_matinfo_is_metal = FALSE", {5}),
    ("_matinfo_is_metal = TRUE", set()),
    ("_matinfo_is_metal != TRUE", {5}),
    ("_matinfo_is_metal IS KNOWN", {5}),
    # logic, precedence, parentheses, unknown values
    ('elements HAS "Li" AND nelements = 3', {1, 2, 7}),
    ('elements HAS "Ti" OR elements HAS "Fe"', {3, 4, 6}),
    ('NOT (elements HAS "Li" OR elements HAS "Ti")', {6, 8, 9}),
    ('elements HAS "O" AND NOT (nelements > 2 OR _matinfo_space_group = 141)', {3, 6, 8}),
    ('nelements = 4 OR elements HAS "Ti" AND _matinfo_space_group = 136', {3, 5}),
    ('(nelements = 4 OR elements HAS "Ti") AND _matinfo_space_group = 136', {3}),
    ("NOT (NOT (nelements = 4))", {5}),
    ('NOT nelements = 4 AND NOT elements HAS "O"', set()),
    ('NOT (nelements = 2 AND elements HAS "Ti")', {1, 2, 5, 6, 7, 8, 9}),
    ("NOT _matinfo_space_group = 161", {3, 4, 5, 6, 8}),
    ("_matinfo_space_group IS UNKNOWN OR _matinfo_space_group = 161", {1, 2, 7, 9}),
    ("NOT _matinfo_space_group IS KNOWN", {7, 9}),
    ("NOT _matinfo_space_group IS UNKNOWN", ALL - {7, 9}),
    ("NOT (_matinfo_space_group = 161 OR _matinfo_space_group = 136)", {4, 5, 6, 8}),
    ("", ALL),
    ("   ", ALL),
]


@pytest.mark.parametrize(("filter_string", "expected"), CASES, ids=[c[0] or "<empty>" for c in CASES])
def test_filter(engine, filter_string, expected):
    assert ids(engine, filter_string) == expected


# the substances' space groups: 1 disagrees with its materials' own (161), 8 (CO2) has materials without one
SUBSTANCE_SPACE_GROUPS = {1: 160, 8: 205}
SPACE_GROUP_FALLBACK = [
    ("_matinfo_space_group = 205", {9}),  # material 9 has none: its substance's
    ("_matinfo_space_group = 161", {1, 2}),  # the material's own wins
    ("_matinfo_space_group = 160", set()),
    ("_matinfo_space_group >= 200", {5, 8, 9}),
    ("_matinfo_space_group IS UNKNOWN", {7}),
    ("_matinfo_space_group IS KNOWN", ALL - {7}),
    ("NOT _matinfo_space_group = 205", ALL - {7, 9}),
    ("_matinfo_space_group != 161", {3, 4, 5, 6, 8, 9}),
    ("NOT _matinfo_space_group >= 200", {1, 2, 3, 4, 6}),
    ("NOT (_matinfo_space_group = 205 OR _matinfo_space_group < 150)", {1, 2, 5, 6, 8}),
]


def test_space_group_falls_back_to_the_substance(engine):
    """A material without a space group of its own takes its substance's (materials reported without a
    structure are linked to a phase whose space group is known)."""
    with engine.connect() as c:
        try:
            for sid, sg in SUBSTANCE_SPACE_GROUPS.items():
                c.execute(update(Substance).where(Substance.id == sid).values(space_group_number=sg))
            for filter_string, expected in SPACE_GROUP_FALLBACK:
                assert _ids(c, filter_string) == expected, filter_string
        finally:
            c.rollback()
    assert ids(engine, "_matinfo_space_group IS UNKNOWN") == {7, 9}  # the other tests' store is intact


FOREIGN = [
    ("_mp_band_gap > 1", set()),
    ("NOT _mp_band_gap > 1", set()),
    ("_mp_band_gap IS UNKNOWN", ALL),
    ("_mp_band_gap IS KNOWN", set()),
    ("_mp_x > 1 OR nelements = 4", {5}),
]


@pytest.mark.parametrize(("filter_string", "expected"), FOREIGN)
def test_other_providers_fields_are_unknown(engine, filter_string, expected):
    with pytest.warns(UserWarning, match="treated as unknown"):
        assert ids(engine, filter_string) == expected


def _kleene(engine, expr, leaves, cache):
    """(true set, false set) of ``expr`` from the leaves' own sets, by Kleene's three-valued logic."""
    if isinstance(expr, str):
        if expr not in cache:
            cache[expr] = (ids(engine, expr), ids(engine, f"NOT ({expr})"))
        return cache[expr]
    op, *parts = expr
    sets = [_kleene(engine, p, leaves, cache) for p in parts]
    if op == "NOT":
        return sets[0][1], sets[0][0]
    t = [s[0] for s in sets]
    f = [s[1] for s in sets]
    if op == "AND":
        return set.intersection(*t), set.union(*f)
    return set.union(*t), set.intersection(*f)


def _render(expr) -> str:
    if isinstance(expr, str):
        return expr
    op, *parts = expr
    if op == "NOT":
        return f"NOT ({_render(parts[0])})"
    return "(" + f" {op} ".join(_render(p) for p in parts) + ")"


def test_random_combinations_follow_three_valued_logic(engine):
    leaves = [
        'elements HAS "Li"',
        "nelements > 2",
        "_matinfo_space_group = 161",
        "nsites > 10",
        "_matinfo_band_gap > 3",
        '_matinfo_dataset = "obelix"',
        "chemical_formula_reduced IS KNOWN",
        'elements:elements_ratios HAS "O":>0.55',
        "_matinfo_year >= 2010",
    ]
    rng = random.Random(7)

    def grow(depth):
        if depth == 0 or rng.random() < 0.3:
            return rng.choice(leaves)
        op = rng.choice(["AND", "OR", "NOT"])
        if op == "NOT":
            return ("NOT", grow(depth - 1))
        return (op, *(grow(depth - 1) for _ in range(rng.randint(2, 3))))

    cache: dict = {}
    for _ in range(15):
        expr = grow(3)
        true_set, false_set = _kleene(engine, expr, leaves, cache)
        assert ids(engine, _render(expr)) == true_set, _render(expr)
        assert ids(engine, f"NOT ({_render(expr)})") == false_set, _render(expr)
        assert not true_set & false_set


# ------------------------------------------------------------------------------------------------------------
# Errors (no database needed)


def _error(filter_string) -> QueryError:
    with pytest.raises(QueryError) as info:
        optimade_clause(filter_string)
    assert isinstance(info.value, ValueError)
    return info.value


def test_unknown_field_names_it_and_suggests_the_closest():
    err = _error("nelement > 3")
    assert err.field == "nelement"
    assert "unknown field" in str(err)
    assert "did you mean 'nelements'" in str(err)
    assert "chemical_formula_descriptive" in str(err)  # lists the searchable fields
    assert "_matinfo_<quantity>" in str(err)


def test_standard_field_that_cannot_be_searched():
    err = _error('chemical_formula_hill = "H2O"')
    assert "not searchable" in str(err)
    assert err.field == "chemical_formula_hill"


def test_unknown_matinfo_field_or_quantity():
    err = _error("_matinfo_band_gapp > 1")
    assert err.field == "_matinfo_band_gapp"
    assert "'_matinfo_band_gap'" in err.hint
    err = _error("_matinfo_spacegroup = 5")
    assert "'_matinfo_space_group'" in err.hint


def test_conditions_are_not_properties():
    err = _error("_matinfo_temperature > 300")
    assert "condition" in str(err)


@pytest.mark.parametrize(
    ("filter_string", "column", "hint"),
    [
        ("elements HAS Li", 14, 'double quotes: "Li"'),
        ("elements HAS 'Li'", 14, "double quotes"),
        ("nelements == 3", 12, "use = for equality"),
        ("nelements >", 12, "ends too early"),
        ("(nelements > 3", 15, "ends too early"),
        ('Elements HAS "Li"', 1, "lower case: elements"),
        ("nelements > 3 and nelements < 5", None, "upper case: write AND"),
        ('elements has "Li"', 10, "upper case: write HAS"),
        ("nelements > 3 && nelements < 5", 15, "AND, OR"),
        ('chemical_formula_descriptive = "LiNbO3', 32, "not closed"),
        ("nelements > 3)", 14, None),
    ],
)
def test_syntax_errors_quote_the_filter_the_column_and_a_hint(filter_string, column, hint):
    err = _error(filter_string)
    assert err.value == filter_string
    assert repr(filter_string) in str(err)
    assert "syntax error" in str(err)
    if column is not None:
        assert f"column {column}" in str(err)
    if hint is not None:
        assert hint in err.hint
    assert err.__cause__ is None and err.__suppress_context__  # the lark exception does not leak


@pytest.mark.parametrize(
    ("filter_string", "message"),
    [
        ("nelements = nsites", "comparing two properties"),
        ('elements = "Li"', "is a list"),
        ("nelements HAS 3", "HAS applies to lists"),
        ('nelements CONTAINS "3"', "applies to text fields"),
        ("nelements LENGTH 3", "LENGTH applies to lists"),
        ("references.id = 3", "nested property names"),
        ("3 < 5", "compares two constants"),
        ('elements:nelements HAS "Li":3', "correlated HAS"),
        ('elements:elements_ratios HAS "Li":>0.1:3', "needs 2 values per item, got 3"),
        ('elements HAS "li"', "not an element symbol"),
        ('elements HAS < "Li"', "cannot be compared with <"),
        ('elements HAS ANY "Li", 3', "element symbols"),
        ('elements_ratios HAS "0.5"', "holds numbers"),
        ('nelements = "3"', "is a number"),
        ("id = 3", "compare it with a string"),
        ('chemical_formula_reduced CONTAINS "Li"', "not supported on chemical_formula_reduced"),
        ('chemical_formula_reduced = "Xq2"', "not a chemical formula"),
        ('chemical_formula_anonymous = "a2b"', "not an anonymous formula"),
        ('last_modified > "yesterday"', "RFC 3339"),
        ('_matinfo_band_gap > "1.5"', "is a number (in eV)"),
        ("_matinfo_is_metal = 1", "true or false"),
        ('_matinfo_chemical_system = "Li-Xx"', "not an element symbol"),
        ("nelements = TRUE", "is a number"),
    ],
)
def test_unsupported_or_ill_typed_comparisons(filter_string, message):
    assert message in str(_error(filter_string))


def test_case_hint_for_element_symbols():
    assert 'write "Li"' in _error('elements HAS "li"').hint


def test_not_a_string():
    with pytest.raises(QueryError, match="is a string"):
        optimade_clause(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "filter_string",
    [
        '"',
        "(",
        ")",
        "NOT",
        "AND",
        "elements HAS",
        "elements HAS ALL",
        "nelements > > 3",
        "x = 1e",
        "= 3",
        "nelements = 3 OR",
        '"a" = "b"',
        "3 = 3",
        "elements LENGTH > 2.5",
        "a:b HAS 1:2",
        "\x00",
        "é = 1",
        "elements HAS ONLY",
        'elements HAS ALL "Li":"O"',
        "nelements IS",
        "nelements IS NULL",
        "NOT NOT nelements = 4",
    ],
)
def test_bad_filters_raise_only_query_errors(filter_string):
    _error(filter_string)


# ------------------------------------------------------------------------------------------------------------
# The public table


def test_fields_are_documented():
    doc = optimade.__doc__
    for name, info in OPTIMADE_FIELDS.items():
        assert info.name == name
        assert info.type in ("string", "integer", "float", "list", "timestamp", "boolean")
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", info.source), info.source
        assert info.description
        assert f"``{name}``" in doc, f"{name} missing from the module documentation"
    assert "_matinfo_<quantity>" in doc


def test_fields_table_is_read_only():
    with pytest.raises(TypeError):
        OPTIMADE_FIELDS["x"] = None  # type: ignore[index]


def test_clause_needs_no_database_dialect():
    """The same clause object compiles for both dialects (no dialect-specific constructs)."""
    from sqlalchemy.dialects import postgresql, sqlite

    stmt = select(Material.id).where(
        optimade_clause(
            'elements HAS ONLY "Li","O" AND chemical_formula_descriptive ENDS "O" AND _matinfo_doi IS KNOWN'
        )
    )
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        assert "material_elements" in str(stmt.compile(dialect=dialect))


def test_no_warning_for_our_own_fields():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimade_clause('_matinfo_band_gap > 1 AND chemical_formula_anonymous = "A2B"')
