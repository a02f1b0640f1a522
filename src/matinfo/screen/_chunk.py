"""Scoring one chunk of candidates, and merging what the chunks give: the work a screen repeats (and ships to Dask).

:func:`_score_chunk` filters a chunk, featurizes it once per distinct featurizer, predicts with every model, turns
predictions into scores and keeps each model's ``depth`` best rows with every model's predictions.  :class:`_Merger`
adds the partial results up in any order: counts are summed, score statistics pooled exactly, top lists merged with
ties broken by position in the space — so the result does not depend on chunk size or on the order chunks finish.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matinfo.screen.consensus import best_rows
from matinfo.screen.models import Ranking, ScreenModel
from matinfo.screen.spaces import CandidateSpace

__all__ = ["POSITION", "NO_VALUE"]

#: Column of the kept rows holding each candidate's position in the space.
POSITION = "position"
#: Name under which rows without a candidate (an empty key cell) are counted with the filtered rows.
NO_VALUE = "empty candidate cell"
_FAILED_EXAMPLES = 10


@dataclass
class _Group:
    """Models that share a featurizer (same fitted parameters, same input columns): featurized once."""

    features: Any
    inputs: list[str]
    members: list[int]


@dataclass
class _Plan:
    """Everything a worker needs to score a chunk (sent to each Dask worker once)."""

    models: list[ScreenModel]
    groups: list[_Group]
    filters: list[Any]
    composition_columns: tuple[str, ...]
    key: str
    carry: list[str]
    constants: dict[str, Any]
    columns: dict[str, str]
    ranking: Ranking
    depth: int
    with_std: list[bool]


@dataclass
class _Partial:
    """What one chunk contributes: counts, score statistics and each model's best rows."""

    n_seen: int = 0
    n_scored: int = 0
    filtered: dict[str, int] = field(default_factory=dict)
    n_failed: int = 0
    failed: list[tuple[Any, Any, str]] = field(default_factory=list)
    stats: list[tuple[int, float, float]] = field(default_factory=list)
    kept: Any = None


def _split(pipeline: Any) -> tuple[Any, Any]:
    from sklearn.pipeline import Pipeline

    if isinstance(pipeline, Pipeline) and len(pipeline.steps) > 1:
        return pipeline[:-1], pipeline.steps[-1][1]
    return None, pipeline


def _fingerprint(head: Any) -> str:
    """Hash of a fitted featurizer's state, leaving out ``report_`` (what its last transform saw)."""
    import copy

    import joblib
    from sklearn.base import BaseEstimator

    head = copy.deepcopy(head)
    stack, seen = [head], set()
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, list | tuple):
            stack.extend(obj)
        elif isinstance(obj, BaseEstimator):
            obj.__dict__.pop("report_", None)
            stack.extend(obj.__dict__.values())
    return joblib.hash(head)


def _groups(models: Sequence[ScreenModel]) -> list[_Group]:
    groups: dict[tuple[str, tuple[str, ...]], _Group] = {}
    for i, m in enumerate(models):
        head, _ = _split(m.pipeline)
        key = (_fingerprint(head) if head is not None else f"none-{i}", tuple(m.card.input_columns))
        if key not in groups:
            groups[key] = _Group(head, list(m.card.input_columns), [])
        groups[key].members.append(i)
    return list(groups.values())


