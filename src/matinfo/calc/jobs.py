"""The job queue in the store (table ``calc_jobs``, migration 0006): submit, claim, heartbeat, complete, fail.

* **Idempotent.**  A job is identified by its spec's key (engine, task, canonical parameters, structure key):
  :meth:`JobQueue.submit` of a spec that is already queued, running or done returns that job.
* **Leases.**  A worker :meth:`~JobQueue.claim` s a job for ``lease`` seconds and renews the lease with
  :meth:`~JobQueue.heartbeat` while the calculation runs.  If the worker dies, the lease runs out and the next
  claim takes the job again (``attempts`` counts the claims; after ``max_attempts`` the job fails for good).
* **Exactly once.**  :meth:`~JobQueue.complete` changes the state only if the caller still holds the lease,
  and writes the result, the state and the published properties in one transaction: a worker that lost its
  job to another cannot also publish, and a crash in the middle publishes nothing.

Every claim and change is a conditional ``UPDATE … WHERE state = … AND claimed_by = …`` whose row count says
who won; this works the same on SQLite and PostgreSQL, without ``SELECT … FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from matinfo.calc.job_record import Job, insert_job, job_from_row
from matinfo.calc.spec import CalcResult, CalcSpec
from matinfo.errors import NotFoundError, ParameterError

__all__ = ["JobQueue", "Job", "insert_job", "STATES", "DEFAULT_LEASE"]

#: Job states: waiting, claimed by a live worker, finished with a result, failed for good.
STATES = ("queued", "running", "done", "failed")
#: Seconds a claim lasts without a heartbeat.
DEFAULT_LEASE = 120.0
#: Queued jobs looked at per claim.
CLAIM_WINDOW = 50


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class JobQueue:
    """The calculation jobs of a store (a :class:`~matinfo.store.Database`)."""

    def __init__(self, db: Any, *, max_attempts: int = 3) -> None:
        self.db = db
        self.max_attempts = max_attempts

    # -- submitting ------------------------------------------------------------------------------------------
    def submit(
        self,
        spec: CalcSpec,
        *,
        priority: int = 0,
        requires: Iterable[str] = (),
        after: Iterable[str] = (),
        workflow: Mapping[str, Any] | None = None,
        tag: str | None = None,
    ) -> tuple[Job, bool]:
        """Queue ``spec`` (checked by the caller, see :func:`~matinfo.calc.engines.check_spec`).

        Returns ``(job, created)``: the existing job and False when the same spec was submitted before.
        """
        with self.db.session() as s:
            job, created = insert_job(
                s, spec, priority=priority, requires=requires, after=after, workflow=workflow, tag=tag,
                max_attempts=self.max_attempts,
            )  # fmt: skip
        return job, created

    def retry(self, ids: Iterable[int] | None = None) -> int:
        """Queue failed jobs again (all, or those of ``ids``), with a fresh count of attempts."""
        from sqlalchemy import update

        from matinfo.store import models as m

        stmt = update(m.CalcJob).where(m.CalcJob.state == "failed")
        if ids is not None:
            stmt = stmt.where(m.CalcJob.id.in_(list(ids)))
        with self.db.session() as s:
            return s.execute(stmt.values(state="queued", attempts=0, error=None, updated_at=_now())).rowcount

    # -- working ---------------------------------------------------------------------------------------------
    def claim(self, worker: str, *, lease: float = DEFAULT_LEASE, tag: str | None = None) -> Job | None:
        """Take the next runnable job for ``worker`` (queued, or running with an expired lease); None if none.

        A job whose ``requires`` are not all done is skipped (one whose requirement failed fails too), and one
        whose ``after`` jobs are not all finished (done or failed).
        """
        from sqlalchemy import and_, or_, select

        from matinfo.store import models as m

        J = m.CalcJob
        now = _now()
        claimable = or_(J.state == "queued", and_(J.state == "running", J.lease_expires_at < now))
        stmt = select(J.id, J.state, J.attempts, J.max_attempts, J.requires, J.after).where(claimable)
        if tag is not None:
            stmt = stmt.where(J.tag == tag)
        stmt = stmt.order_by(J.priority.desc(), J.id)
        offset = 0
        while True:  # a page at a time: jobs waiting for their requirements may fill the first pages
            with self.db.session() as s:
                rows = s.execute(stmt.offset(offset).limit(CLAIM_WINDOW)).all()
            if not rows:
                return None
            offset += len(rows)
            job = self._claim_first(rows, worker, lease, now, claimable)
            if job is not None:
                return job

    def _claim_first(
        self, rows: list[Any], worker: str, lease: float, now: dt.datetime, claimable: Any
    ) -> Job | None:
        from sqlalchemy import select, update

        from matinfo.store import models as m

        J = m.CalcJob
        for r in rows:
            if r.requires:
                with self.db.session() as s:
                    states = dict(s.execute(select(J.key, J.state).where(J.key.in_(list(r.requires)))).all())
                failed = [k for k in r.requires if states.get(k) in ("failed", None)]
                if failed:
                    self._set_failed(r.id, f"required job {failed[0][:16]} failed or is missing", claimable)
                    continue
                if any(states[k] != "done" for k in r.requires):
                    continue
            if r.after:
                with self.db.session() as s:
                    states = dict(s.execute(select(J.key, J.state).where(J.key.in_(list(r.after)))).all())
                if any(states.get(k) in ("queued", "running") for k in r.after):
                    continue
            if r.state == "running" and r.attempts >= r.max_attempts:
                self._set_failed(
                    r.id, f"its worker died {r.attempts} times (lease expired); not tried again", claimable
                )
                continue
            with self.db.session() as s:
                won = s.execute(
                    update(J)
                    .where(J.id == r.id, claimable)
                    .values(
                        state="running",
                        claimed_by=worker,
                        lease_expires_at=now + dt.timedelta(seconds=lease),
                        attempts=J.attempts + 1,
                        started_at=now,
                        updated_at=now,
                    )
                ).rowcount
                if won == 1:
                    return job_from_row(s.get(J, r.id))
        return None

    def _set_failed(self, job_id: int, error: str, condition: Any) -> None:
        from sqlalchemy import update

        from matinfo.store import models as m

        with self.db.session() as s:
            s.execute(
                update(m.CalcJob)
                .where(m.CalcJob.id == job_id, condition)
                .values(
                    state="failed", error=error, claimed_by=None, lease_expires_at=None, updated_at=_now()
                )
            )

    def heartbeat(self, job_id: int, worker: str, *, lease: float = DEFAULT_LEASE) -> bool:
        """Renew ``worker``'s lease on the job; False if the worker no longer holds it."""
        from sqlalchemy import update

        from matinfo.store import models as m

        J = m.CalcJob
        now = _now()
        with self.db.session() as s:
            n = s.execute(
                update(J)
                .where(J.id == job_id, J.state == "running", J.claimed_by == worker)
                .values(lease_expires_at=now + dt.timedelta(seconds=lease), updated_at=now)
            ).rowcount
        return n == 1

    def complete(self, job_id: int, worker: str, result: CalcResult) -> bool:
        """Record ``result``, publish its properties and run the workflow's next step, in one transaction.

        False (and nothing written) when ``worker`` no longer holds the job.
        """
        from sqlalchemy import update

        from matinfo.calc import workflow
        from matinfo.calc.publish import publish_result
        from matinfo.store import models as m

        J = m.CalcJob
        now = _now()

        class _Lost(Exception):
            pass

        try:
            with self.db.session() as s:
                n = s.execute(
                    update(J)
                    .where(J.id == job_id, J.state == "running", J.claimed_by == worker)
                    .values(
                        state="done",
                        result=result.to_dict(),
                        error=None,
                        claimed_by=None,
                        lease_expires_at=None,
                        finished_at=now,
                        updated_at=now,
                    )
                ).rowcount
                if n != 1:
                    raise _Lost
                row = s.get(J, job_id)
                derived = workflow.derived_properties(s, row, result)
                mid = publish_result(s, result, derived=derived, label=row.label)
                row.material_id = mid
                workflow.next_steps(s, row, result, max_attempts=self.max_attempts)
        except _Lost:
            return False
        return True

    def fail(self, job_id: int, worker: str, error: str, *, retry: bool = True) -> str | None:
        """Record that ``worker``'s run of the job failed: queued again while attempts remain (``retry``), else
        failed.  Returns the new state, or None when ``worker`` no longer held the job."""
        from sqlalchemy import case, update

        from matinfo.store import models as m

        J = m.CalcJob
        new_state = case((J.attempts < J.max_attempts, "queued"), else_="failed") if retry else "failed"
        with self.db.session() as s:
            n = s.execute(
                update(J)
                .where(J.id == job_id, J.state == "running", J.claimed_by == worker)
                .values(
                    state=new_state,
                    error=error[:20000],
                    claimed_by=None,
                    lease_expires_at=None,
                    updated_at=_now(),
                )
            ).rowcount
            if n != 1:
                return None
            return s.get(J, job_id).state

    def release(self, job_id: int, worker: str) -> bool:
        """Give a claimed job back unrun (the worker was interrupted): queued again, the claim not counted."""
        from sqlalchemy import update

        from matinfo.store import models as m

        J = m.CalcJob
        with self.db.session() as s:
            n = s.execute(
                update(J)
                .where(J.id == job_id, J.state == "running", J.claimed_by == worker)
                .values(
                    state="queued",
                    attempts=J.attempts - 1,
                    claimed_by=None,
                    lease_expires_at=None,
                    updated_at=_now(),
                )
            ).rowcount
        return n == 1

    # -- reading ---------------------------------------------------------------------------------------------
    def get(self, job: int | str) -> Job:
        """A job by ID or key (or a unique prefix of a key, at least 6 characters)."""
        from sqlalchemy import select

        from matinfo.store import models as m

        with self.db.session() as s:
            if isinstance(job, int) or str(job).isdigit():
                row = s.get(m.CalcJob, int(job))
                rows = [row] if row is not None else []
            else:
                if len(str(job)) < 6:
                    raise ParameterError(f"job key prefix {job!r} is too short; give at least 6 characters")
                rows = list(s.scalars(select(m.CalcJob).where(m.CalcJob.key.startswith(str(job))).limit(2)))
            if len(rows) != 1:
                raise NotFoundError(
                    f"{'several jobs match' if rows else 'no calculation job'} {job!r} in {self.db.url}; "
                    "list them with `matinfo calc status`"
                )
            return job_from_row(rows[0])

    def jobs(
        self,
        *,
        state: str | None = None,
        tag: str | None = None,
        limit: int | None = None,
        done_first: bool = False,
    ) -> list[Job]:
        from sqlalchemy import select

        from matinfo.store import models as m

        if state is not None and state not in STATES:
            raise ParameterError(f"state {state!r}: use one of {', '.join(STATES)}")
        stmt = select(m.CalcJob)
        if state is not None:
            stmt = stmt.where(m.CalcJob.state == state)
        if tag is not None:
            stmt = stmt.where(m.CalcJob.tag == tag)
        stmt = stmt.order_by(m.CalcJob.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self.db.session() as s:
            return [job_from_row(r) for r in s.scalars(stmt)]

    def counts(self, *, tag: str | None = None) -> dict[str, int]:
        """Number of jobs in each state."""
        from sqlalchemy import func, select

        from matinfo.store import models as m

        stmt = select(m.CalcJob.state, func.count()).group_by(m.CalcJob.state)
        if tag is not None:
            stmt = stmt.where(m.CalcJob.tag == tag)
        with self.db.session() as s:
            got = dict(s.execute(stmt).all())
        return {st: int(got.get(st, 0)) for st in STATES}
