"""Where a campaign's log lives: in memory, or in the store (tables ``campaigns``, ``campaign_candidates``,
``campaign_events``; migration 0004).

Both logs have the same two operations — :meth:`events` after a sequence number, and :meth:`append` of one event
with the sequence number the writer expects — so :class:`~matinfo.optimize.campaign.Campaign` has one code path.
Each append is one transaction: an event is either fully written or not at all, and a writer that lost a race
(another process appended that number first) gets a :class:`~matinfo.errors.StoreError` instead of
interleaving its event with the other's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from matinfo.errors import NotFoundError, ParameterError, StoreError
from matinfo.optimize.events import EVENT_KINDS, Event

__all__ = ["MemoryLog", "StoreLog", "insert_campaign", "read_campaign", "list_campaigns"]

#: Candidate rows written per INSERT statement.
CANDIDATE_BATCH = 5000


def _check(kind: str, seq: int, last: int) -> None:
    if kind not in EVENT_KINDS:
        raise StoreError(f"unknown event kind {kind!r}; known: {EVENT_KINDS}")
    if seq != last + 1:
        raise StoreError(
            f"event #{seq} cannot follow #{last}: the campaign changed meanwhile; run the command again"
        )


class MemoryLog:
    """An in-process log (a list); for notebooks, tests and simulated benchmarks."""

    def __init__(self) -> None:
        self._events: list[Event] = []

    def events(self, after: int = 0) -> list[Event]:
        return self._events[after:]

    def append(self, kind: str, payload: dict[str, Any], *, seq: int) -> Event:
        _check(kind, seq, len(self._events))
        ev = Event(seq, kind, payload, dt.datetime.now(dt.UTC))
        self._events.append(ev)
        return ev


class StoreLog:
    """The log of campaign ``campaign_id`` in a :class:`~matinfo.store.Database`."""

    def __init__(self, db: Any, campaign_id: int, name: str) -> None:
        self.db = db
        self.campaign_id = campaign_id
        self.name = name

    def events(self, after: int = 0) -> list[Event]:
        from sqlalchemy import select

        from matinfo.store import models as m

        with self.db.session() as s:
            rows = s.execute(
                select(
                    m.CampaignEvent.seq,
                    m.CampaignEvent.kind,
                    m.CampaignEvent.payload,
                    m.CampaignEvent.created_at,
                )
                .where(m.CampaignEvent.campaign_id == self.campaign_id, m.CampaignEvent.seq > after)
                .order_by(m.CampaignEvent.seq)
            ).all()
        return [Event(int(r.seq), r.kind, r.payload, r.created_at) for r in rows]

    def append(self, kind: str, payload: dict[str, Any], *, seq: int) -> Event:
        from sqlalchemy import func, select
        from sqlalchemy.exc import IntegrityError

        from matinfo.store import models as m

        try:
            with self.db.session() as s:
                last = s.scalar(
                    select(func.max(m.CampaignEvent.seq)).where(
                        m.CampaignEvent.campaign_id == self.campaign_id
                    )
                )
                _check(kind, seq, int(last or 0))
                row = m.CampaignEvent(campaign_id=self.campaign_id, seq=seq, kind=kind, payload=payload)
                s.add(row)
                s.flush()
                created = row.created_at
        except IntegrityError:
            raise StoreError(
                f"campaign {self.name!r}: another process wrote event #{seq} at the same time; nothing of this "
                "command was recorded — run it again"
            ) from None
        return Event(seq, kind, payload, created)


def insert_campaign(
    db: Any,
    *,
    name: str,
    space: Any,
    target: str,
    maximize: bool,
    seed: int,
    settings: dict[str, Any],
    description: str | None = None,
) -> int:
    """Write a new campaign (and its candidate pool) in one transaction; returns its ID."""
    from sqlalchemy import insert, select

    from matinfo.store import models as m

    with db.session() as s:
        if s.scalar(select(m.Campaign.id).where(m.Campaign.name == name)) is not None:
            raise ParameterError(
                f"a campaign named {name!r} exists already in {db.url}; choose another name, or continue it "
                f"(`matinfo campaign suggest {name}`)"
            )
        row = m.Campaign(
            name=name,
            space_kind=space.kind,
            target=target,
            maximize=bool(maximize),
            seed=int(seed),
            space=space.spec(),
            settings=settings,
            description=description,
        )
        s.add(row)
        s.flush()
        if space.kind == "discrete":
            frame = space.to_frame()
            cols = list(frame.columns[1:])
            values = frame[cols].to_numpy(dtype=float).tolist()
            rows = [
                {
                    "campaign_id": row.id,
                    "position": i,
                    "key": key,
                    "values": dict(zip(cols, vals, strict=True)),
                }
                for i, (key, vals) in enumerate(zip(space.ids, values, strict=True))
            ]
            for start in range(0, len(rows), CANDIDATE_BATCH):
                s.execute(insert(m.CampaignCandidate), rows[start : start + CANDIDATE_BATCH])
        return int(row.id)


def read_campaign(db: Any, name: str) -> tuple[dict[str, Any], Any]:
    """``(row, candidates)`` of campaign ``name``: the row as a dict, and its candidate table (or None)."""
    import pandas as pd
    from sqlalchemy import select

    from matinfo.store import models as m

    with db.session() as s:
        c = s.scalar(select(m.Campaign).where(m.Campaign.name == name))
        if c is None:
            known = s.scalars(select(m.Campaign.name).order_by(m.Campaign.name).limit(20)).all()
            raise NotFoundError(
                f"no campaign named {name!r} in {db.url}"
                + (
                    f"; campaigns there: {', '.join(known)}"
                    if known
                    else "; create one with `matinfo campaign new`"
                )
            )
        row = {
            "id": c.id,
            "name": c.name,
            "space_kind": c.space_kind,
            "target": c.target,
            "maximize": c.maximize,
            "seed": c.seed,
            "space": c.space,
            "settings": c.settings,
            "description": c.description,
            "created_at": c.created_at,
        }
        table = None
        if c.space_kind == "discrete":
            rows = s.execute(
                select(m.CampaignCandidate.key, m.CampaignCandidate.values)
                .where(m.CampaignCandidate.campaign_id == c.id)
                .order_by(m.CampaignCandidate.position)
            ).all()
            table = pd.DataFrame.from_records([r.values for r in rows])
            table.insert(0, c.space.get("id_col") or "id", [r.key for r in rows])
    return row, table


def list_campaigns(db: Any) -> list[dict[str, Any]]:
    """Name, space kind, target, direction, number of events and creation time of every campaign."""
    from sqlalchemy import func, select

    from matinfo.store import models as m

    with db.session() as s:
        rows = s.execute(
            select(m.Campaign, func.count(m.CampaignEvent.id))
            .outerjoin(m.CampaignEvent, m.CampaignEvent.campaign_id == m.Campaign.id)
            .group_by(m.Campaign.id)
            .order_by(m.Campaign.name)
        ).all()
        return [
            {
                "name": c.name,
                "space": c.space_kind,
                "target": c.target,
                "goal": "maximize" if c.maximize else "minimize",
                "events": int(n),
                "created_at": c.created_at.isoformat() if c.created_at else None,
            }
            for c, n in rows
        ]
