"""What a screen returns: each model's top list, the hit list, overlaps, rank aggregates, and the files.

A :class:`ScreenResult` holds, for every model, its ``depth`` best candidates with every model's predictions,
so each hit in the hit list shows what all models said about it.  ``save(DIR)`` writes

* ``hits.csv`` — the union of the top-N lists: per model the prediction (target units), its standard deviation
  where computed, the rank and whether the candidate is in that model's top N; ``n_models`` (in how many top-N
  lists), and the aggregates (Borda, mean rank, reciprocal rank, mean z-score); most models first;
* ``overlap.json`` — the counts (``in_all``, ``in_at_least``, ``exactly``, every exclusive intersection, pairwise),
  each model's description and the run's counts;

both written to a temporary file and renamed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from matinfo._files import atomic_write as _atomic_write
from matinfo.errors import ParameterError
from matinfo.screen._chunk import POSITION
from matinfo.screen.consensus import (
    AGGREGATIONS,
    best_rows,
    borda,
    mean_rank,
    mean_zscore,
    overlap_counts,
    reciprocal_rank,
)

__all__ = ["ScreenResult"]


@dataclass
class ScreenResult:
    """The outcome of :func:`~matinfo.screen.screen` (see the module docstring)."""

    models: list[Any]
    kept: Any
    top: int
    depth: int
    ranking: Any
    key: str
    carry: list[str]
    space: str
    n_candidates: int
    n_scored: int
    n_failed: int
    failed: list[tuple[Any, Any, str]]
    filtered: dict[str, int]
    #: per model: (candidates scored, mean score, std of scores)
    score_stats: list[tuple[int, float, float]]
    constants: dict[str, Any]
    seconds: float
    executor: str

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.models]

    def _model(self, name: str) -> Any:
        for m in self.models:
            if m.name == name:
                return m
        raise ParameterError(f"no model {name!r}; the models are {self.names}")

    def ranks(self) -> Any:
        """Rank (1 = best) of every kept candidate in each model's list of ``depth``; NaN outside it."""
        import pandas as pd

        pos = self.kept[POSITION].to_numpy()
        out = pd.DataFrame(index=self.kept.index)
        for m in self.models:
            r = np.full(len(pos), np.nan)
            order = best_rows(self.kept[f"{m.name}__score"].to_numpy(), pos, self.depth)
            r[order] = np.arange(1, len(order) + 1)
            out[m.name] = r
        return out

    def top_list(self, name: str, n: int | None = None) -> Any:
        """Model ``name``'s best ``n`` candidates (default ``top``), best first, with every model's predictions."""
        self._model(name)
        n = self.top if n is None else n
        if n > self.depth:
            raise ParameterError(
                f"only the best {self.depth} candidates per model were kept; ask for <= {self.depth}"
            )
        ranks = self.ranks()[name]
        rows = ranks[ranks <= n].sort_values().index
        return self._table(self.kept.loc[rows], ranks.loc[rows])

    def top_lists(self) -> dict[str, list[Any]]:
        """Each model's top-N candidates (their ``key`` values), best first."""
        ranks = self.ranks()
        out = {}
        for name in self.names:
            r = ranks[name]
            out[name] = self.kept.loc[r[r <= self.top].sort_values().index, self.key].tolist()
        return out

    def overlap(self) -> dict[str, Any]:
        """Overlap counts of the top-N lists (:func:`~matinfo.screen.consensus.overlap_counts`)."""
        return overlap_counts(self.top_lists())

    def aggregate(self, method: str = "borda") -> np.ndarray:
        """One aggregate score per kept candidate (see :data:`~matinfo.screen.consensus.AGGREGATIONS`)."""
        if method not in AGGREGATIONS:
            raise ParameterError(f"aggregation {method!r}: use one of {', '.join(AGGREGATIONS)}")
        ranks = self.ranks().to_numpy()
        if method == "borda":
            return borda(ranks, self.depth)
        if method == "mean_rank":
            return mean_rank(ranks, self.depth)
        if method == "reciprocal_rank":
            return reciprocal_rank(ranks)
        scores = np.column_stack([self.kept[f"{n}__score"].to_numpy() for n in self.names])
        return mean_zscore(scores, [s[1] for s in self.score_stats], [s[2] for s in self.score_stats])

    def _table(self, rows: Any, rank_of: Any = None) -> Any:
        """Readable columns for some kept rows: candidate columns, per model prediction / std / rank / in top."""
        import pandas as pd

        ranks = self.ranks().loc[rows.index]
        out = pd.DataFrame({"candidate": rows[self.key].to_numpy()}, index=rows.index)
        for c in self.carry:
            if c != self.key:
                out[c] = rows[c].to_numpy()
        for m in self.models:
            mean, std = rows[f"{m.name}__mean"].to_numpy(), rows[f"{m.name}__std"].to_numpy()
            out[f"{m.name}_prediction"] = m.to_target_units(mean)
            if m.log_target:
                out[f"{m.name}_log10"] = mean
            if np.isfinite(std).any():
                out[f"{m.name}_{'log10_std' if m.log_target else 'std'}"] = std
            out[f"{m.name}_rank"] = ranks[m.name].astype("Int64")
            out[f"in_{m.name}"] = (ranks[m.name] <= self.top).to_numpy()
        out["n_models"] = out[[f"in_{n}" for n in self.names]].sum(axis=1)
        all_agg = {a: self.aggregate(a) for a in AGGREGATIONS}
        where = self.kept.index.get_indexer(rows.index)
        for a, values in all_agg.items():
            out[a] = values[where]
        return out

    def hits(self, *, order: str = "borda") -> Any:
        """The hit list: the union of the top-N lists, most models first, then by the aggregate ``order``."""
        if order not in AGGREGATIONS:
            raise ParameterError(f"order {order!r}: use one of {', '.join(AGGREGATIONS)}")
        ranks = self.ranks()
        in_any = (ranks <= self.top).any(axis=1)
        table = self._table(self.kept.loc[in_any[in_any].index])
        table["_pos"] = self.kept.loc[table.index, POSITION].to_numpy()
        table = table.sort_values(
            ["n_models", order, "_pos"], ascending=[False, not AGGREGATIONS[order], True]
        )
        return table.drop(columns="_pos").reset_index(drop=True)

    def ranking_table(self, method: str = "borda", n: int | None = None) -> Any:
        """Every kept candidate (the union of the depth lists) ordered by aggregate ``method``; the best ``n``."""
        table = self._table(self.kept)
        table["_pos"] = self.kept[POSITION].to_numpy()
        table = table.sort_values([method, "_pos"], ascending=[not AGGREGATIONS[method], True])
        table = table.drop(columns="_pos").reset_index(drop=True)
        return table if n is None else table.head(n)

    def to_dict(self) -> dict[str, Any]:
        """What overlap.json holds: the overlap counts, the models, the ranking and the run's counts."""
        return {
            **self.overlap(),
            "top": self.top,
            "depth": self.depth,
            "ranking": self.ranking.describe(),
            "model_info": {
                m.name: {**m.describe(), "score_mean": s[1], "score_std": s[2]}
                for m, s in zip(self.models, self.score_stats, strict=True)
            },
            "candidates": {
                "space": self.space,
                "read": self.n_candidates,
                "removed_by_filters": self.filtered,
                "could_not_featurize": self.n_failed,
                "scored": self.n_scored,
                "failed_examples": [
                    {"row": str(r), "value": str(v), "message": msg} for r, v, msg in self.failed
                ],
            },
            "constants": {
                k: v if isinstance(v, int | float | str) else str(v) for k, v in self.constants.items()
            },
            "seconds": round(self.seconds, 3),
            "executor": self.executor,
        }

    def summary(self) -> str:
        """A few readable lines (what ``matinfo screen run`` prints)."""
        o = self.overlap()
        m = len(self.models)
        lines = [
            f"{self.space}",
            f"read {self.n_candidates:,}, scored {self.n_scored:,}"
            + (f", removed by filters {sum(self.filtered.values()):,}" if self.filtered else "")
            + (f", could not featurize {self.n_failed:,}" if self.n_failed else "")
            + f" in {self.seconds:.1f} s ({self.n_candidates / max(self.seconds, 1e-9):,.0f} candidates/s, {self.executor})",
            f"top {self.top} of {m} models ({', '.join(self.names)}): {o['union']} distinct hits, "
            f"{o['in_all']} in all {m}"
            + "".join(f", {o['in_at_least'][str(k)]} in >= {k}" for k in range(2, m)),
        ]
        return "\n".join(lines)

    def save(self, directory: str | Path, *, figure: bool = False) -> dict[str, Path]:
        """Write ``hits.csv`` and ``overlap.json`` (and with ``figure`` ``overlap.png`` / ``overlap.html``)."""
        out = Path(directory)
        paths = {"hits": out / "hits.csv", "overlap": out / "overlap.json"}
        hits = self.hits()
        _atomic_write(paths["hits"], lambda tmp: hits.to_csv(tmp, index=False))
        text = json.dumps(self.to_dict(), indent=2, default=str) + "\n"
        _atomic_write(paths["overlap"], lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        if figure:
            fig = self.plot_overlap()
            paths["figure"], paths["figure_html"] = fig.save(out / "overlap")
            fig.close()
        return paths

    def plot_overlap(self, *, title: str | None = None):
        """An UpSet plot of the top-N lists (:func:`matinfo.viz.overlap.overlap_plot`)."""
        from matinfo.viz.overlap import overlap_plot

        o = self.overlap()
        m = len(self.models)
        head = f"Top {self.top} of {m} models: {o['in_all']} in all" + (
            f", {o['in_at_least']['2']} in at least 2" if m > 2 else ""
        )
        return overlap_plot(self.top_lists(), title=title or head)
