"""The shortcuts of a bulk import give exactly what the slow paths give.

Plain-formula reading, pymatgen-equivalent names, cached unit conversion and raw DBAPI inserts (executemany on
SQLite, COPY on PostgreSQL) each replace a slower general path; these tests pin them to it.
"""

from __future__ import annotations

import json
import random

import pytest
from pymatgen.core import Composition

from matinfo.core import keys, units
from matinfo.core.formula import parse_formula
from matinfo.core.quantities import check_unit, get_quantity, to_canonical
from matinfo.errors import FormulaError, MatinfoError

FORMULAS = [
    "LiNbO3",
    "Li6.4La3Zr1.4Ta0.6O12",
    "Fe2O3",
    "O2",
    "H2O",
    "HO",
    "LiO",
    "CuSO4",
    "Ca3P2O8",
    "FeFe",
    "Fe0.5Fe0.5O",
    "NaCl",
    "Co",
    "CO",
    "He",
    "XeF2",
    "KrF2",
    "Li2Ne",
    "Ba2YCu3O7",
    "Fe12.5O0.001",
    # not plain: the full parser decides
    "CuSO4.5H2O",
    "Fe0.5H2O",
    "Nby",
    "Li2Xx3",
    "Fe0O1",
    "Fe0",
    "Fe2 O3",
    "Fe.5",
    "Ca3(PO4)2",
    "[Li0.95Nb0.01]NbO3",
    "Li1+xAlxTi2-x(PO4)3",
    "D2O",
    "",
    "Li₂O",
    "Fe" + "9" * 400,
]


def _fields(p):
    comp = None if p.composition is None else list(p.composition.get_el_amt_dict().items())
    amounts = [(k, str(v), v.const, v.coefs) for k, v in p.amounts.items()]
    return (p.original, amounts, p.variables, dict(p.values), comp, p.reason, p.sites, p.notation)


@pytest.mark.parametrize("text", FORMULAS)
def test_plain_formula_reader_equals_the_parser(text):
    fast = keys.parse_plain_formula(text)
    try:
        full = parse_formula(text)
    except FormulaError:
        assert fast is None
        return
    assert fast is None or _fields(fast) == _fields(full)


def test_plain_formula_reader_takes_plain_formulas():
    assert keys.parse_plain_formula("Li6.4La3Zr1.4Ta0.6O12") is not None
    assert all(keys.parse_plain_formula(t) is None for t in ("CuSO4.5H2O", "Nby", "Fe2 O3", "Ca3(PO4)2"))


def test_plain_formula_reader_on_oqmd_formulas():
    crabnet = pytest.importorskip("crabnet")
    from pathlib import Path

    path = Path(crabnet.__file__).parent / "data" / "benchmark_data" / "OQMD_Bandgap" / "val.csv"
    if not path.is_file():
        pytest.skip("no OQMD data in crabnet")
    texts = [line.split(",")[0] for line in path.read_text().splitlines()[1:]][:5000]
    for text in texts:
        fast = keys.parse_plain_formula(text)
        assert fast is not None and _fields(fast) == _fields(parse_formula(text))
        ck = keys.composition_keys(fast.composition)
        assert (ck.reduced_formula, ck.anonymous_formula) == (
            fast.composition.reduced_formula,
            fast.composition.anonymized_formula,
        )


def _random_items(rng: random.Random) -> tuple[tuple[str, float], ...]:
    symbols = list(keys._electronegativities())
    els = rng.sample(symbols, rng.randint(1, 6))
    if rng.random() < 0.6:
        return tuple((e, float(rng.randint(1, 12))) for e in els)
    picks = [0.5, 0.25, 1 / 3, 0.1, 2.5, 7.0]
    return tuple((e, float(f"{rng.choice([*picks, rng.random() * 5 + 1e-3]):.6g}")) for e in els)


def test_names_equal_pymatgen():
    rng = random.Random(7)
    cases = [_random_items(rng) for _ in range(3000)]
    cases += [(("Li", 2.0), ("O", 2.0)), (("O", 4.0),), (("Ca", 3.0), ("P", 2.0), ("O", 8.0)), (("He", 1.0),)]
    cases += [(("Cu", 1.0), ("S", 1.0), ("O", 4.0), ("H", 10.0)), (("Xe", 1.0), ("F", 2.0), ("Ne", 3.0))]
    for items in cases:
        comp = Composition(dict(items))
        assert keys._fast_names(items) == (comp.reduced_formula, comp.anonymized_formula), items


def test_composition_keys_equal_the_single_keys():
    for text in ("Li6.4La3Zr1.4Ta0.6O12", "Li2Nb2O6", "Fe0.5Fe0.5O", "He"):
        comp = parse_formula(text).composition
        k = keys.composition_keys(comp)
        assert k.reduced_formula == keys.reduced_formula(comp)
        assert k.anonymous_formula == keys.anonymous_formula(comp)
        assert k.chemical_system == keys.chemical_system(comp)
        assert k.formula_hash == keys.formula_hash(comp)
        assert k.fractions == keys.atomic_fractions(comp)
        assert k.amounts == comp.get_el_amt_dict()


