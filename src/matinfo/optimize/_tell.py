"""Checks of what a campaign is told (observations, failures) before anything is written to its log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from matinfo.errors import NotFoundError, ParameterError
from matinfo.optimize.events import CampaignState

__all__ = ["resolve", "check_new", "finite_values", "jsonable"]


def resolve(
    space, candidates: Sequence[Any], st: CampaignState, name: str
) -> list[tuple[str | None, dict[str, Any]]]:
    """(id, params) of each candidate: an ID (pool / suggestion) or a parameter dict."""
    out = []
    for c in candidates:
        if isinstance(c, Mapping):
            if space.kind == "discrete":
                raise ParameterError("a discrete campaign takes candidate IDs, not parameter dicts")
            params = space.validate(c)
            key = next((k for k, e in st.pending.items() if e["params"] == params), None)
            out.append((key, params))
        elif space.kind == "discrete":
            pos = int(space.positions([c])[0])
            out.append((str(space.ids[pos]), space.record(pos)))
        else:
            key = str(c)
            entry = st.pending.get(key) or st.failures.get(key) or st.observations.get(key)
            if entry is None:
                raise NotFoundError(
                    f"{key!r} is not a suggestion of campaign {name!r}; give the parameter values instead "
                    f"({', '.join(space.names)})"
                )
            out.append((key, dict(entry["params"])))
    return out


def check_new(space, resolved, st: CampaignState, target: str, what: str) -> None:
    """Refuse a candidate given twice, or one that already has a result."""
    seen: set[str] = set()
    for key, params in resolved:
        ident = key if key is not None else repr(sorted(params.items()))
        if ident in seen:
            raise ParameterError(f"candidate {key or params} appears twice in one {what}; give each once")
        seen.add(ident)
        prev = st.observations.get(key) if key is not None else None
        if prev is None and space.kind != "discrete":
            prev = next((o for o in st.observations.values() if o["params"] == params), None)
        if prev is not None:
            raise ParameterError(
                f"candidate {prev['id']} already has a result ({target} = {prev['value']:g}, event "
                f"#{prev['seq']}); results are append-only, one per candidate"
            )


def finite_values(resolved, values: Sequence[Any]) -> list[float]:
    """The values as floats; a NaN, an infinity or text is refused naming the candidate."""
    nums = []
    for (key, params), v in zip(resolved, values, strict=True):
        try:
            x = float(v)
        except (TypeError, ValueError):
            raise ParameterError(f"value {v!r} of candidate {key or params} is not a number") from None
        if not np.isfinite(x):
            raise ParameterError(
                f"value {v!r} of candidate {key or params} is not a finite number; record a failed "
                "experiment with fail(...) (CLI: a truthy 'failed' column) instead"
            )
        nums.append(x)
    return nums


def jsonable(obj: Any) -> Any:
    """Plain JSON types (NumPy scalars → Python)."""
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return [jsonable(v) for v in obj.tolist()]
    return obj
