"""Numeric columns that are already descriptors (lattice constants, space-group number, Z) with a category."""

from __future__ import annotations

from typing import Any

import numpy as np

from matinfo.errors import ParameterError
from matinfo.features.base import CATEGORIES, Examples, Featurizer

__all__ = ["NumericColumns"]


class NumericColumns(Featurizer):
    """Pass numeric columns of a table through as features of one ``category``.

    For numbers a data set already reports per row — OBELiX's lattice constants and space-group number are
    *structure* descriptors even without a CIF.  ``prefix`` is put before each name (``"reported "`` tells the
    reported lattice constant ``a`` from the one computed from a CIF).  Cells must be numbers (or empty → NaN); anything else is a row
    error naming the column.  For values with units or categorical conditions use
    :class:`~matinfo.features.ConditionFeatures`.

    >>> import pandas as pd
    >>> f = NumericColumns(columns=["a", "Space group #"], category="structure")
    >>> f.transform(pd.DataFrame({"a": [5.5, None], "Space group #": [2, 230]})).tolist()
    [[5.5, 2.0], [nan, 230.0]]
    """

    name = "numeric_columns"
    input_kind = "table"

    def __init__(
        self,
        *,
        columns: list[str] | tuple[str, ...] = (),
        category: str = "structure",
        prefix: str = "",
        on_error: str = "raise",
        n_jobs: int | None = 1,
    ) -> None:
        self.columns = columns
        self.category = category
        self.prefix = prefix
        self.on_error = on_error
        self.n_jobs = n_jobs

    def _describe(self) -> tuple[list[str], list[str]]:
        if not self.columns:
            raise ParameterError("NumericColumns needs columns=[...]")
        if self.category not in CATEGORIES:
            raise ParameterError(f"category={self.category!r}: use one of {CATEGORIES}")
        return [f"{self.prefix}{c}" for c in self.columns], [self.category] * len(self.columns)

    def _rows(self, X: Any) -> tuple[list[Any], list[Any]]:
        import pandas as pd

        if isinstance(X, pd.DataFrame):
            missing = [c for c in self.columns if c not in X.columns]
            if missing:
                raise ParameterError(
                    f"NumericColumns: columns {missing} are not in the table; columns are {list(X.columns)}"
                )
            return X[list(self.columns)].to_dict("records"), X.index.tolist()
        rows = list(X)
        return rows, list(range(len(rows)))

    def _prepare(self, row: Any) -> np.ndarray:
        out = np.empty(len(self.columns))
        for j, col in enumerate(self.columns):
            v = row.get(col) if isinstance(row, dict) else None
            if v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip()):
                out[j] = np.nan
                continue
            try:
                out[j] = float(v)
            except (TypeError, ValueError):
                raise ValueError(f"column {col!r} holds {v!r}, not a number") from None
        return out

    def _compute_batch(self, items: list[np.ndarray]) -> np.ndarray:
        return np.vstack(items)

    def citations(self) -> list[str]:
        return [
            "@misc{matinfo_numeric_columns, title = {Descriptors reported by the data set itself; cite the data set}}"
        ]

    @classmethod
    def _examples(cls) -> Examples:
        good = [
            {"a": 5.5071, "c": 5.5231, "Space group #": 2},
            {"a": 12.97, "c": 12.97, "Space group #": 230},
            {"a": 8.68, "c": 21.93, "Space group #": 167},
        ]
        bad = [{"a": "five", "c": 1.0, "Space group #": 2}]
        return Examples(
            good=good, bad=bad, params={"columns": ["a", "c", "Space group #"], "category": "structure"}
        )
