"""A worker killed (SIGKILL) in the middle of a calculation: its job is taken over when the lease expires and
completes exactly once, with one published result."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from matinfo.calc.config import load_config
from matinfo.calc.engines import make_spec
from matinfo.calc.jobs import JobQueue
from matinfo.calc.work import work
from matinfo.store import connect
from matinfo.store import models as m
from tests.conftest import REPO


def _wait_for(predicate, timeout=90.0, what="condition"):
    t0 = time.monotonic()
    while not predicate():
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _children(pid: int) -> list[int]:
    """PIDs of the live calculation workers (``matinfo.calc.worker``) whose parent is ``pid``."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z" and "matinfo.calc.worker" in cmd:
            out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_killed_worker_job_completes_exactly_once(db_url, tmp_path, cu3au, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))  # the calculation processes import the test engine
    cfg = tmp_path / "calc.toml"
    cfg.write_text(
        f'[runner]\nworkdir = "{tmp_path / "work"}"\nlease = 3\npoll = 0.1\n\n'
        '[engines.slow-emt]\nplugin = "tests.calc.slow_engine:SlowEMT"\n'
    )
    config = load_config(cfg)
    db = connect(db_url)
    q = JobQueue(db)
    job, _ = q.submit(make_spec("slow-emt", "static", cu3au, label="Cu3Au", config=config))
    attempt1 = config.workdir / job.key[:16] / "attempt-1"

    env = {**os.environ, "COLUMNS": "120"}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "matinfo",
            "calc",
            "run",
            "--db",
            db_url,
            "--config",
            str(cfg),
            "--format",
            "json",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(lambda: (attempt1 / "started").exists(), what="the calculation to start")
        calcs = _children(worker.pid)
        assert calcs, "the calculation process should be running"
        running = q.get(job.id)
        assert running.state == "running" and running.attempts == 1
        os.kill(worker.pid, signal.SIGKILL)  # mid-run
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    # the calculation dies with its worker (no orphan writing into attempt-1)
    _wait_for(lambda: not any(map(_alive, calcs)), timeout=10, what="the orphan calculation to die")
    assert q.get(job.id).state == "running"  # the dead worker still holds the lease, for now

    report = work(db, config=config)  # waits for the lease to expire, takes the job over
    assert report.done == [job.id], q.get(job.id).error
    done = q.get(job.id)
    assert done.state == "done" and done.attempts == 2 and done.result.energy < 0
    assert done.result.provenance["attempt"] == 2
    assert not (attempt1 / "results.json").exists()

    def published():
        with db.session() as s:
            props = s.scalar(
                select(func.count())
                .select_from(m.Property)
                .where(m.Property.location == f"calc job {job.key[:16]}")
            )
            mats = s.scalar(
                select(func.count()).select_from(m.ExternalId).where(m.ExternalId.value == job.key)
            )
        return props, mats

    assert published() == (1, 1)
    assert work(db, config=config).done == []  # nothing left; nothing written twice
    assert published() == (1, 1)
    db.close()
