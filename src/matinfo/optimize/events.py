"""The experiment log of a campaign and the state rebuilt from it.

A campaign *is* its log: an append-only sequence of events, numbered from 1, each a kind and a JSON payload.

* ``suggestion`` — ``{"step": k, "strategy": "random"|"model", "candidates": [{"id", "params", "mean", "std",
  "score"}...], "hyperparameters": {...}}``: what :meth:`Campaign.suggest` proposed (they are *pending* until
  observed, failed or cancelled);
* ``observation`` — ``{"results": [{"id", "params", "value"}...], "note": ...}``;
* ``failure`` — ``{"results": [{"id", "params", "reason"}...]}``: tried, no value (excluded from the model's
  targets, never proposed again);
* ``cancellation`` — ``{"ids": [...], "reason": ...}``: pending suggestions withdrawn.

:func:`replay` folds the events into a :class:`CampaignState`.  Nothing else is stored, so after a crash at any
point the state is that of the last event written, and the next suggestion is computed from exactly the same
inputs (and the same seeded random stream, derived from the campaign seed and the suggestion step) as it would
have been without the crash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from matinfo.errors import StoreError

__all__ = ["EVENT_KINDS", "Event", "CampaignState", "replay"]

EVENT_KINDS = ("suggestion", "observation", "failure", "cancellation")


@dataclass(frozen=True)
class Event:
    """One entry of the log."""

    seq: int
    kind: str
    payload: dict[str, Any]
    created_at: dt.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "payload": self.payload,
        }


@dataclass
class CampaignState:
    """What the log says now.  ``observations`` / ``failures`` / ``pending`` map candidate ID → entry
    (``params`` and ``value`` / ``reason`` / suggestion details, plus the ``seq`` of the event), in log order."""

    observations: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    n_suggestions: int = 0
    last_seq: int = 0
    hyperparameters: dict[str, Any] | None = None

    @property
    def tried(self) -> set[str]:
        """IDs observed or failed (the candidates a discrete campaign never proposes again)."""
        return set(self.observations) | set(self.failures)


def replay(events: Iterable[Event]) -> CampaignState:
    """Fold the events (in ``seq`` order) into a :class:`CampaignState`."""
    st = CampaignState()
    for ev in events:
        if ev.seq != st.last_seq + 1:
            raise StoreError(
                f"campaign log is not contiguous: event #{ev.seq} follows #{st.last_seq}; the log was edited "
                "outside matinfo"
            )
        st.last_seq = ev.seq
        p = ev.payload
        if ev.kind == "suggestion":
            st.n_suggestions += 1
            if p.get("hyperparameters"):
                st.hyperparameters = p["hyperparameters"]
            for c in p["candidates"]:
                st.pending[c["id"]] = {**c, "seq": ev.seq, "step": p["step"]}
        elif ev.kind == "observation":
            for r in p["results"]:
                st.observations[r["id"]] = {**r, "seq": ev.seq}
                st.pending.pop(r["id"], None)
                st.failures.pop(r["id"], None)  # a retried experiment that worked
        elif ev.kind == "failure":
            for r in p["results"]:
                st.failures[r["id"]] = {**r, "seq": ev.seq}
                st.pending.pop(r["id"], None)
        elif ev.kind == "cancellation":
            for key in p["ids"]:
                st.pending.pop(key, None)
        else:
            raise StoreError(f"unknown event kind {ev.kind!r} (#{ev.seq}); this matinfo knows {EVENT_KINDS}")
    return st
