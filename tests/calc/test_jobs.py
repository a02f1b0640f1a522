"""The job queue in the store (SQLite and PostgreSQL): idempotent submission, leases, retries, exactly-once
completion with the results published as properties."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from matinfo.calc.engines import make_spec
from matinfo.calc.jobs import JobQueue
from matinfo.calc.runners import execute
from matinfo.calc.work import work
from matinfo.store import models as m


def _count(db, model, *where):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_submit_is_idempotent(db, cu, cu3au):
    q = JobQueue(db)
    a, created = q.submit(make_spec("emt", "relax", cu, label="Cu.cif"))
    b, again = q.submit(make_spec("emt", "relax", cu, {"fmax": 0.05}, label="other name"))
    assert created and not again and a.id == b.id and b.label == "Cu.cif"
    c, created_c = q.submit(make_spec("emt", "relax", cu3au))
    assert created_c and c.id != a.id
    assert q.counts() == {"queued": 2, "running": 0, "done": 0, "failed": 0}
    assert q.get(a.key[:10]).id == a.id and q.get(str(a.id)).key == a.key


def test_claim_complete_publishes_once(db, cu3au, config):
    q = JobQueue(db)
    job, _ = q.submit(make_spec("emt", "static", cu3au, label="Cu3Au.cif"))
    got = q.claim("w1", lease=60)
    assert got.id == job.id and got.state == "running" and got.attempts == 1 and got.claimed_by == "w1"
    assert q.claim("w2") is None  # nothing else to do
    result = execute(got.spec(), config=config)
    assert not q.complete(job.id, "w2", result)  # not w2's job: nothing written
    assert _count(db, m.Property) == 0
    assert q.complete(job.id, "w1", result)
    assert not q.complete(job.id, "w1", result)  # a second completion is refused
    done = q.get(job.id)
    assert done.state == "done" and done.result == result and done.material_id is not None
    mat = db.get_material(done.material_id)
    assert mat.external_ids == [("calc-job", job.key)] and mat.name == "Cu3Au.cif"
    sub = db.get_substance(mat.substance_id)
    assert sub.reduced_formula == "Cu3Au" and sub.space_group == 221
    props = [p for p in sub.properties if p.material_id == mat.id]
    assert [p.quantity for p in props] == ["energy_per_atom"]
    p = props[0]
    assert p.method == "calculation" and p.value == pytest.approx(result.energy_per_atom)
    assert p.unit == "eV/atom" and p.conditions["engine"] == "emt" and p.conditions["task"] == "static"
    assert p.conditions["parameter_hash"] == f"sha256:{result.parameter_hash}"
    assert p.conditions["engine_version"] == result.engine_version
    assert p.produced_by.startswith("ase-emt") and "params:" in p.produced_by


def test_expired_lease_is_claimed_again(db, cu):
    q = JobQueue(db)
    job, _ = q.submit(make_spec("emt", "static", cu))
    assert q.claim("dead", lease=0.3).id == job.id
    assert q.claim("w2", lease=60) is None  # the lease is alive
    assert q.heartbeat(job.id, "dead", lease=0.3)
    time.sleep(0.5)
    again = q.claim("w2", lease=60)
    assert again.id == job.id and again.attempts == 2 and again.claimed_by == "w2"
    assert not q.heartbeat(job.id, "dead")  # the dead worker's lease is gone
    assert q.fail(job.id, "dead", "late") is None


def test_worker_that_dies_too_often_fails_the_job(db, cu):
    q = JobQueue(db, max_attempts=2)
    job, _ = q.submit(make_spec("emt", "static", cu))
    for name in ("a", "b"):
        assert q.claim(name, lease=0.05).id == job.id
        time.sleep(0.1)
    assert q.claim("c") is None
    failed = q.get(job.id)
    assert failed.state == "failed" and "died 2 times" in failed.error
    assert q.retry() == 1 and q.get(job.id).state == "queued" and q.get(job.id).attempts == 0


def test_failures_are_retried_then_failed(db, cu):
    q = JobQueue(db, max_attempts=2)
    job, _ = q.submit(make_spec("emt", "static", cu))
    q.claim("w")
    assert q.fail(job.id, "w", "SCF did not converge") == "queued"
    q.claim("w")
    assert q.fail(job.id, "w", "SCF did not converge again") == "failed"
    assert q.get(job.id).error == "SCF did not converge again"


def test_requirements_are_waited_for(db, cu, cu3au):
    q = JobQueue(db)
    ref, _ = q.submit(make_spec("emt", "static", cu))
    dep, _ = q.submit(make_spec("emt", "static", cu3au), requires=[ref.key], priority=5)
    assert q.claim("w").id == ref.id  # the dependent job has the higher priority but must wait
    assert q.claim("w") is None
    q.fail(ref.id, "w", "broken", retry=False)
    assert q.claim("w") is None
    assert q.get(dep.id).state == "failed" and "required job" in q.get(dep.id).error


def test_work_runs_everything_and_skips_done(db, cu, cu3au, config):
    q = JobQueue(db)
    q.submit(make_spec("emt", "static", cu))
    q.submit(make_spec("emt", "relax", cu3au, {"steps": 5}))
    events = []
    report = work(db, config=config, parallel=2, on_event=lambda o, j: events.append((o, j.id)))
    assert sorted(report.done) == [1, 2] and not report.failed
    assert sorted(e for e in events if e[0] == "done") == [("done", 1), ("done", 2)]
    assert q.counts()["done"] == 2
    assert _count(db, m.Property, m.Property.method == "calculation") == 2
    again = work(db, config=config)
    assert again.done == [] and _count(db, m.Property) == 2


def test_interrupted_worker_gives_the_job_back(db, cu, config, monkeypatch):
    import matinfo.calc.work as w

    q = JobQueue(db)
    job, _ = q.submit(make_spec("emt", "static", cu))

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(w, "execute", interrupted)
    with pytest.raises(KeyboardInterrupt):
        work(db, config=config)
    back = q.get(job.id)
    assert back.state == "queued" and back.attempts == 0 and back.claimed_by is None
