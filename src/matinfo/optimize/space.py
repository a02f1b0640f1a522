"""Discrete search spaces: a finite table of candidates (from a DataFrame, a CSV file, a store query or screen hits).

A :class:`DiscreteSpace` holds one row per candidate: an ID (unique, as text), the numeric feature columns the
surrogate sees, and optionally a cost column (what one experiment on that candidate costs, in any positive unit).
The surrogate works on :meth:`DiscreteSpace.encode`'d features: each column scaled to [0, 1] over the pool, so
that length scales are comparable between columns.

>>> import pandas as pd
>>> space = DiscreteSpace.from_frame(
...     pd.DataFrame({"id": ["a", "b", "c"], "T": [300.0, 500.0, 700.0]}), features=["T"], id_col="id"
... )
>>> space.encoded[:, 0].tolist(), space.positions(["c"]).tolist()
([0.0, 0.5, 1.0], [2])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matinfo.errors import ImportDataError, NotFoundError, ParameterError

__all__ = ["DiscreteSpace"]

#: How many offending rows an error message lists.
_SHOW = 5


class DiscreteSpace:
    """A finite pool of candidates with feature columns, an ID column and an optional cost column.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per candidate.
    features : sequence of str
        Numeric columns the surrogate model uses (they must be finite).
    id_col : str or None
        Column of unique candidate IDs; None uses the row index.
    cost_col : str or None
        Column of positive costs per experiment, for cost-aware acquisition.
    source : str
        Where the table came from, for error messages.
    """

    kind = "discrete"

    def __init__(
        self,
        table: Any,
        *,
        features: Sequence[str],
        id_col: str | None = None,
        cost_col: str | None = None,
        source: str = "candidates",
    ) -> None:
        import pandas as pd

        if not isinstance(table, pd.DataFrame):
            raise ParameterError(f"candidates must be a pandas DataFrame, not {type(table).__name__}")
        if len(table) == 0:
            raise ParameterError(
                f"the candidate pool ({source}) is empty: nothing to suggest from; give at least one candidate row"
            )
        features = [str(f) for f in features]
        if not features:
            raise ParameterError("give at least one feature column for the surrogate model (--features)")
        if len(set(features)) != len(features):
            raise ParameterError(f"feature columns are listed twice: {features}")
        missing = [c for c in (*features, id_col, cost_col) if c is not None and c not in table.columns]
        if missing:
            raise ImportDataError(
                f"no column {missing[0]!r}",
                source=source,
                hint=f"columns are: {', '.join(map(str, table.columns[:30]))}",
            )
        ids = table[id_col] if id_col is not None else pd.Series(table.index, index=table.index)
        if ids.isna().any():
            row = int(np.flatnonzero(ids.isna().to_numpy())[0])
            raise ImportDataError(f"empty candidate ID in row {row} (0-based)", source=source, field=id_col)
        ids = ids.map(_id_text)
        dup = ids[ids.duplicated(keep=False)]
        if len(dup):
            raise ImportDataError(
                f"candidate IDs must be unique; {dup.nunique()} IDs repeat, e.g. {sorted(set(dup))[:_SHOW]}",
                source=source,
                field=id_col,
                hint="choose an ID column with one value per candidate, or drop duplicate rows",
            )
        X = _numeric(table, features, source)
        cost = None
        if cost_col is not None:
            cost = _numeric(table, [cost_col], source)[:, 0]
            bad = np.flatnonzero(~(cost > 0))
            if len(bad):
                raise ImportDataError(
                    f"costs must be positive (row {int(bad[0])}, 0-based)",
                    source=source,
                    field=cost_col,
                    value=float(cost[bad[0]]),
                    hint="give every candidate a positive cost (time, money, CPU hours)",
                )
        self.features = features
        self.id_col = id_col
        self.cost_col = cost_col
        self.source = source
        self.ids = ids.to_numpy(dtype=object)
        self.X = X
        self.cost = cost
        lo, hi = X.min(0), X.max(0)
        self._lo, self._span = lo, np.where(hi > lo, hi - lo, 1.0)
        self.encoded = self.encode(X)
        self._where = {k: i for i, k in enumerate(self.ids)}

    # -- constructors ----------------------------------------------------------------------------------------
    @classmethod
    def from_frame(
        cls,
        frame: Any,
        *,
        features: Sequence[str],
        id_col: str | None = None,
        cost_col: str | None = None,
    ) -> DiscreteSpace:
        """The candidates of a DataFrame (a screen's hits, a designed pool, ...)."""
        return cls(frame, features=features, id_col=id_col, cost_col=cost_col, source="DataFrame")

    @classmethod
    def from_csv(
        cls,
        path: str | Path,
        *,
        features: Sequence[str],
        id_col: str | None = None,
        cost_col: str | None = None,
    ) -> DiscreteSpace:
        """The candidates of a CSV (or Parquet) file, e.g. the hits written by a screen."""
        import pandas as pd

        path = Path(path)
        if not path.exists():
            raise ImportDataError("no such file", source=str(path), hint="check the path of the candidates")
        frame = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)
        return cls(frame, features=features, id_col=id_col, cost_col=cost_col, source=str(path))

    @classmethod
    def from_store(
        cls,
        db: Any,
        query: Any = None,
        *,
        features: Sequence[str] | None = None,
        featurizer: Any = None,
        composition_col: str = "formula",
        cost_col: str | None = None,
    ) -> DiscreteSpace:
        """Materials of a store search (:class:`~matinfo.store.Query`) as candidates, ID = material ID.

        Features are columns of the store's ML table (``features``, e.g. ``["band_gap [eV]"]``) and/or the
        output of ``featurizer`` (e.g. ``ElementStats(preset="magpie")``) applied to ``composition_col``.
        """
        from matinfo.store.export import ml_table

        frame = ml_table(db, query)
        if frame.empty:
            raise ParameterError("the store search found no materials: the candidate pool is empty")
        cols = list(features or [])
        if featurizer is not None:
            feats = featurizer.set_output(transform="pandas").fit_transform(frame[composition_col])
            feats.index = frame.index
            frame = frame.join(feats.add_prefix("f:"))
            cols += [f"f:{c}" for c in feats.columns]
        return cls(frame, features=cols, id_col="material_id", cost_col=cost_col, source="store search")

    # -- lookups ---------------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return f"DiscreteSpace({len(self)} candidates, features={self.features})"

    def encode(self, X: Any) -> np.ndarray:
        """Raw feature rows (n × d) → the unit-cube scale of this pool."""
        return (np.asarray(X, dtype=float) - self._lo) / self._span

    def decode(self, Z: Any) -> np.ndarray:
        """Encoded rows back to raw feature values."""
        return self._lo + np.atleast_2d(np.asarray(Z, dtype=float)) * self._span

    def encode_records(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Feature dicts (e.g. the observations of a related campaign) → encoded rows."""
        try:
            X = np.array([[float(r[f]) for f in self.features] for r in records], dtype=float)
        except KeyError as e:
            raise ParameterError(
                f"a record has no feature {e.args[0]!r}; transfer needs the same feature columns "
                f"({', '.join(self.features)})"
            ) from None
        return self.encode(X.reshape(len(records), len(self.features)))

    def positions(self, ids: Sequence[Any]) -> np.ndarray:
        """Row positions of candidate IDs; an unknown ID is a :class:`~matinfo.errors.NotFoundError`."""
        out = np.empty(len(ids), dtype=np.int64)
        for i, key in enumerate(ids):
            pos = self._where.get(_id_text(key))
            if pos is None:
                raise NotFoundError(
                    f"candidate {key!r} is not in the space ({len(self)} candidates from {self.source}); "
                    f"use the IDs that `suggest` printed (column {self.id_col or 'index'!r})"
                )
            out[i] = pos
        return out

    def record(self, position: int) -> dict[str, Any]:
        """Feature values of one candidate (for suggestions and the log)."""
        return {f: float(v) for f, v in zip(self.features, self.X[position], strict=True)}

    def to_frame(self) -> Any:
        """The candidate table as stored: ID, features and cost."""
        import pandas as pd

        data = {self.id_col or "id": self.ids}
        data.update({f: self.X[:, i] for i, f in enumerate(self.features)})
        if self.cost is not None:
            data[self.cost_col] = self.cost
        return pd.DataFrame(data)

    def spec(self) -> dict[str, Any]:
        """JSON description (the rows themselves are stored separately, one per candidate)."""
        return {
            "kind": self.kind,
            "features": self.features,
            "id_col": self.id_col,
            "cost_col": self.cost_col,
            "n_candidates": len(self),
            "source": self.source,
        }


def _id_text(value: Any) -> str:
    """Candidate IDs are text; whole floats (IDs read back from CSV) lose their ``.0``."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _numeric(table: Any, columns: Sequence[str], source: str) -> np.ndarray:
    import pandas as pd

    out = np.empty((len(table), len(columns)))
    for j, col in enumerate(columns):
        values = pd.to_numeric(table[col], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(values))
        if len(bad):
            raise ImportDataError(
                f"{len(bad)} value(s) are not finite numbers (rows {[int(b) for b in bad[:_SHOW]]}, 0-based)",
                source=source,
                field=col,
                value=table[col].iloc[int(bad[0])],
                hint="fill or drop those candidates; the surrogate needs a number in every feature column",
            )
        out[:, j] = values
    return out
