"""Several featurizers side by side, as one featurizer (names and categories kept, unlike ``FeatureUnion``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone

from matinfo.errors import ParameterError
from matinfo.features.base import Examples, Featurizer, FeaturizeReport, RowError

__all__ = ["CombinedFeatures", "TableFeatures"]


class CombinedFeatures(Featurizer):
    """Concatenate the columns of several featurizers that read the same input.

    Feature names are kept as each part names them (a name given by two parts is an error: drop one of them),
    and so are the categories, so importance can still be grouped by descriptor category.  ``on_error`` and
    ``n_jobs`` given here override the parts'.  A row is reported once however many parts fail on it.

    >>> from matinfo.features import ElementFraction
    >>> both = CombinedFeatures([ElementFraction(max_z=3), ElementFraction(max_z=8)])
    >>> both.transform(["LiH"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    matinfo.errors.ParameterError: CombinedFeatures: feature names given by more than one part: ['H', 'He', 'Li']; ...
    """

    name = "combined"

    def __init__(
        self,
        featurizers: list[Featurizer] | tuple[Featurizer, ...] = (),
        *,
        on_error: str = "raise",
        n_jobs: int | None = 1,
    ) -> None:
        self.featurizers = featurizers
        self.on_error = on_error
        self.n_jobs = n_jobs

    @property
    def stateless(self) -> bool:  # type: ignore[override]
        return all(f.stateless for f in self.featurizers)

    def _parts(self) -> list[Featurizer]:
        if not self.featurizers:
            raise ValueError("CombinedFeatures needs at least one featurizer")
        parts = getattr(self, "parts_", None)
        if parts is None:
            parts = [
                clone(f).set_params(on_error=self.on_error, n_jobs=self.n_jobs) for f in self.featurizers
            ]
            if self.stateless:
                self.parts_ = parts
        return parts

    def _input(self, i: int, X: Any) -> Any:
        """What part ``i`` reads: all parts read the same input here."""
        return X

    def _label(self, i: int, name: str) -> str:
        return name

    def _fit(self, X: Any, y: Any = None) -> None:
        parts = [clone(f).set_params(on_error=self.on_error, n_jobs=self.n_jobs) for f in self.featurizers]
        for i, p in enumerate(parts):
            p.fit(self._input(i, X), y)
        self.parts_ = parts

    def _describe(self) -> tuple[list[str], list[str]]:
        names: list[str] = []
        cats: list[str] = []
        for i, p in enumerate(self._parts()):
            n, c = (
                p._checked_description() if p.stateless else (p.feature_names_out_, p.feature_categories_out_)
            )
            names += [self._label(i, x) for x in n]
            cats += list(c)
        dup = sorted({n for n in names if names.count(n) > 1}, key=names.index)
        if dup:
            raise ValueError(
                f"feature names given by more than one part: {dup[:5]}; drop the duplicate featurizer or "
                "choose parameters whose columns do not overlap"
            )
        return names, cats

    def transform(self, X: Any) -> np.ndarray:
        self._ensure_ready()
        blocks = []
        failed: dict[Any, RowError] = {}
        missing: dict[Any, None] = {}
        n_rows = 0
        for i, p in enumerate(self._parts()):
            blocks.append(p.transform(self._input(i, X)))
            n_rows = p.report_.n_rows
            for e in p.report_.errors:
                failed.setdefault(e.row, e)
            missing.update(dict.fromkeys(p.report_.missing))
        self.report_ = FeaturizeReport(n_rows=n_rows, errors=list(failed.values()), missing=list(missing))
        return np.hstack(blocks) if blocks else np.empty((0, 0))

    def citations(self) -> list[str]:
        seen: dict[str, None] = {}
        for f in self.featurizers:
            for c in f.citations():
                seen.setdefault(c, None)
        return list(seen)

    @classmethod
    def _examples(cls) -> Examples:
        from matinfo.features.element_fraction import ElementFraction

        parts: list[Featurizer] = [ElementFraction()]
        try:
            from matinfo.features.element_stats import ElementStats

            parts.append(ElementStats(preset="magpie"))
        except ImportError:  # pragma: no cover - element_stats ships with the package
            pass
        good = ElementFraction._examples().good
        return Examples(good=good, bad=["Xx2O3"], params={"featurizers": parts})


class TableFeatures(CombinedFeatures):
    """Featurizers applied to columns of one table, e.g. composition from ``formula`` and structure from ``cif``.

    ``parts`` is a list of ``(featurizer, column)`` pairs, as in scikit-learn's ``ColumnTransformer``, but names
    and categories stay as each part gives them, so the joined table can still be grouped by descriptor
    category.  Parts that read a whole table (condition features) take ``None`` as their column.  With
    ``prefix=True`` every name becomes ``"<column>: <name>"``, which tells apart the same featurizer applied to
    two columns (film and substrate).

    >>> import pandas as pd
    >>> from matinfo.features import ElementFraction
    >>> table = pd.DataFrame({"film": ["Al2O3", "TiN"], "substrate": ["Si", "MgO"]})
    >>> tf = TableFeatures([(ElementFraction(max_z=22), "film")])
    >>> tf.transform(table)[:, [12, 21]].round(2).tolist()   # Al and Ti fractions of the film
    [[0.4, 0.0], [0.0, 0.5]]
    """

    name = "table"
    input_kind = "table"

    def __init__(
        self,
        parts: list[tuple[Featurizer, str | None]] | tuple = (),
        *,
        prefix: bool = False,
        on_error: str = "raise",
        n_jobs: int | None = 1,
    ) -> None:
        self.parts = parts
        self.prefix = prefix
        self.on_error = on_error
        self.n_jobs = n_jobs

    @property
    def featurizers(self) -> list[Featurizer]:  # type: ignore[override]
        return [f for f, _ in self.parts]

    def _label(self, i: int, name: str) -> str:
        column = self.parts[i][1]
        return f"{column}: {name}" if self.prefix and column is not None else name

    def _input(self, i: int, X: Any) -> Any:
        import pandas as pd

        column = self.parts[i][1]
        if column is None:
            return X
        if not isinstance(X, pd.DataFrame):
            raise ParameterError(f"TableFeatures takes a pandas DataFrame, not {type(X).__name__}")
        if column not in X.columns:
            raise ParameterError(
                f"TableFeatures: column {column!r} is not in the table; columns are {list(X.columns)}"
            )
        return X[column]

    @classmethod
    def _examples(cls) -> Examples:
        import pandas as pd

        from matinfo.features.element_fraction import ElementFraction

        good = pd.DataFrame({"film": ["Al2O3", "TiN", "GaN"], "substrate": ["Si", "MgO", "Al2O3"]})
        bad = pd.DataFrame({"film": ["Xx2O3"], "substrate": ["Qq"]})
        parts = [(ElementFraction(), "film"), (ElementFraction(max_z=103), "substrate")]
        return Examples(good=good, bad=[bad], params={"parts": parts, "prefix": True})