@pytest.mark.parametrize(
    ("quantity", "value", "unit"),
    [
        ("ionic_conductivity", 0.1, "mS/cm"),
        ("temperature", 25, "°C"),
        ("band_gap", 1100, "meV"),
        ("formation_energy_per_atom", -0.5, "eV/atom"),
        ("pressure", 1, "atm"),
    ],
)
def test_cached_conversion_equals_convert(quantity, value, unit):
    q = get_quantity(quantity)
    for _ in range(2):  # the second call is served from the cache
        assert to_canonical(quantity, value, unit) == units.convert(float(value), unit, q.canonical_unit)


@pytest.mark.parametrize(
    ("quantity", "unit"),
    [("band_gap", "S/cm"), ("band_gap", None), ("formation_energy_per_atom", "eV/fu"), ("zt", "K")],
)
def test_cached_unit_errors_are_located_each_time(quantity, unit):
    msgs = []
    for line in (3, 4):
        with pytest.raises(MatinfoError) as err:
            to_canonical(quantity, 1.0, unit, source="a.csv", line=line, field="x")
        msgs.append(str(err.value))
        with pytest.raises(MatinfoError):
            check_unit(quantity, unit)
    assert "a.csv:3" in msgs[0] and "a.csv:4" in msgs[1] and "field 'x'" in msgs[1]


def test_bulk_rows_are_stored_like_sqlalchemy_stores_them(db):
    """JSON None is JSON null, datetimes in the dialect's format, defaults applied, values read back."""
    from sqlalchemy import text

    db.add_material("LiyNbO3", properties=[("band_gap", 1.0, "eV")])
    m = db.add_material("LiNbO3", properties=[("band_gap", 1.1, "eV", None, {"temperature": 300})])
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT composition, variables FROM materials ORDER BY id")).all()
        conds = conn.execute(text("SELECT conditions FROM properties ORDER BY id")).scalars().all()
        created = conn.execute(text("SELECT created_at FROM materials")).scalars().all()
    as_json = [tuple(json.loads(x) if isinstance(x, str) else x for x in r) for r in rows]
    assert as_json == [(None, ["y"]), ({"Li": 1.0, "Nb": 1.0, "O": 3.0}, None)]
    assert [json.loads(c) if isinstance(c, str) else c for c in conds] == [{}, {"temperature": 300.0}]
    if db.engine.dialect.name == "sqlite":  # SQLAlchemy's storage format, not sqlite3's adapter
        assert all(len(c) == 26 and "+" not in c for c in created)
    assert db.get_material(m.id).composition == {"Li": 1.0, "Nb": 1.0, "O": 3.0}


def test_plain_formula_composition_is_lazy_and_equal():
    import copy
    import dataclasses

    fast, full = keys.parse_plain_formula("Li6.4La3Zr1.4Ta0.6O12"), parse_formula("Li6.4La3Zr1.4Ta0.6O12")
    assert "composition" not in vars(fast) and fast.is_resolved
    assert keys.plain_amounts(fast) == full.composition.get_el_amt_dict()
    assert fast == full and full == fast and hash(fast) == hash(full)
    assert fast.composition == full.composition and fast.composition is fast.composition
    assert copy.copy(fast) == full
    assert dataclasses.replace(fast, reason="x").reason == "x"
    assert keys.plain_amounts(full) is None
    # amounts pymatgen drops (< 1e-8) keep the eager composition
    tiny = keys.parse_plain_formula("FeO0.000000005")
    assert tiny is not None and keys.plain_amounts(tiny) is None
    assert _fields(tiny) == _fields(parse_formula("FeO0.000000005"))


@pytest.mark.parametrize("text", FORMULAS)
def test_keys_of_plain_amounts_equal_keys_of_composition(text):
    fast = keys.parse_plain_formula(text)
    amounts = fast is not None and keys.plain_amounts(fast)
    if amounts:
        expected = keys.composition_keys(parse_formula(text).composition)
        assert keys.composition_keys(amounts) == expected == keys.plain_composition_keys(amounts)


def test_keys_of_plain_amounts_on_oqmd_formulas():
    crabnet = pytest.importorskip("crabnet")
    from pathlib import Path

    path = Path(crabnet.__file__).parent / "data" / "benchmark_data" / "OQMD_Energy_per_atom" / "val.csv"
    if not path.is_file():
        pytest.skip("no OQMD data in crabnet")
    for text in [line.split(",")[0] for line in path.read_text().splitlines()[1:]][:3000]:
        fast = keys.parse_plain_formula(text)
        assert keys.plain_composition_keys(keys.plain_amounts(fast)) == keys.composition_keys(
            parse_formula(text).composition
        )


@pytest.mark.parametrize(
    "value",
    [
        None,
        {},
        {"Li": 1.0, "Nb": 0.2, "O": 3e-10},
        {"Fe": -0.0, "O": 1e300},
        {"Fe": float("nan")},
        {"Fe": float("inf"), "O": 1.0},
        {"O": 1.0, "Fe": -float("inf")},
        {"Fe": 1},
        {"Fe": True},
        {"a b": 1.0},
        {"é": 1.0},
        {"Li": 1.0, 'x"': 2.0},
        {1: 1.0},
        {"temperature": 300.0, "atmosphere": "Ar"},
        [1, 2],
        "text",
    ],
)
def test_bulk_json_equals_json_dumps(value):
    from matinfo.store._bulk import _json

    assert _json(value) == json.dumps(value)
    assert _json(value) == json.dumps(value)  # again, with its keys remembered
