"""Campaigns in the store (SQLite and PostgreSQL): the log survives crashes, races and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import inspect

from matinfo.errors import NotFoundError, ParameterError, StoreError
from matinfo.optimize import Campaign, Categorical, DiscreteSpace, ParameterSpace, Real, list_campaigns
from matinfo.optimize.storage import StoreLog
from tests.optimize.conftest import energy_lookup


@pytest.fixture
def pool(cu_slice):
    frame = cu_slice.iloc[::5].reset_index(drop=True)  # 600 translations keep the tests quick
    return frame.assign(cost=np.where(frame["dx"] > 4, 3.0, 1.0))


def _space(frame, **kw):
    return DiscreteSpace.from_frame(frame, features=["dx", "dz"], id_col="id", **kw)


def test_create_load_and_list(db, pool):
    camp = Campaign.create(
        db,
        "cu-210",
        _space(pool, cost_col="cost"),
        target="gb_energy",
        maximize=False,
        seed=4,
        n_initial=3,
        acquisition="ts",
    )
    s = camp.suggest(3)
    camp.observe(s["id"][:2], energy_lookup(pool)(s["id"][:2]), note="furnace A")
    again = Campaign.load(db, "cu-210")
    assert again.status() == camp.status()
    assert list(again.space.ids) == list(pool["id"]) and np.allclose(again.space.cost, pool["cost"])
    assert again.settings.acquisition == "ts" and again.n_initial == 3 and not again.maximize
    assert again.events()[1].payload["note"] == "furnace A" and again.events()[0].created_at is not None
    (row,) = list_campaigns(db)
    assert row["name"] == "cu-210" and row["events"] == 2 and row["goal"] == "minimize"
    with pytest.raises(ParameterError, match="exists already"):
        Campaign.create(db, "cu-210", _space(pool), target="e")
    with pytest.raises(NotFoundError, match="no campaign named 'cu-201'.*cu-210"):
        Campaign.load(db, "cu-201")


def test_resume_after_a_crash_gives_the_same_suggestions(db, pool, monkeypatch):
    """A stored campaign reloaded before every step — and once killed inside suggest() before its event was
    written — proposes exactly what an uninterrupted in-memory campaign proposes."""
    energy = energy_lookup(pool)
    ref = Campaign(_space(pool), target="e", maximize=False, seed=7, n_initial=4)
    expected = []
    for _ in range(8):
        s = ref.suggest(2)
        expected.append(list(s["id"]))
        ref.observe(s["id"], energy(s["id"]))

    Campaign.create(db, "resume", _space(pool), target="e", maximize=False, seed=7, n_initial=4)
    got = []
    for step in range(8):
        camp = Campaign.load(db, "resume")  # a fresh process every time
        if step == 5:
            real_append = StoreLog.append

            def crash(self, kind, payload, *, seq, real_append=real_append):
                if kind == "suggestion":
                    raise KeyboardInterrupt("power cut")
                return real_append(self, kind, payload, seq=seq)

            monkeypatch.setattr(StoreLog, "append", crash)
            with pytest.raises(KeyboardInterrupt):
                camp.suggest(2)
            monkeypatch.setattr(StoreLog, "append", real_append)
            camp = Campaign.load(db, "resume")
            assert camp.status()["pending"] == []  # nothing half-written
        s = camp.suggest(2)
        got.append(list(s["id"]))
        Campaign.load(db, "resume").observe(s["id"], energy(s["id"]))
    assert got == expected
    assert Campaign.load(db, "resume").status()["observed"] == 16


def test_a_stale_writer_cannot_interleave(db, pool):
    a = Campaign.create(db, "race", _space(pool), target="e", seed=0)
    b = Campaign.load(db, "race")
    a.suggest(1)
    with pytest.raises(StoreError, match="changed meanwhile"):
        b._log.append("cancellation", {"ids": [], "reason": ""}, seq=1)  # b still believes the log is empty
    assert len(Campaign.load(db, "race").events()) == 1
    b.suggest(1)  # every public call re-reads the log first
    assert len(Campaign.load(db, "race").events()) == 2


def test_bad_input_loses_nothing(db, pool):
    camp = Campaign.create(db, "strict", _space(pool), target="e", seed=0)
    s = camp.suggest(2)
    camp.observe([s["id"][0]], [0.99])
    for cands, values in (([s["id"][1]], [float("nan")]), (["bogus"], [1.0]), ([s["id"][0]], [1.0])):
        with pytest.raises((ParameterError, NotFoundError)):
            camp.observe(cands, values)
    fresh = Campaign.load(db, "strict")
    assert [e.kind for e in fresh.events()] == ["suggestion", "observation"]
    assert fresh.status()["pending"] == [s["id"][1]] and fresh.best()["value"] == 0.99


def test_parameter_campaign_and_transfer_between_stored_campaigns(db, cu_gb):
    space = ParameterSpace(
        [Real("dx", 0, 8), Real("dz", 0, 3.6), Categorical("anneal", ["no", "yes"])], cost="1 + dx / 8"
    )
    table = cu_gb[np.isclose(cu_gb["gb"], 1.2)].set_index(["dx", "dz"])["gb_energy"]

    def energy(p):  # nearest grid translation; annealing lowers the energy a little
        return float(table[(round(p["dx"], 1), round(p["dz"], 1))]) - (0.001 if p["anneal"] == "yes" else 0.0)

    src = Campaign.create(db, "earlier", space, target="e", maximize=False, seed=1, n_initial=5, n_raw=256)
    for _ in range(4):
        s = src.suggest(2)
        src.observe(s["id"], [energy(p) for p in s[["dx", "dz", "anneal"]].to_dict("records")])
    camp = Campaign.create(
        db,
        "follow-up",
        space,
        target="e",
        maximize=False,
        seed=2,
        n_initial=2,
        transfer_from=["earlier"],
        n_raw=256,
    )
    s = camp.suggest(2)
    camp.observe(s["id"], [energy(p) for p in s[["dx", "dz", "anneal"]].to_dict("records")])
    reloaded = Campaign.load(db, "follow-up")
    assert reloaded.space.spec() == space.spec() and reloaded.transfer_from == ("earlier",)
    t = reloaded.suggest(1)
    assert (
        t["strategy"].iloc[0] == "model" and t["id"].iloc[0] == "s2.1" and np.isfinite(t["predicted"].iloc[0])
    )
    with pytest.raises(NotFoundError, match="no campaign named 'missing'"):
        Campaign.create(db, "orphan", space, target="e", transfer_from=["missing"])


def test_migration_0004_up_and_down(tmp_path):
    from alembic import command

    from matinfo.store import connect
    from matinfo.store.migrate import _config, upgrade

    db = connect(f"sqlite:///{tmp_path / 'm.db'}", migrate=False)
    upgrade(db.engine, "0003")
    assert "campaigns" not in inspect(db.engine).get_table_names()
    upgrade(db.engine)
    assert {"campaigns", "campaign_candidates", "campaign_events"} <= set(
        inspect(db.engine).get_table_names()
    )
    with db.engine.begin() as conn:
        command.downgrade(_config(conn), "0003")
    assert "campaign_events" not in inspect(db.engine).get_table_names()
