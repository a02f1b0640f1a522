"""Tables of a campaign's log: the experiment history with the best-so-far curve."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["history_frame", "best_so_far"]


def best_so_far(values: Any, *, maximize: bool) -> np.ndarray:
    """Running best of ``values`` (NaN entries — failures — keep the previous best).

    >>> best_so_far([3.0, float("nan"), 1.0, 2.0], maximize=False).tolist()
    [3.0, 3.0, 1.0, 1.0]
    """
    v = np.asarray(values, dtype=float)
    filled = np.where(np.isnan(v), -np.inf if maximize else np.inf, v)
    run = np.maximum.accumulate(filled) if maximize else np.minimum.accumulate(filled)
    return np.where(np.isinf(run), np.nan, run)


def history_frame(campaign: Any) -> Any:
    """One row per tried candidate, in log order: ``evaluation`` (1-based), ``seq`` and time of the event,
    ``kind`` (observation / failure), ``id``, the features or parameters, ``value``, ``reason``, ``best``
    (best value so far), ``step`` (the suggestion that proposed it, if any) and ``strategy``."""
    import pandas as pd

    suggested: dict[str, tuple[int, str]] = {}
    rows = []
    for ev in campaign.events():
        if ev.kind == "suggestion":
            for c in ev.payload["candidates"]:
                suggested.setdefault(c["id"], (ev.payload["step"], c.get("strategy", "")))
        elif ev.kind in ("observation", "failure"):
            for r in ev.payload["results"]:
                step, strategy = suggested.get(r["id"], (None, "user"))
                rows.append(
                    {
                        "seq": ev.seq,
                        "time": ev.created_at,
                        "kind": ev.kind,
                        "id": r["id"],
                        **r["params"],
                        "value": r.get("value", np.nan),
                        "reason": r.get("reason"),
                        "step": step,
                        "strategy": strategy,
                    }
                )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=["evaluation", "seq", "kind", "id", "value", "best"])
    frame.insert(0, "evaluation", np.arange(1, len(frame) + 1))
    frame["value"] = frame["value"].astype(float)
    frame["best"] = best_so_far(frame["value"], maximize=campaign.maximize)
    return frame
