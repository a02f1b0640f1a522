"""Consensus of several models' rankings: top-N selection, overlaps of top-N lists, rank aggregation.

The seed's thermal-insulation screen ranked 80,282 interfaces with three models, took each model's top 100 and
looked at which candidates were in all three lists (3) and in two (22).  :func:`overlap_counts` gives those
numbers (and every exclusive intersection, for an UpSet plot); the aggregation functions combine the rankings
into one:

* :func:`borda` — Borda count over top-k lists: a candidate at rank r of a list of depth k gets k + 1 - r
  points, 0 when absent; higher is better;
* :func:`mean_rank` — mean rank, a candidate absent from a list counted at rank k + 1 (the "location parameter"
  of Fagin, Kumar & Sivakumar, SIAM J. Discrete Math. 17, 134 (2003)); lower is better;
* :func:`reciprocal_rank` — reciprocal rank fusion, Σ 1 / (c + r) with c = 60 (Cormack, Clarke & Büttcher,
  SIGIR 2009); absent lists add nothing; higher is better;
* :func:`mean_zscore` — mean of each model's standardised score (its mean and std over every candidate
  scored); lower is better; uses scores, not ranks, so it sees how far ahead a candidate is.

Rank aggregation is over each model's best ``depth`` candidates (a screen keeps that many per model, so memory
does not grow with the space); a candidate outside a model's list is only known to rank below ``depth`` there.

>>> lists = {"lgbm": ["a", "b", "c"], "svm": ["b", "a", "d"], "gp": ["b", "e", "a"]}
>>> c = overlap_counts(lists)
>>> c["in_all"], c["in_at_least"], c["exactly"]
(2, {'1': 5, '2': 2, '3': 2}, {'1': 3, '2': 0, '3': 2})
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np

from matinfo.errors import ParameterError

__all__ = [
    "best_rows",
    "overlap_counts",
    "membership",
    "borda",
    "mean_rank",
    "reciprocal_rank",
    "mean_zscore",
    "AGGREGATIONS",
    "RRF_CONSTANT",
]

#: The constant c of reciprocal rank fusion (Cormack et al. 2009).
RRF_CONSTANT = 60
#: Aggregation name → True when higher values are better.
AGGREGATIONS = {"borda": True, "mean_rank": False, "reciprocal_rank": True, "mean_zscore": False}


def best_rows(scores: np.ndarray, positions: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` best rows — lowest score, ties broken by lower position — best first.

    NaN scores are never selected.  The choice does not depend on the order of the rows, so merging partial
    top lists in any order gives the same list.

    >>> best_rows(np.array([3.0, 1.0, np.nan, 1.0, 2.0]), np.array([0, 9, 2, 5, 4]), 3).tolist()
    [3, 1, 4]
    """
    if k < 1:
        raise ParameterError(f"k={k}: select at least one row")
    scores = np.asarray(scores, dtype=float)
    positions = np.asarray(positions)
    idx = np.flatnonzero(~np.isnan(scores))
    if len(idx) > k:
        s = scores[idx]
        cut = np.partition(s, k - 1)[k - 1]
        below, tied = idx[s < cut], idx[s == cut]
        tied = tied[np.argsort(positions[tied], kind="stable")][: k - len(below)]
        idx = np.concatenate([below, tied])
    order = np.lexsort((positions[idx], scores[idx]))
    return idx[order]


def membership(lists: Mapping[str, Sequence[Hashable]]) -> dict[Hashable, tuple[str, ...]]:
    """Each item of any list → the names of the lists that hold it (in the order of ``lists``)."""
    out: dict[Hashable, list[str]] = {}
    for name, items in lists.items():
        for item in dict.fromkeys(items):
            out.setdefault(item, []).append(name)
    return {k: tuple(v) for k, v in out.items()}


