"""Which descriptors matter, one by one and *by descriptor category* (composition, structure, processing, ...).

Two measures, both computed on data the model has not seen (test folds of a CV split, averaged):

* **Permutation importance** — how much the score drops when a column is shuffled (scikit-learn's
  ``permutation_importance``), and the **grouped** version that shuffles *all columns of one category together*
  with one row permutation.  Correlated descriptors hide each other: shuffle one of two near-copies and the model
  reads the other, so each looks unimportant alone.  Grouped permutation removes the whole category at once and
  measures what the category carries (it is *not* guaranteed to be ≥ the largest single importance inside it).
* **Tree SHAP** for LightGBM models, exact, from LightGBM itself (``predict(X, pred_contrib=True)``; the ``shap``
  package is not needed): mean |SHAP| per feature, summed per category; the grouped value is mean |sum of the
  category's SHAP values| per row (SHAP values add up, so this is the category's own attribution).

Categories come from the featurizers (``get_feature_categories_out()``), a ``TableFeatures`` /
``CombinedFeatures``, a pipeline whose first step is a featurizer, or a ``{column: category}`` dict; columns
without one are ``"other"``.

>>> import numpy as np
>>> from sklearn.linear_model import LinearRegression
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(200, 3))
>>> y = 3 * X[:, 0] + 0.1 * rng.normal(size=200)
>>> imp = cv_importance(LinearRegression(), X, y, categories={"x0": "composition", "x1": "structure"}, cv=3)
>>> imp.top(1)["name"].tolist()
['x0']
>>> sorted(imp.by_category()["share"].round(2).items())
[('composition', 1.0), ('other', 0.0), ('structure', 0.0)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matinfo.errors import ParameterError

__all__ = [
    "Importance",
    "TopKComparison",
    "feature_categories",
    "permutation_importance_by_category",
    "shap_importance_by_category",
    "cv_importance",
    "compare_top_k",
    "tree_shap",
]

#: Short metric names accepted wherever ``scoring`` is (any scikit-learn scorer name works too).
SCORING_ALIASES = {"mae": "neg_mean_absolute_error", "rmse": "neg_root_mean_squared_error", "r2": "r2"}


# -- categories ----------------------------------------------------------------------------------------------------
def _featurizer_of(obj: Any) -> Any:
    """The featurizer inside ``obj`` (itself, or the first step of a pipeline), or None."""
    from sklearn.pipeline import Pipeline

    if isinstance(obj, Pipeline):
        obj = obj.steps[0][1]
    return obj if hasattr(obj, "get_feature_categories_out") else None


def feature_categories(obj: Any, feature_names: Any = None) -> dict[str, str]:
    """``{feature name: category}`` from a featurizer (also ``TableFeatures`` / ``CombinedFeatures``), a pipeline
    whose first step is a featurizer, or a dict.  With ``feature_names`` the result has exactly those keys, in that
    order, and names the source does not know are ``"other"``.

    >>> from matinfo.features import ElementFraction
    >>> cats = feature_categories(ElementFraction(max_z=3), ["H", "Li", "Z (formula units)"])
    >>> cats
    {'H': 'composition', 'Li': 'composition', 'Z (formula units)': 'other'}
    """
    if obj is None:
        known: dict[str, str] = {}
    elif isinstance(obj, Mapping):
        known = {str(k): str(v) for k, v in obj.items()}
    else:
        feat = _featurizer_of(obj)
        if feat is None:
            raise ParameterError(
                f"feature_categories: cannot read categories from {type(obj).__name__}; pass a featurizer, a "
                "pipeline whose first step is one, or a {column: category} dict"
            )
        names = [str(n) for n in feat.get_feature_names_out()]
        known = dict(zip(names, map(str, feat.get_feature_categories_out()), strict=True))
    if feature_names is None:
        return known
    return {str(n): known.get(str(n), "other") for n in feature_names}


def _column_names(X: Any) -> np.ndarray:
    cols = getattr(X, "columns", None)
    if cols is not None:
        return np.asarray([str(c) for c in cols], dtype=object)
    return np.asarray([f"x{i}" for i in range(np.shape(X)[1])], dtype=object)


def _category_array(categories: Any, names: np.ndarray, model: Any = None) -> np.ndarray:
    """One category per column: from a dict / featurizer / pipeline, a sequence aligned with the columns, or the
    model's own featurizer when ``categories`` is None."""
    if categories is None and model is not None:
        categories = _featurizer_of(model)
    if not (categories is None or isinstance(categories, Mapping) or hasattr(categories, "steps")):
        if _featurizer_of(categories) is None:  # a sequence aligned with the columns
            arr = np.asarray(list(categories), dtype=object)
            if len(arr) != len(names):
                raise ParameterError(
                    f"{len(arr)} categories for {len(names)} columns; give one per column or a {{name: category}} dict"
                )
            return arr
    return np.asarray(list(feature_categories(categories, names).values()), dtype=object)


