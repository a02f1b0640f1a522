"""Nested cross-validation: tune on inner folds, score on outer folds the tuning never saw.

Choosing hyperparameters by the same cross-validation that reports the error makes the error too small (the
winner is partly the luckiest).  ``nested_cv`` runs a ``GridSearchCV`` (or any search) *inside* each outer
training set and scores the tuned model on the outer test fold; with ``groups`` both levels are grouped, so a
chemical system never sits on both sides of either split.

>>> import numpy as np
>>> from sklearn.linear_model import Ridge
>>> rng = np.random.default_rng(0); X = rng.normal(size=(60, 3)); y = X @ [1.0, 2.0, 0.0] + rng.normal(0, 0.1, 60)
>>> res = nested_cv(Ridge(), {"alpha": [0.01, 1.0, 100.0]}, X, y, outer=3, inner=3)
>>> len(res.outer_scores), res.best_params[0]["alpha"] in (0.01, 1.0)
(3, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["nested_cv", "NestedCVResult"]


@dataclass
class NestedCVResult:
    """Outer-fold scores of the tuned model (``scoring`` sign: higher is better, as in scikit-learn), the
    parameters chosen in each outer fold, and the outer-fold metric dictionaries."""

    outer_scores: list[float]
    best_params: list[dict[str, Any]]
    fold_metrics: list[dict[str, float]] = field(default_factory=list)
    scoring: str = ""

    @property
    def mean(self) -> float:
        return float(np.mean(self.outer_scores))

    @property
    def std(self) -> float:
        return float(np.std(self.outer_scores, ddof=1)) if len(self.outer_scores) > 1 else 0.0

    def to_frame(self):
        import pandas as pd

        rows = [
            {"fold": k, "score": s, **{f"param {p}": v for p, v in bp.items()}}
            for k, (s, bp) in enumerate(zip(self.outer_scores, self.best_params, strict=True))
        ]
        return pd.DataFrame(rows)


def _splitter(cv: Any, groups: Any, classification: bool, random_state: int | None):
    from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold

    if not isinstance(cv, int):
        return cv
    if groups is not None:
        return GroupKFold(cv, shuffle=True, random_state=random_state)
    if classification:
        return StratifiedKFold(cv, shuffle=True, random_state=random_state)
    return KFold(cv, shuffle=True, random_state=random_state)


def nested_cv(
    estimator: Any,
    param_grid: dict[str, list[Any]] | list[dict[str, list[Any]]],
    X: Any,
    y: Any,
    *,
    outer: Any = 5,
    inner: Any = 5,
    groups: Any = None,
    scoring: str | None = None,
    random_state: int | None = 0,
    n_jobs: int | None = None,
) -> NestedCVResult:
    """Grid-search ``param_grid`` on inner folds of every outer training set; score on the outer test fold.

    ``scoring`` defaults to ``neg_mean_absolute_error`` for regressors and ``roc_auc`` for classifiers.
    """
    from sklearn.base import clone, is_classifier
    from sklearn.metrics import get_scorer
    from sklearn.model_selection import GridSearchCV

    from matinfo.learn.metrics import classification_metrics, regression_metrics

    classification = is_classifier(estimator)
    scoring = scoring or ("roc_auc" if classification else "neg_mean_absolute_error")
    scorer = get_scorer(scoring)
    y = np.asarray(y)
    g = None if groups is None else np.asarray(groups)
    outer_cv = _splitter(outer, g, classification, random_state)
    take = (lambda A, idx: A.iloc[idx]) if hasattr(X, "iloc") else (lambda A, idx: np.asarray(A)[idx])
    scores, params, metrics = [], [], []
    for tr, te in outer_cv.split(X, y, g):
        inner_cv = _splitter(inner, None if g is None else g[tr], classification, random_state)
        search = GridSearchCV(
            clone(estimator), param_grid, scoring=scoring, cv=inner_cv, n_jobs=n_jobs, refit=True
        )
        search.fit(take(X, tr), y[tr], **({"groups": g[tr]} if g is not None else {}))
        Xte = take(X, te)
        scores.append(float(scorer(search.best_estimator_, Xte, y[te])))
        params.append(dict(search.best_params_))
        if classification:
            metrics.append(classification_metrics(y[te], search.best_estimator_.predict_proba(Xte)[:, 1]))
        else:
            metrics.append(regression_metrics(y[te], np.asarray(search.best_estimator_.predict(Xte)).ravel()))
    return NestedCVResult(scores, params, metrics, scoring)
