"""Cross-validation splits that do not leak: grouped, leave-cluster-out, extrapolation.

Random k-fold over-states accuracy on materials data: the same substance appears in several papers, the same
chemical system in many compositions, and one paper's samples share a lab.  Keep them on one side of a split:

* :func:`group_labels` builds group labels (``substance``, ``chemical_system``, ``reduced_formula``, ``doi``,
  ``family`` = anonymous formula) for scikit-learn's ``GroupKFold``;
* :class:`LeaveClusterOut` — k-means clusters in descriptor space, one cluster per test fold (LOCO-CV, Meredig et
  al. 2018);
* :class:`ExtrapolationSplit` — train below a threshold of the target or a column, test above: can the model find
  materials better than any it has seen?

All are scikit-learn CV splitters (``split(X, y, groups)``, ``get_n_splits``) and work with ``cross_validate``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from matinfo.errors import ParameterError

__all__ = ["group_labels", "LeaveClusterOut", "ExtrapolationSplit", "make_cv", "GROUPINGS"]

#: What :func:`group_labels` can group by.
GROUPINGS = ("substance", "chemical_system", "reduced_formula", "family", "doi", "column")


def group_labels(formulas: Sequence[Any], by: str = "chemical_system") -> np.ndarray:
    """One group label per row, from formulas: ``chemical_system``, ``reduced_formula`` or ``family``
    (anonymous formula, e.g. ABC3 for LiNbO3 and SrTiO3).

    >>> group_labels(["LiNbO3", "Li0.95Nb1.01O3", "SrTiO3"], by="chemical_system").tolist()
    ['Li-Nb-O', 'Li-Nb-O', 'O-Sr-Ti']
    >>> group_labels(["LiNbO3", "SrTiO3"], by="family").tolist()
    ['ABC3', 'ABC3']
    """
    from matinfo.core import anonymous_formula, chemical_system, reduced_formula

    funcs = {
        "chemical_system": chemical_system,
        "reduced_formula": reduced_formula,
        "family": anonymous_formula,
    }
    if by not in funcs:
        raise ParameterError(
            f"group_labels(by={by!r}): use {', '.join(funcs)}; for substance / doi / other columns pass the column as groups"
        )
    return np.asarray([funcs[by](f) for f in formulas], dtype=object)


def _matrix(X: Any) -> np.ndarray:
    arr = np.asarray(X, dtype=float)
    if arr.ndim != 2:
        raise ParameterError(f"expected a 2-D feature table, got shape {arr.shape}")
    return arr


class LeaveClusterOut:
    """k-means clusters of the (imputed, standardised) descriptors; each cluster is the test set once.

    >>> import numpy as np
    >>> X = np.r_[np.zeros((5, 2)), np.ones((5, 2)) * 10]
    >>> [test.tolist() for _, test in LeaveClusterOut(2).split(X)]
    [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    """

    def __init__(self, n_clusters: int = 5, random_state: int | None = 0) -> None:
        self.n_clusters = n_clusters
        self.random_state = random_state

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        return self.n_clusters

    def labels(self, X: Any) -> np.ndarray:
        from sklearn.cluster import KMeans
        from sklearn.impute import SimpleImputer
        from sklearn.preprocessing import StandardScaler

        arr = SimpleImputer(strategy="median", keep_empty_features=True).fit_transform(_matrix(X))
        arr = StandardScaler().fit_transform(arr)
        km = KMeans(n_clusters=self.n_clusters, random_state=self.random_state, n_init=10).fit(arr)
        # number clusters by their first row so that fold order is stable
        order = {lab: i for i, lab in enumerate(dict.fromkeys(km.labels_))}
        return np.array([order[lab] for lab in km.labels_])

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        labels = self.labels(X)
        idx = np.arange(len(labels))
        for k in range(self.n_clusters):
            yield idx[labels != k], idx[labels == k]


class ExtrapolationSplit:
    """One split: train on rows whose value is below a threshold, test on the rows at or above it.

    ``on="target"`` uses ``y``; a column name uses that column of a DataFrame ``X``.  The threshold is
    ``threshold`` or, if not given, the ``quantile`` of the values (default 0.8: test on the top 20 %).
    ``direction="below"`` tests on the bottom instead.

    >>> import numpy as np
    >>> y = np.arange(10.0)
    >>> [(tr.tolist(), te.tolist()) for tr, te in ExtrapolationSplit(quantile=0.7).split(np.zeros((10, 1)), y)]
    [([0, 1, 2, 3, 4, 5, 6], [7, 8, 9])]
    """

    def __init__(
        self,
        on: str = "target",
        *,
        threshold: float | None = None,
        quantile: float = 0.8,
        direction: str = "above",
    ) -> None:
        self.on = on
        self.threshold = threshold
        self.quantile = quantile
        self.direction = direction

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        return 1

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        if self.on == "target":
            if y is None:
                raise ParameterError("ExtrapolationSplit(on='target') needs y")
            values = np.asarray(y, dtype=float)
        else:
            if not hasattr(X, "columns") or self.on not in X.columns:
                raise ParameterError(
                    f"ExtrapolationSplit(on={self.on!r}) needs a DataFrame X with that column"
                )
            values = np.asarray(X[self.on], dtype=float)
        if self.direction not in ("above", "below"):
            raise ParameterError(f"direction={self.direction!r}: use 'above' or 'below'")
        known = ~np.isnan(values)
        cut = (
            self.threshold if self.threshold is not None else float(np.quantile(values[known], self.quantile))
        )
        test = values >= cut if self.direction == "above" else values <= cut
        test &= known
        train = known & ~test
        if not train.any() or not test.any():
            raise ParameterError(f"threshold {cut:g} leaves an empty train or test set; choose another")
        idx = np.arange(len(values))
        yield idx[train], idx[test]


def make_cv(kind: str = "kfold", n_splits: int = 5, *, random_state: int | None = 0, **kwargs: Any):
    """A splitter by name: ``kfold`` (shuffled), ``stratified``, ``group`` (pass ``groups`` to ``split``),
    ``cluster`` (leave-cluster-out), ``extrapolation`` (``on=``, ``quantile=`` / ``threshold=``)."""
    from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold

    if kind == "kfold":
        return KFold(n_splits, shuffle=True, random_state=random_state)
    if kind == "stratified":
        return StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
    if kind == "group":
        return GroupKFold(n_splits, shuffle=True, random_state=random_state)
    if kind == "cluster":
        return LeaveClusterOut(n_splits, random_state=random_state)
    if kind == "extrapolation":
        return ExtrapolationSplit(**kwargs)
    raise ParameterError(f"unknown split {kind!r}; use kfold, stratified, group, cluster or extrapolation")