# -- helpers -------------------------------------------------------------------------------------------------------
def _scoring_name(scoring: str | None) -> str | None:
    return SCORING_ALIASES.get(scoring, scoring) if isinstance(scoring, str) else scoring


def _take(X: Any, rows: Any = None, cols: Any = None) -> Any:
    if hasattr(X, "iloc"):
        return X.iloc[slice(None) if rows is None else rows, slice(None) if cols is None else cols]
    X = np.asarray(X)
    if rows is not None:
        X = X[rows]
    return X if cols is None else X[:, cols]


def _split_model(model: Any) -> tuple[Any, Any]:
    """(featurizer step or None, what follows it): importance is measured on the featurizer's output."""
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline) and _featurizer_of(model) is not None and len(model.steps) > 1:
        rest = model[1:] if len(model.steps) > 2 else model.steps[-1][1]
        return model.steps[0][1], rest
    return None, model


def _features_and_estimator(model: Any, X: Any, categories: Any) -> tuple[Any, Any, np.ndarray, np.ndarray]:
    head, rest = _split_model(model)
    if head is not None:
        Xt = head.transform(X)
        names = np.asarray([str(n) for n in head.get_feature_names_out()], dtype=object)
        cats = _category_array(head if categories is None else categories, names)
        return Xt, rest, names, cats
    names = _column_names(X)
    return X, model, names, _category_array(categories, names)


# -- result --------------------------------------------------------------------------------------------------------
@dataclass
class Importance:
    """Importance of each feature and each descriptor category.

    ``values`` holds one column per sample (test fold × repeat); ``group_values`` the grouped importance of each
    category (all its columns permuted together, or its summed SHAP values), one entry per sample.
    """

    names: np.ndarray
    categories: np.ndarray
    values: np.ndarray
    method: str = "permutation"
    scoring: str | None = None
    group_values: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def mean(self) -> np.ndarray:
        return self.values.mean(axis=1)

    @property
    def std(self) -> np.ndarray:
        return self.values.std(axis=1, ddof=1) if self.values.shape[1] > 1 else np.zeros(len(self.names))

    def to_frame(self):
        """Per-feature table (``name``, ``category``, ``mean``, ``std``, ``rank``), most important first."""
        import pandas as pd

        df = pd.DataFrame(
            {"name": self.names, "category": self.categories, "mean": self.mean, "std": self.std}
        )
        df = df.sort_values("mean", ascending=False, kind="stable").reset_index(drop=True)
        df["rank"] = np.arange(1, len(df) + 1)
        return df

    def top(self, k: int = 10):
        """The ``k`` most important features with their categories."""
        return self.to_frame().head(k)

    def by_category(self):
        """Per-category totals: ``n_features``, ``sum`` of mean importances, ``share`` of the total (negative
        permutation importances, i.e. noise, count as 0 so that shares lie in [0, 1] and sum to 1), and the grouped
        importance ``grouped_mean`` ± ``grouped_std`` where computed.  Largest share first."""
        import pandas as pd

        df = pd.DataFrame(
            {"category": self.categories, "mean": self.mean, "pos": np.clip(self.mean, 0, None)}
        )
        g = df.groupby("category", sort=False).agg(
            n_features=("mean", "size"), sum=("mean", "sum"), pos=("pos", "sum")
        )
        total = g["pos"].sum()
        g["share"] = g["pos"] / total if total > 0 else 0.0
        g = g.drop(columns="pos")
        if self.group_values:
            gv = {c: np.asarray(v, dtype=float) for c, v in self.group_values.items()}
            g["grouped_mean"] = [gv[c].mean() if c in gv else np.nan for c in g.index]
            g["grouped_std"] = [gv[c].std(ddof=1) if c in gv and len(gv[c]) > 1 else np.nan for c in g.index]
        return g.sort_values("share", ascending=False, kind="stable")

    def category_counts(self, k: int = 7) -> dict[str, int]:
        """How many of the top ``k`` features fall in each category, most frequent first."""
        return dict(Counter(self.top(k)["category"]).most_common())

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "scoring": self.scoring,
            "features": self.to_frame().to_dict(orient="records"),
            "categories": self.by_category().reset_index().to_dict(orient="records"),
        }


