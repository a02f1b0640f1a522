"""Workers: claim jobs from the queue, run them with the configured runner, record the outcome.

:func:`work` is what ``matinfo calc run`` does: ``parallel`` threads each claim a job, run it (the calculation
itself is a separate process, a SLURM job or a Dask task), heartbeat its lease while it runs, and complete or
fail it, until no job is left.  A worker that finds only jobs that wait (for their references, or for the lease
of a crashed worker to expire) waits for them unless ``wait=False``.  Each attempt runs in its own folder,
``<workdir>/<job key[:16]>/attempt-<n>``, so a new attempt never reads a dead one's files.

Failures: bad input (overlaps, elements, a missing executable or pseudopotential) fails the job at once; a
calculation that ran and failed is queued again until it has had ``max_attempts`` runs.  Ctrl-C stops the
calculation and gives its job back to the queue (with ``parallel > 1`` the other threads' jobs are taken over
when their leases expire).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from matinfo.calc.config import CalcConfig
from matinfo.calc.errors import CalcConfigError, CalculationError
from matinfo.calc.jobs import Job, JobQueue
from matinfo.calc.runners import LeaseLost, execute, make_runner
from matinfo.errors import MatinfoError, ParameterError, StructureError

__all__ = ["work", "run_job", "WorkReport", "worker_name"]


def worker_name() -> str:
    """``host:pid:random`` — unique per worker, readable in ``matinfo calc status``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class WorkReport:
    """What :func:`work` did: job IDs done, failed (for good), queued again after a failure, lost to others."""

    done: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "done": self.done,
            "failed": self.failed,
            "retried": self.retried,
            "lost": self.lost,
            "seconds": round(self.seconds, 2),
        }


def run_job(queue: JobQueue, job: Job, worker: str, *, config: CalcConfig, runner: Any, lease: float) -> str:
    """Run a claimed ``job``; returns ``"done"``, ``"failed"``, ``"queued"`` (to be retried) or ``"lost"``."""
    workdir = config.workdir / job.key[:16] / f"attempt-{job.attempts}"

    def beat() -> bool:
        return queue.heartbeat(job.id, worker, lease=lease)

    try:
        result = execute(
            job.spec(),
            config=config,
            workdir=workdir,
            runner=runner,
            heartbeat=beat,
            provenance={"worker": worker, "attempt": job.attempts, "job": job.key},
        )
    except LeaseLost:
        return "lost"
    except KeyboardInterrupt:  # Ctrl-C: the calculation is stopped (runner); the job goes back to the queue
        queue.release(job.id, worker)
        raise
    except (StructureError, CalcConfigError, ParameterError) as e:
        return queue.fail(job.id, worker, str(e), retry=False) or "lost"
    except (CalculationError, MatinfoError) as e:
        return queue.fail(job.id, worker, str(e), retry=True) or "lost"
    except Exception as e:  # noqa: BLE001 - an engine bug must not kill the worker; record it, retry
        msg = f"{e.__class__.__name__}: {e}\n{traceback.format_exc()[-4000:]}"
        return queue.fail(job.id, worker, msg, retry=True) or "lost"
    try:
        return "done" if queue.complete(job.id, worker, result) else "lost"
    except (
        MatinfoError
    ) as e:  # the result could not be published (nothing of it was written): keep it visible
        return queue.fail(job.id, worker, f"the result could not be stored: {e}", retry=False) or "lost"


def work(
    db: Any,
    *,
    config: CalcConfig | None = None,
    worker: str | None = None,
    parallel: int = 1,
    max_jobs: int | None = None,
    tag: str | None = None,
    wait: bool = True,
    runner: Any = None,
    on_event: Callable[[str, Job], None] | None = None,
) -> WorkReport:
    """Run queued jobs of the store ``db`` until none is left (or ``max_jobs`` were run).

    Parameters
    ----------
    parallel : int
        Jobs run at the same time (threads, each waiting on its own calculation process).
    wait : bool
        Keep waiting while jobs are running elsewhere or wait for their requirements; False: stop as soon as
        nothing can be claimed.
    on_event : callable or None
        Called as ``on_event(outcome, job)`` with outcome ``"start"``, ``"done"``, ``"failed"``, ``"queued"`` or
        ``"lost"`` (for progress bars).
    """
    from matinfo.store import Database, connect

    if parallel < 1:
        raise ParameterError(f"parallel must be at least 1, not {parallel}")
    config = config or CalcConfig()
    store = db if isinstance(db, Database) else connect(str(db))
    queue = JobQueue(store, max_attempts=config.runner.max_attempts)
    name = worker or worker_name()
    runner = runner if runner is not None else make_runner(config)
    report = WorkReport()
    lock = threading.Lock()
    started = [0]
    t0 = time.perf_counter()

    def take() -> bool:
        with lock:
            if max_jobs is not None and started[0] >= max_jobs:
                return False
            started[0] += 1
            return True

    def give_back() -> None:
        with lock:
            started[0] -= 1

    def loop(i: int) -> None:
        me = name if parallel == 1 else f"{name}/{i}"
        while take():
            job = queue.claim(me, lease=config.runner.lease, tag=tag)
            if job is None:
                give_back()
                if wait and _anything_pending(queue, tag):
                    time.sleep(min(2.0, max(config.runner.poll, 0.2)))
                    continue
                return
            if on_event:
                on_event("start", job)
            outcome = run_job(queue, job, me, config=config, runner=runner, lease=config.runner.lease)
            with lock:
                {"done": report.done, "failed": report.failed, "queued": report.retried, "lost": report.lost}[
                    outcome
                ].append(job.id)
            if on_event:
                on_event(outcome, job)

    try:
        if parallel == 1:
            loop(0)
        else:
            threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(parallel)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    finally:
        close = getattr(runner, "close", None)
        if close is not None:
            close()
    report.seconds = time.perf_counter() - t0
    return report


def _anything_pending(queue: JobQueue, tag: str | None) -> bool:
    """Jobs that may become claimable: running ones (their follow-ups, or an expired lease), queued ones."""
    counts = queue.counts(tag=tag)
    return counts["running"] > 0 or counts["queued"] > 0
