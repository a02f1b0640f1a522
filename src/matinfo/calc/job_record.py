"""A calculation job as read from the store (:class:`Job`), and the insertion of a new one (:func:`insert_job`).

:mod:`matinfo.calc.jobs` is the queue that changes their state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from matinfo.calc.spec import CalcResult, CalcSpec
from matinfo.calc.structures import Cell

__all__ = ["Job", "job_from_row", "insert_job"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive datetimes: they are UTC."""
    return t.replace(tzinfo=dt.UTC) if t is not None and t.tzinfo is None else t


@dataclass(frozen=True)
class Job:
    """A job as read from the store."""

    id: int
    key: str
    engine: str
    task: str
    formula: str
    label: str | None
    state: str
    attempts: int
    max_attempts: int
    parameters: Mapping[str, Any]
    cell: Cell
    structure_id: int | None
    requires: tuple[str, ...]
    after: tuple[str, ...]
    workflow: Mapping[str, Any] | None
    tag: str | None
    priority: int
    claimed_by: str | None
    lease_expires_at: dt.datetime | None
    error: str | None
    result_data: Mapping[str, Any] | None
    material_id: int | None
    created_at: dt.datetime | None
    finished_at: dt.datetime | None

    def spec(self) -> CalcSpec:
        return CalcSpec(
            self.engine,
            self.task,
            self.cell,
            dict(self.parameters),
            label=self.label,
            structure_id=self.structure_id,
        )

    @property
    def result(self) -> CalcResult | None:
        return None if self.result_data is None else CalcResult.from_dict(self.result_data)

    def summary(self) -> dict[str, Any]:
        """The job as a JSON-able dict, without its cell and result arrays."""
        r = self.result_data or {}
        return {
            "id": self.id,
            "key": self.key,
            "engine": self.engine,
            "task": self.task,
            "formula": self.formula,
            "label": self.label,
            "state": self.state,
            "attempts": self.attempts,
            "tag": self.tag,
            "error": self.error,
            "energy_per_atom": r.get("energy_per_atom"),
            "band_gap": r.get("band_gap"),
            "engine_version": r.get("engine_version"),
            "material_id": self.material_id,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


def job_from_row(row: Any) -> Job:
    return Job(
        id=int(row.id),
        key=row.key,
        engine=row.engine,
        task=row.task,
        formula=row.formula,
        label=row.label,
        state=row.state,
        attempts=int(row.attempts),
        max_attempts=int(row.max_attempts),
        parameters=row.parameters or {},
        cell=Cell.from_dict(row.cell),
        structure_id=row.structure_id,
        requires=tuple(row.requires or ()),
        after=tuple(row.after or ()),
        workflow=row.workflow,
        tag=row.tag,
        priority=int(row.priority),
        claimed_by=row.claimed_by,
        lease_expires_at=_aware(row.lease_expires_at),
        error=row.error,
        result_data=row.result,
        material_id=row.material_id,
        created_at=_aware(row.created_at),
        finished_at=_aware(row.finished_at),
    )


def insert_job(
    s: Any,
    spec: CalcSpec,
    *,
    priority: int = 0,
    requires: Iterable[str] = (),
    after: Iterable[str] = (),
    workflow: Mapping[str, Any] | None = None,
    tag: str | None = None,
    max_attempts: int = 3,
) -> tuple[Job, bool]:
    """Insert ``spec`` as a queued job in session ``s`` unless its key is there; ``(job, created)``."""
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from matinfo.store import models as m

    key = spec.key
    row = s.scalar(select(m.CalcJob).where(m.CalcJob.key == key))
    if row is not None:
        return job_from_row(row), False
    now = _now()
    row = m.CalcJob(
        key=key,
        engine=spec.engine,
        task=spec.task,
        parameters=spec.to_dict()["parameters"],
        parameter_hash=spec.parameter_hash,
        structure_key=spec.cell.key,
        cell=spec.cell.to_dict(),
        formula=spec.cell.formula,
        label=spec.label,
        structure_id=spec.structure_id,
        state="queued",
        priority=int(priority),
        requires=list(requires),
        after=list(after),
        workflow=dict(workflow) if workflow else None,
        tag=tag,
        attempts=0,
        max_attempts=int(max_attempts),
        created_at=now,
        updated_at=now,
    )
    try:
        with s.begin_nested():  # a concurrent submit of the same spec: keep theirs
            s.add(row)
            s.flush()
    except IntegrityError:
        row = s.scalar(select(m.CalcJob).where(m.CalcJob.key == key))
        return job_from_row(row), False
    return job_from_row(row), True