# -- permutation ---------------------------------------------------------------------------------------------------
def _grouped_permutation(estimator, X, y, cats, scorer, n_repeats, rng) -> dict[str, np.ndarray]:
    base = scorer(estimator, X, y)
    frame = hasattr(X, "iloc")
    arr = X if frame else np.asarray(X)
    out: dict[str, list[float]] = {c: [] for c in dict.fromkeys(cats)}
    for _ in range(n_repeats):
        perm = rng.permutation(len(y))  # one row permutation for all columns of a category
        for c in out:
            cols = np.flatnonzero(cats == c)
            Xp = arr.copy()
            if frame:
                Xp.iloc[:, cols] = arr.iloc[perm, cols].to_numpy()
            else:
                Xp[:, cols] = arr[perm][:, cols]
            out[c].append(base - scorer(estimator, Xp, y))
    return {c: np.asarray(v) for c, v in out.items()}


def permutation_importance_by_category(
    model: Any,
    X: Any,
    y: Any,
    categories: Any = None,
    *,
    scoring: str | None = "mae",
    n_repeats: int = 5,
    random_state: int | None = 0,
    grouped: bool = True,
) -> Importance:
    """Permutation importance of a *fitted* model on held-out ``(X, y)``, per feature and per category.

    Per feature: scikit-learn's ``permutation_importance``.  With ``grouped=True`` also the grouped permutation:
    all columns of one category shuffled together (same row permutation), which measures the category as a whole —
    correlated descriptors hide each other when permuted one at a time.  Importance is the drop of the score
    (``scoring``: ``"mae"``, ``"rmse"``, ``"r2"`` or any scikit-learn scorer name; for ``"mae"`` it is the rise
    of the MAE, in target units).  Computing it on training data measures what the model memorised: use
    :func:`cv_importance`, which does this on each test fold.
    """
    from sklearn.inspection import permutation_importance
    from sklearn.metrics import check_scoring

    if n_repeats < 1:
        raise ParameterError(f"n_repeats={n_repeats}: use at least 1")
    Xt, est, names, cats = _features_and_estimator(model, X, categories)
    y = np.asarray(y)
    name = _scoring_name(scoring)
    r = permutation_importance(est, Xt, y, scoring=name, n_repeats=n_repeats, random_state=random_state)
    groups = {}
    if grouped:
        scorer = check_scoring(est, scoring=name)
        groups = _grouped_permutation(
            est, Xt, y, cats, scorer, n_repeats, np.random.default_rng(random_state)
        )
    return Importance(names, cats, np.asarray(r.importances), "permutation", scoring, groups)


# -- SHAP ----------------------------------------------------------------------------------------------------------
def tree_shap(model: Any, X: Any) -> np.ndarray:
    """Exact TreeSHAP values of a fitted LightGBM model (or a pipeline ending in one), shape
    ``(n_rows, n_outputs, n_features)``; the bias column is dropped.  Earlier pipeline steps must keep the
    columns one-to-one (imputers, scalers)."""
    from sklearn.pipeline import Pipeline

    head, last = (model[:-1], model.steps[-1][1]) if isinstance(model, Pipeline) else (None, model)
    Xt = head.transform(X) if head is not None else X
    try:
        import lightgbm
    except ImportError as exc:  # pragma: no cover - lightgbm is a dependency
        raise ParameterError("tree_shap needs lightgbm") from exc
    if not isinstance(last, lightgbm.LGBMModel | lightgbm.Booster):
        raise ParameterError(
            f"SHAP importance works for LightGBM models here, not {type(last).__name__}; use method='permutation'"
        )
    contrib = np.asarray(last.predict(Xt, pred_contrib=True), dtype=float)
    p = np.shape(Xt)[1]
    k = contrib.shape[1] // (p + 1)
    return contrib.reshape(len(contrib), k, p + 1)[:, :, :p]


def shap_importance_by_category(model: Any, X: Any, categories: Any = None) -> Importance:
    """Mean |SHAP| per feature (summed over outputs) of a fitted LightGBM model on ``X``; the grouped value of a
    category is the mean |sum of its SHAP values| per row.  One sample, so ``std`` is 0."""
    Xt, est, names, cats = _features_and_estimator(model, X, categories)
    phi = tree_shap(est, Xt)
    values = np.abs(phi).sum(axis=1).mean(axis=0)[:, None]
    groups = {
        c: np.array([np.abs(phi[:, :, cats == c].sum(axis=2)).sum(axis=1).mean()])
        for c in dict.fromkeys(cats)
    }
    return Importance(names, cats, values, "shap", None, groups)


