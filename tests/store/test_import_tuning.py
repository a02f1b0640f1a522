"""What a large import does beside the rows: indexes built once at the end (SQLite), planner statistics."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from matinfo.core.records import MaterialIn, PropertyIn
from matinfo.store import Query, connect
from matinfo.store import database as database_module

FORMULAS = ["LiCoO2", "Fe2O3", "TiO2", "Li2TiO3", "NiO", "CoS", "ZrO2", "LiFePO4", "TiN", "Li3N"]


def _records(n: int, tag: str = "") -> list[MaterialIn]:
    return [
        MaterialIn(
            formula=FORMULAS[i % len(FORMULAS)],
            name=f"{tag}{i}",
            properties=(PropertyIn("band_gap", 0.1 * i, "eV", method="calculation"),),
        )
        for i in range(n)
    ]


def _indexes(db) -> dict[str, set[str]]:
    insp = inspect(db.engine)
    return {t: {i["name"] for i in insp.get_indexes(t)} for t in insp.get_table_names()}


def test_large_import_into_empty_sqlite_store_rebuilds_every_index(tmp_path, monkeypatch):
    from matinfo.store import writer

    db = connect(str(tmp_path / "s.db"))
    before = _indexes(db)
    dropped = []
    real = writer._SqliteImport.decide

    def spy(self, *, defer):
        real(self, defer=defer)
        dropped.extend(i.name for i in self.dropped)

    monkeypatch.setattr(writer._SqliteImport, "decide", spy)
    report = db.write(_records(30), dataset="big")  # batches of 10: "large"
    assert report.materials == 30
    assert "ix_properties_quantity_value_material" in dropped  # the deferred path ran ...
    assert "ix_substances_chemical_system" not in dropped  # ... keeping what linking reads
    assert _indexes(db) == before  # ... and every index is back
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    hits = db.search(Query(elements=("Li", "Ti"), properties=("band_gap > 0.2 eV",)))
    assert [h.reduced_formula for h in hits] == ["Li2TiO3"]


def test_failed_large_import_leaves_the_indexes(tmp_path, monkeypatch):
    from matinfo.store import writer

    monkeypatch.setattr(writer, "BATCH_SIZE", 10)
    db = connect(str(tmp_path / "s.db"))
    before = _indexes(db)
    bad = [*_records(25), MaterialIn(formula="Xx2O3", name="bad")]
    with pytest.raises(Exception, match="Xx"):
        db.write(bad, dataset="big")
    assert _indexes(db) == before
    assert db.stats()["materials"] == 0


@pytest.fixture(autouse=True)
def _small_batches(monkeypatch):
    from matinfo.store import writer

    real = writer.write_records

    def small(*args, **kwargs):
        kwargs.setdefault("batch_size", 10)
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "write_records", small)


def test_large_write_refreshes_planner_statistics(db, monkeypatch):
    monkeypatch.setattr(database_module, "OPTIMIZE_AFTER", 20)
    calls = []
    real = type(db).optimize
    monkeypatch.setattr(type(db), "optimize", lambda self: (calls.append(1), real(self)))
    db.write(_records(10, "a"))
    assert calls == []
    db.write(_records(25, "b"), resumable=True)
    assert calls == [1]
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM sqlite_stat1").scalar() > 0
    assert len(db.search(Query(elements=("Ti",), limit=None))) == 3  # TiO2, Li2TiO3, TiN
