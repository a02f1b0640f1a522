"""Pairs of materials (film|substrate, electrode|electrolyte): both sides' features, their differences and ratios.

A wrapped featurizer (composition statistics by default) describes each side; the pair gets the two sides,
``A − B`` and ``A / B`` per feature, and, for composition pairs, how different the two compositions are.

>>> from matinfo.features import ElementFraction
>>> f = PairFeatures(featurizer=ElementFraction(max_z=8)).fit(["Li2O|Li"])
>>> row = dict(zip(f.get_feature_names_out(), f.transform(["Li2O|Li"])[0]))
>>> [round(float(row[k]), 4) for k in ("A: Li", "B: Li", "A-B: Li", "A/B: Li", "A/B: O", "composition distance")]
[0.6667, 1.0, -0.3333, 0.6667, nan, 0.3333]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.base import clone

from matinfo.errors import FeaturizeError
from matinfo.features.base import _ROW_ERRORS, Examples, Featurizer, _is_missing

__all__ = ["PairFeatures", "split_pair"]

#: Separator of the two sides in a pair string (``"Al2O3|Si"``).
PAIR_SEPARATOR = "|"


def split_pair(x: Any) -> tuple[Any, Any]:
    """The two sides of one pair: ``"A|B"``, or a 2-tuple/list.

    >>> split_pair("Al2O3 | Si"), split_pair(("GaN", "SiC"))
    (('Al2O3', 'Si'), ('GaN', 'SiC'))
    """
    if isinstance(x, str):
        parts = [p.strip() for p in x.split(PAIR_SEPARATOR)]
        if len(parts) != 2 or not all(parts):
            raise FeaturizeError(
                f"a pair is two sides separated by {PAIR_SEPARATOR!r}, this has {len(parts)} non-empty part(s)"
                if all(parts)
                else "a pair has an empty side",
                value=x,
                hint="write it as 'A|B', e.g. 'Al2O3|Si', or pass a tuple ('Al2O3', 'Si')",
            )
        return parts[0], parts[1]
    if isinstance(x, tuple | list | np.ndarray) and len(x) == 2:
        return x[0], x[1]
    raise FeaturizeError(
        f"a pair must be 'A|B' or a 2-tuple, not a {type(x).__name__}",
        value=x,
        hint="write it as 'A|B', e.g. 'Al2O3|Si', or pass a tuple ('Al2O3', 'Si')",
    )


def _has_missing_side(x: Any) -> bool:
    return isinstance(x, tuple | list) and len(x) == 2 and any(_is_missing(side) for side in x)


def _default_featurizer() -> Featurizer:
    from matinfo.features.element_stats import ElementStats

    return ElementStats(preset="magpie")


def _is_batched(f: Featurizer) -> bool:
    return type(f)._compute_batch is not Featurizer._compute_batch


class PairFeatures(Featurizer):
    """Features of an A|B pair built from a featurizer of single materials.

    Columns, for every feature ``f`` of the wrapped featurizer:

    * ``ordered=True`` (default): ``A: f``, ``B: f``, ``A-B: f`` (difference), ``A/B: f`` (ratio; NaN when B
      is 0, including 0/0);
    * ``ordered=False`` (``A|B`` and ``B|A`` give the same row): ``min: f``, ``max: f`` (the two sides sorted
      per feature), ``|A-B|: f``, ``max/min: f`` (NaN when the minimum is 0).

    For composition featurizers (every wrapped feature in category ``composition``) two pair-level columns follow:
    ``composition distance`` (total-variation distance of the atomic fractions,
    :func:`~matinfo.core.keys.composition_distance`, 0 … 1) and ``shared elements`` (number of elements on both
    sides).  Every column is in category ``interface``.

    Input rows: strings ``"Al2O3|Si"``, 2-tuples ``("Al2O3", "Si")``, or a two-column DataFrame (A, B).  A pair
    with a missing side (``None``, NaN: an empty cell) gives a NaN row listed in ``report_.missing``.

    Parameters
    ----------
    featurizer : Featurizer or None
        Featurizer of one side, cloned and fitted on all sides in ``fit``; ``None`` means
        ``ElementStats(preset="magpie")``.
    ordered : bool
        Keep the A, B order (film on substrate) or make the features symmetric.
    on_error, n_jobs : see :class:`~matinfo.features.base.Featurizer`.
    """

    name = "pairs"

    def __init__(
        self,
        featurizer: Featurizer | None = None,
        *,
        ordered: bool = True,
        on_error: str = "raise",
        n_jobs: int | None = 1,
    ) -> None:
        self.featurizer = featurizer
        self.ordered = ordered
        self.on_error = on_error
        self.n_jobs = n_jobs

    @property
    def stateless(self) -> bool:  # type: ignore[override]
        return self._template().stateless

    def _template(self) -> Featurizer:
        return self.featurizer if self.featurizer is not None else _default_featurizer()

    def _inner(self) -> Featurizer:
        inner = getattr(self, "featurizer_", None)
        if inner is None:  # a stateless inner featurizer needs no fit
            inner = clone(self._template())
            self.featurizer_ = inner
        return inner

    def _fit(self, X: Any, y: Any = None) -> None:
        inner = clone(self._template())
        if not inner.stateless:
            rows, _ = self._rows(X)
            sides: list[Any] = []
            for x in rows:
                try:
                    sides.extend(split_pair(x))
                except FeaturizeError:
                    continue  # reported when transformed
            inner.fit(sides)
        self.featurizer_ = inner

    def _composition_pair(self) -> bool:
        return all(c == "composition" for c in self._inner().get_feature_categories_out())

    def _describe(self) -> tuple[list[str], list[str]]:
        if not isinstance(self.ordered, bool):
            raise ValueError(f"ordered={self.ordered!r}: use True or False")
        base = list(self._inner().get_feature_names_out())
        prefixes = (
            ("A: ", "B: ", "A-B: ", "A/B: ") if self.ordered else ("min: ", "max: ", "|A-B|: ", "max/min: ")
        )
        names = [p + n for p in prefixes for n in base]
        if self._composition_pair():
            names += ["composition distance", "shared elements"]
        return names, ["interface"] * len(names)

    # -- rows --------------------------------------------------------------------------------------------------
    def _rows(self, X: Any) -> tuple[list[Any], list[Any]]:
        """Pairs and their labels; a pair with a missing side (None / NaN) becomes a missing row (NaN features)."""
        import pandas as pd

        if isinstance(X, pd.DataFrame):
            if X.shape[1] != 2:
                raise ValueError(
                    f"PairFeatures takes a DataFrame with two columns (A, B), got columns {list(X.columns)}"
                )
            rows, labels = (
                list(zip(X.iloc[:, 0].tolist(), X.iloc[:, 1].tolist(), strict=True)),
                X.index.tolist(),
            )
        elif isinstance(X, np.ndarray) and X.ndim == 2:
            if X.shape[1] != 2:
                raise ValueError(f"PairFeatures takes an array of shape (n, 2), got {X.shape}")
            rows, labels = [tuple(r) for r in X.tolist()], list(range(len(X)))
        else:
            rows, labels = super()._rows(X)
        return [None if _has_missing_side(r) else r for r in rows], labels

    def _prepare(self, x: Any) -> tuple[Any, Any, np.ndarray | None, np.ndarray | None, tuple[float, ...]]:
        """Both sides prepared by the inner featurizer (and computed, when it works row by row)."""
        inner = self._inner()
        a, b = split_pair(x)
        items = []
        for side, raw in (("A", a), ("B", b)):
            try:
                item = inner._prepare(raw)
                vec = None if _is_batched(inner) else np.asarray(inner._compute_one(item), dtype=float)
            except _ROW_ERRORS as exc:
                problem = getattr(exc, "problem", None) or str(exc) or type(exc).__name__
                raise FeaturizeError(
                    f"side {side} ({raw!r}): {problem}",
                    field=side,
                    value=x,
                    hint=getattr(exc, "hint", None) or "fix this side of the pair or drop the row",
                ) from exc
            items.append((item, vec))
        extra: tuple[float, ...] = ()
        if self._composition_pair():
            extra = _composition_pair_features(a, b)
        return items[0][0], items[1][0], items[0][1], items[1][1], extra

    def _compute_batch(self, items: list[tuple[Any, ...]]) -> np.ndarray:
        inner = self._inner()
        if _is_batched(inner):
            both = np.asarray(
                inner._compute_batch([it[0] for it in items] + [it[1] for it in items]), dtype=float
            )
            fa, fb = both[: len(items)], both[len(items) :]
        else:
            fa = np.vstack([it[2] for it in items])
            fb = np.vstack([it[3] for it in items])
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.ordered:
                blocks = [fa, fb, fa - fb, np.where(fb == 0, np.nan, fa / fb)]
            else:
                lo, hi = np.minimum(fa, fb), np.maximum(fa, fb)  # NaN on either side gives NaN
                blocks = [lo, hi, np.abs(fa - fb), np.where(lo == 0, np.nan, hi / lo)]
        out = np.hstack(blocks)
        out[~np.isfinite(out)] = np.nan
        if items and items[0][4]:
            out = np.hstack([out, np.array([it[4] for it in items], dtype=float)])
        return out

    def citations(self) -> list[str]:
        return [*self._template().citations(), _WU_2019]

    @classmethod
    def _examples(cls) -> Examples:
        return Examples(
            good=["Al2O3|Si", ("GaN", "SiC"), "LiCoO2|Li7La3Zr2O12", "Au|Si", "Si|Al2O3"],
            bad=["Al2O3", "Al2O3|Xx2O3", "Cu|Al|Si", ("Li2O",)],
        )


def _composition_pair_features(a: Any, b: Any) -> tuple[float, float]:
    from matinfo.core.keys import composition_distance
    from matinfo.features._composition import composition_amounts

    amounts_a, amounts_b = composition_amounts(a), composition_amounts(b)
    shared = len(amounts_a.keys() & amounts_b.keys())
    # the distance is symmetric, but its float sum depends on the order: fix it so A|B and B|A agree to the bit
    first, second = sorted((amounts_a, amounts_b), key=lambda m: sorted(m.items()))
    distance = composition_distance(first, second)
    return (float(distance) if math.isfinite(distance) else math.nan), float(shared)


_WU_2019 = """@article{wu_2019_itr,
  author = {Wu, Y.-J. and Fang, L. and Xu, Y.},
  title = {Predicting interfacial thermal resistance by machine learning},
  journal = {npj Computational Materials}, volume = {5}, pages = {56}, year = {2019},
  doi = {10.1038/s41524-019-0193-0}
}"""