# -- cross-validated -----------------------------------------------------------------------------------------------
def _merge(parts: list[Importance]) -> Importance:
    first = parts[0]
    groups = {c: np.concatenate([p.group_values[c] for p in parts]) for c in first.group_values}
    values = np.hstack([p.values for p in parts])
    return Importance(first.names, first.categories, values, first.method, first.scoring, groups)


def cv_importance(
    model: Any,
    X: Any,
    y: Any,
    categories: Any = None,
    *,
    cv: Any = 5,
    groups: Any = None,
    method: str = "permutation",
    scoring: str | None = "mae",
    n_repeats: int = 5,
    random_state: int | None = 0,
    grouped: bool = True,
) -> Importance:
    """Importance on held-out data: for each split of ``cv`` fit a clone of ``model`` on the training rows and
    measure importance on the test rows (``method="permutation"`` or ``"shap"`` for LightGBM); samples from all
    folds (× repeats) are pooled, so ``mean`` / ``std`` are over folds and repeats.  ``cv`` is a splitter or a
    number of shuffled k-fold splits; ``groups`` go to the splitter (``GroupKFold``: keep a substance on one side).
    """
    from sklearn.base import clone
    from sklearn.model_selection import KFold

    if method not in ("permutation", "shap"):
        raise ParameterError(f"method={method!r}: use 'permutation' or 'shap'")
    if isinstance(cv, int):
        cv = KFold(cv, shuffle=True, random_state=random_state)
    y = np.asarray(y)
    if categories is None:
        categories = _featurizer_of(model)
    parts = []
    for i, (train, test) in enumerate(cv.split(X, y, groups)):
        est = clone(model).fit(_take(X, train), y[train])
        if method == "shap":
            parts.append(shap_importance_by_category(est, _take(X, test), categories))
        else:
            seed = None if random_state is None else random_state + i
            parts.append(
                permutation_importance_by_category(
                    est,
                    _take(X, test),
                    y[test],
                    categories,
                    scoring=scoring,
                    n_repeats=n_repeats,
                    random_state=seed,
                    grouped=grouped,
                )
            )
    if not parts:
        raise ParameterError("the CV splitter gave no splits")
    return _merge(parts)


# -- two targets side by side --------------------------------------------------------------------------------------
@dataclass
class TopKComparison:
    """Top-``k`` descriptors of two targets side by side, and the category make-up of each list."""

    labels: tuple[str, str]
    table: Any  #: DataFrame: rank, then ``<label>: feature`` / ``: category`` / ``: importance`` per target
    counts: Any  #: DataFrame: one row per category, one column per label (how many of the top k)
    importances: tuple[Importance, Importance]
    k: int

    def summary(self) -> str:
        """E.g. ``"grain: 3 processing / 3 structure / 1 composition vs grain boundary: ..."``."""
        parts = []
        for label in self.labels:
            col = self.counts[label]
            col = col[col > 0].sort_values(ascending=False, kind="stable")
            parts.append(f"{label}: " + " / ".join(f"{n} {c}" for c, n in col.items()))
        return " vs ".join(parts)

    def to_frame(self):
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": list(self.labels),
            "k": self.k,
            "table": self.table.to_dict(orient="records"),
            "counts": self.counts.to_dict(),
        }


def compare_top_k(
    imp_a: Importance, imp_b: Importance, k: int = 7, labels: tuple[str, str] = ("grain", "grain boundary")
) -> TopKComparison:
    """The top ``k`` descriptors of two targets (e.g. grain and grain-boundary conductivity) and how many of each
    fall in each category."""
    import pandas as pd

    if k < 1:
        raise ParameterError(f"k={k}: use at least 1")
    table = pd.DataFrame({"rank": np.arange(1, k + 1)})
    counts = {}
    for label, imp in zip(labels, (imp_a, imp_b), strict=True):
        top = imp.top(k).reindex(range(k))
        table[f"{label}: feature"] = top["name"].to_numpy()
        table[f"{label}: category"] = top["category"].to_numpy()
        table[f"{label}: importance"] = top["mean"].to_numpy()
        counts[label] = pd.Series(imp.category_counts(k), dtype=int)
    cnt = pd.DataFrame(counts).fillna(0).astype(int)
    cnt = cnt.loc[cnt.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    return TopKComparison(tuple(labels), table, cnt, (imp_a, imp_b), k)