def overlap_counts(lists: Mapping[str, Sequence[Hashable]]) -> dict[str, Any]:
    """How the lists overlap.

    Returns a JSON-ready dict: ``models`` (names), ``sizes`` (items per list), ``union`` (distinct items),
    ``in_all`` (items in every list), ``in_at_least`` and ``exactly`` (``{"k": count}`` for k = 1 … number of
    lists; keys are strings, as in JSON), ``combinations`` (every non-empty exclusive intersection — the items in
    exactly these lists — as ``{"models": [...], "count": n}``, largest first: the bars of an UpSet plot) and
    ``pairwise`` (``{"a & b": size of the intersection}``).
    """
    names = list(lists)
    if not names:
        raise ParameterError("overlap of no lists: give at least one")
    member = membership(lists)
    m = len(names)
    sizes = [len(v) for v in member.values()]
    combos: dict[tuple[str, ...], int] = {}
    for who in member.values():
        combos[who] = combos.get(who, 0) + 1
    ordered = sorted(combos.items(), key=lambda kv: (-kv[1], -len(kv[0]), [names.index(n) for n in kv[0]]))
    sets = {n: set(lists[n]) for n in names}
    return {
        "models": names,
        "sizes": {n: len(sets[n]) for n in names},
        "union": len(member),
        "in_all": sum(1 for s in sizes if s == m),
        "in_at_least": {str(k): sum(1 for s in sizes if s >= k) for k in range(1, m + 1)},
        "exactly": {str(k): sum(1 for s in sizes if s == k) for k in range(1, m + 1)},
        "combinations": [{"models": list(who), "count": n} for who, n in ordered],
        "pairwise": {
            f"{a} & {b}": len(sets[a] & sets[b]) for i, a in enumerate(names) for b in names[i + 1 :]
        },
    }


def _ranks(ranks: Any) -> np.ndarray:
    r = np.asarray(ranks, dtype=float)
    if r.ndim != 2:
        raise ParameterError(f"ranks must be a 2-D array (candidates x models), got shape {r.shape}")
    if np.any(r[~np.isnan(r)] < 1):
        raise ParameterError("ranks start at 1 (NaN for a candidate absent from a list)")
    return r


def borda(ranks: Any, depth: int) -> np.ndarray:
    """Borda points: Σ over models of ``depth + 1 - rank``, 0 for absent (NaN) ranks; higher is better.

    >>> borda([[1, 2], [2, np.nan]], depth=3).tolist()
    [5.0, 2.0]
    """
    r = _ranks(ranks)
    return np.where(np.isnan(r), 0.0, depth + 1 - r).sum(axis=1)


def mean_rank(ranks: Any, depth: int) -> np.ndarray:
    """Mean rank over models, absent (NaN) ranks counted as ``depth + 1``; lower is better.

    >>> mean_rank([[1, 2], [2, np.nan]], depth=3).tolist()
    [1.5, 3.0]
    """
    r = _ranks(ranks)
    return np.where(np.isnan(r), depth + 1.0, r).mean(axis=1)


def reciprocal_rank(ranks: Any, constant: int = RRF_CONSTANT) -> np.ndarray:
    """Reciprocal rank fusion Σ 1 / (constant + rank), absent ranks adding 0; higher is better.

    >>> reciprocal_rank([[1, 1], [1, np.nan]], constant=1).tolist()
    [1.0, 0.5]
    """
    r = _ranks(ranks)
    return np.where(np.isnan(r), 0.0, 1.0 / (constant + np.nan_to_num(r, nan=1.0))).sum(axis=1)


def mean_zscore(scores: Any, means: Any, stds: Any) -> np.ndarray:
    """Mean over models of ``(score - mean) / std`` (lower is better); models with std 0 are left out.

    >>> mean_zscore([[0.0, 1.0]], means=[1.0, 1.0], stds=[1.0, 0.5]).tolist()
    [-0.5]
    """
    s = np.asarray(scores, dtype=float)
    mu, sd = np.asarray(means, dtype=float), np.asarray(stds, dtype=float)
    usable = sd > 0
    if not usable.any():
        return np.full(len(s), np.nan)
    return ((s[:, usable] - mu[usable]) / sd[usable]).mean(axis=1)
