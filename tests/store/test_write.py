"""Imports are one transaction: bad input names its place and writes nothing; re-imports add nothing."""

from __future__ import annotations

import pytest

from matinfo.core.records import DatasetIn, MaterialIn, PhaseDiagramIn, PropertyIn
from matinfo.errors import FormulaError, ImportDataError, MatinfoError, UnitError


def _rec(i: int, formula: str = "LiCoO2", value="1e-4", unit="S/cm") -> MaterialIn:
    return MaterialIn(
        formula=formula,
        name=f"row{i}",
        location=f"data.csv:{i + 2}",
        properties=(PropertyIn("ionic_conductivity", value, unit, conditions={"temperature": 298.15}),),
    )


def test_bad_formula_names_file_line_field_value_and_writes_nothing(db):
    recs = [_rec(0), _rec(1, "LiFePO4"), _rec(2, "Li2Xx3"), _rec(3, "NaCl")]
    with pytest.raises(FormulaError) as err:
        db.write(recs, dataset="t")
    msg = str(err.value)
    assert "data.csv:4" in msg and "formula" in msg and "Xx" in msg
    assert db.stats()["materials"] == 0 and db.stats()["substances"] == 0


def test_bad_unit_is_located(db):
    with pytest.raises(UnitError) as err:
        db.write([_rec(0), _rec(1, unit="eV")], dataset="t")
    msg = str(err.value)
    assert "data.csv:3" in msg and "ionic_conductivity" in msg and "eV" in msg
    assert db.stats()["materials"] == 0


def test_skip_bad_writes_good_rows_and_reports_rejects(db, tmp_path):
    recs = [_rec(0), _rec(1, "Li2Xx3"), _rec(2, value="fast"), _rec(3, "NaCl")]
    rep = db.write(recs, dataset="t", skip_bad=True)
    assert rep.materials == 2 and len(rep.rejects) == 2
    assert [r.location for r in rep.rejects] == ["data.csv:3", "data.csv:4"]
    path = rep.write_rejects(tmp_path / "rejects.csv")
    text = path.read_text()
    assert "Li2Xx3" in text and "fast" in text
    assert db.stats()["materials"] == 2


def test_reimport_adds_nothing(db):
    recs = [_rec(i, f) for i, f in enumerate(["LiCoO2", "LiFePO4", "LiMn2O4"])]
    first = db.write(recs, dataset=DatasetIn("t", license="CC0"))
    again = db.write(recs, dataset=DatasetIn("t", license="CC0"))
    assert (first.materials, again.materials, again.duplicates) == (3, 0, 3)
    assert db.stats()["properties"] == 3 and db.stats()["datasets"] == 1


def test_interrupted_import_leaves_database_as_it_was(db):
    db.write([_rec(0)], dataset="t")
    before = db.stats()

    def records():
        for i in range(1, 5000):
            yield _rec(i, f"Li{i % 7 + 1}O")
            if i == 4500:
                raise KeyboardInterrupt  # what Ctrl-C does midway

    with pytest.raises(KeyboardInterrupt):
        db.write(records(), dataset="t")
    assert db.stats() == before


def test_phase_diagrams_and_substance_page(db):
    m = db.add_material("Al2O3", space_group=167)
    pd = PhaseDiagramIn(
        "O-Al",
        "formation-enthalpy convex hull (298 K)",
        t_min_K=298.15,
        t_max_K=298.15,
        data={"stable": ["Al", "O2", "Al2O3"]},
    )
    rep = db.write([pd], dataset="hulls")
    assert rep.phase_diagrams == 1
    assert db.write([pd], dataset="hulls").phase_diagrams == 0  # deduplicated
    sub = db.get_substance(m.substance_id)
    assert [d.chemical_system for d in sub.phase_diagrams] == ["Al-O"]


def test_errors_are_matinfo_errors_and_builtin(db):
    with pytest.raises(ValueError):
        db.write([_rec(0, "")], dataset="t")
    with pytest.raises(ImportDataError, match="empty formula"):
        db.write([_rec(0, "  ")], dataset="t")
    with pytest.raises(MatinfoError, match="no substance with id 999"):
        db.get_substance(999)


def test_resumable_import_continues_after_interruption(db):
    recs = [_rec(i, f"Li{1 + i % 9}Co{1 + i % 4}O{2 + i % 7}") for i in range(5000)]

    def interrupted():
        for i, r in enumerate(recs):
            if i == 4500:
                raise KeyboardInterrupt
            yield r

    with pytest.raises(KeyboardInterrupt):
        db.write(interrupted(), dataset="t", resumable=True)
    done = db.stats()["materials"]
    assert done == 4000  # two complete batches of 2,000 were committed
    rep = db.write(recs, dataset="t", resumable=True)
    assert (rep.duplicates, rep.materials) == (4000, 1000)
    assert db.stats()["materials"] == 5000