def _predict(model: ScreenModel, X: Any, with_std: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Predictions (and std) of one model on featurized rows; SVR / GP through :mod:`._fastkernel`."""
    from matinfo.learn.uncertainty import predict_with_std
    from matinfo.screen._fastkernel import fast_predict

    _, last = _split(model.pipeline)
    if model.card.task == "classification":
        return np.asarray(last.predict_proba(X), dtype=float)[:, 1], None
    fast = fast_predict(last, X, with_std)
    if fast is not None:
        return fast
    if with_std:
        mean, std = predict_with_std(last, X)
        return np.asarray(mean, dtype=float).ravel(), np.asarray(std, dtype=float).ravel()
    return np.asarray(last.predict(X), dtype=float).ravel(), None


def _model_inputs(chunk: Any, inputs: list[str], plan: _Plan):
    import pandas as pd

    cols = {}
    for c in inputs:
        if c in plan.constants:
            cols[c] = np.full(
                len(chunk), plan.constants[c], dtype=object if isinstance(plan.constants[c], str) else float
            )
        else:
            cols[c] = chunk[plan.columns.get(c, c)].to_numpy()
    return pd.DataFrame(cols, index=chunk.index)


def _report(features: Any) -> Any:
    """The row report of the featurizer in a pipeline head (the last step that has one), or None."""
    steps = [s for _, s in features.steps] if hasattr(features, "steps") else [features]
    for step in reversed(steps):
        if hasattr(step, "report_"):
            return step.report_
    return None


def _score_chunk(chunk: Any, plan: _Plan) -> _Partial:
    """Filter, featurize, predict and score one chunk; keep each model's ``depth`` best rows."""
    import pandas as pd

    out = _Partial(n_seen=len(chunk))
    empty = chunk[plan.key].isna().to_numpy()
    if empty.any():
        out.filtered[NO_VALUE] = int(empty.sum())
        chunk = chunk[~empty]
    for f in plan.filters:
        if not len(chunk):
            out.filtered[f.name] = out.filtered.get(f.name, 0)
            continue
        keep = np.asarray(f.mask(chunk, plan.composition_columns), dtype=bool)
        out.filtered[f.name] = int((~keep).sum())
        if not keep.all():
            chunk = chunk[keep]
    n, m = len(chunk), len(plan.models)
    means = np.full((n, m), np.nan)
    stds = np.full((n, m), np.nan)
    failed = np.zeros(n, dtype=bool)
    for group in plan.groups:
        if not n:
            break
        X = _model_inputs(chunk, group.inputs, plan)
        if group.features is not None:
            X = group.features.transform(X)
            report = _report(group.features)
            if report is not None and report.errors:
                bad = chunk.index.get_indexer([e.row for e in report.errors])
                failed[bad[bad >= 0]] = True
                seen = {f[0] for f in out.failed}
                for e in report.errors:
                    if len(out.failed) < _FAILED_EXAMPLES and e.row not in seen:
                        out.failed.append((e.row, e.value, e.message))
        for j in group.members:
            mean, std = _predict(plan.models[j], X, plan.with_std[j])
            means[:, j] = mean
            if std is not None:
                stds[:, j] = std
    means[failed] = np.nan
    out.n_failed = int(failed.sum())
    out.n_scored = n - out.n_failed
    scores = np.empty_like(means)
    for j, model in enumerate(plan.models):
        std = stds[:, j] if plan.with_std[j] else None
        scores[:, j] = plan.ranking.scores(means[:, j], std, model.goal, model.log_target)
        s = scores[:, j][np.isfinite(scores[:, j])]
        out.stats.append(
            (
                len(s),
                float(s.mean()) if len(s) else 0.0,
                float(((s - s.mean()) ** 2).sum()) if len(s) else 0.0,
            )
        )
    pos = chunk.index.to_numpy()
    rows = np.unique(
        np.concatenate([best_rows(scores[:, j], pos, plan.depth) for j in range(m)] or [[]]).astype(np.intp)
    )
    kept = chunk.iloc[rows][plan.carry].copy() if n else pd.DataFrame(columns=plan.carry)
    kept.insert(0, POSITION, pos[rows] if n else np.empty(0, dtype=np.int64))
    for j, model in enumerate(plan.models):
        kept[f"{model.name}__mean"] = means[rows, j] if n else []
        kept[f"{model.name}__std"] = stds[rows, j] if n else []
        kept[f"{model.name}__score"] = scores[rows, j] if n else []
    out.kept = kept.reset_index(drop=True)
    return out


def _space_chunk(space: CandidateSpace, i: int, chunk_size: int, plan: _Plan) -> _Partial:
    return _score_chunk(space.chunk(i, chunk_size), plan)


class _Merger:
    """Combines partial results: sums counts, pools score statistics (Chan et al.), merges the top lists."""

    def __init__(self, plan: _Plan, filter_names: list[str]) -> None:
        self.plan = plan
        self.total = _Partial(filtered=dict.fromkeys(filter_names, 0))
        self.total.stats = [(0, 0.0, 0.0)] * len(plan.models)

    def add(self, p: _Partial) -> None:
        import pandas as pd

        t = self.total
        t.n_seen += p.n_seen
        t.n_scored += p.n_scored
        t.n_failed += p.n_failed
        for k, v in p.filtered.items():
            t.filtered[k] = t.filtered.get(k, 0) + v
        t.failed = (t.failed + p.failed)[:_FAILED_EXAMPLES]
        t.stats = [_pool(a, b) for a, b in zip(t.stats, p.stats, strict=True)] if p.stats else t.stats
        if p.kept is None or not len(p.kept):
            return
        both = p.kept if t.kept is None or not len(t.kept) else pd.concat([t.kept, p.kept], ignore_index=True)
        pos = both[POSITION].to_numpy()
        rows = np.unique(
            np.concatenate(
                [
                    best_rows(both[f"{m.name}__score"].to_numpy(), pos, self.plan.depth)
                    for m in self.plan.models
                ]
            )
        ).astype(np.intp)
        t.kept = both.iloc[rows].reset_index(drop=True)


def _pool(a: tuple[int, float, float], b: tuple[int, float, float]) -> tuple[int, float, float]:
    """Count, mean and sum of squared deviations of two samples pooled (Chan, Golub & LeVeque 1979)."""
    na, ma, qa = a
    nb, mb, qb = b
    n = na + nb
    if n == 0:
        return 0, 0.0, 0.0
    d = mb - ma
    return n, ma + d * nb / n, qa + qb + d * d * na * nb / n
