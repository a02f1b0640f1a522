"""Composition-only recipes: the descriptors and models matinfo uses for Matbench-style composition tasks.

The recipes were chosen by inner cross-validation on the training part of Matbench fold 0 only
(``benchmarks/research/findings.md`` has the protocol and the numbers) and then frozen:

* descriptors: Magpie element statistics, stoichiometry norms, valence-orbital fractions, ionic character and
  the 118 element fractions (the single largest gain); classification adds the alloy / glass-forming
  descriptors (size mismatch, electronegativity spread, VEC, mixing entropy, majority-element properties) and
  the deml element statistics;
* regression: a *hurdle* model when many targets are exactly zero (band gaps of metals): a classifier estimates
  P(y = 0) and the prediction is 0 above a threshold, otherwise the mean of extremely randomised trees (fitted
  on log1p y) and LightGBM, both trained on the y > 0 rows.  MAE rewards predicting the median, and for a
  compound that is probably a metal the median gap is 0;
* classification: the mean of the class probabilities of extremely randomised trees and LightGBM.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted

__all__ = ["HurdleRegressor", "ProbabilityAverage", "composition_features", "composition_recipe"]


class HurdleRegressor(RegressorMixin, BaseEstimator):
    """Zero-inflated targets: ``classifier`` gives P(y == zero); rows above ``threshold`` are predicted as
    ``zero``, the others by ``regressor`` fitted on the rows with y > zero (clipped at ``zero``).

    When fewer than ``min_zero_fraction`` of the training targets equal ``zero`` the hurdle is skipped and
    ``fallback`` (default: a clone of ``regressor``) is fitted on all rows — the estimator then behaves as a
    plain regressor, so one recipe serves any regression task.

    >>> from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor
    >>> X = np.arange(40.0).reshape(-1, 1); y = np.where(X.ravel() < 20, 0.0, X.ravel() / 10)
    >>> h = HurdleRegressor(ExtraTreesClassifier(50, random_state=0), ExtraTreesRegressor(50, random_state=0)).fit(X, y)
    >>> h.predict([[5.0], [35.0]]).round(1).tolist()
    [0.0, 3.5]
    """

    def __init__(
        self,
        classifier: Any = None,
        regressor: Any = None,
        *,
        fallback: Any = None,
        threshold: float = 0.45,
        zero: float = 0.0,
        min_zero_fraction: float = 0.2,
    ) -> None:
        self.classifier = classifier
        self.regressor = regressor
        self.fallback = fallback
        self.threshold = threshold
        self.zero = zero
        self.min_zero_fraction = min_zero_fraction

    def fit(self, X: Any, y: Any):
        y = np.asarray(y, dtype=float)
        is_zero = np.isclose(y, self.zero, rtol=0, atol=1e-12)
        self.zero_fraction_ = float(is_zero.mean())
        self.hurdle_ = self.zero_fraction_ >= self.min_zero_fraction and (~is_zero).sum() >= 2
        if self.hurdle_:
            self.classifier_ = clone(self.classifier).fit(X, is_zero.astype(int))
            rows = ~is_zero
            Xp = X[rows] if not hasattr(X, "iloc") else X.iloc[np.flatnonzero(rows)]
            self.regressor_ = clone(self.regressor).fit(Xp, y[rows])
        else:
            self.regressor_ = clone(self.fallback if self.fallback is not None else self.regressor).fit(X, y)
        return self

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "regressor_")
        pred = np.asarray(self.regressor_.predict(X), dtype=float).ravel()
        if not self.hurdle_:
            return pred
        p_zero = self.classifier_.predict_proba(X)[:, 1]
        return np.where(p_zero > self.threshold, self.zero, np.clip(pred, self.zero, None))


class ProbabilityAverage(BaseEstimator):
    """Mean of the class-1 probabilities of several binary classifiers (soft voting without refitting tricks).

    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.r_[np.zeros((5, 1)), np.ones((5, 1))]; y = np.r_[np.zeros(5, int), np.ones(5, int)]
    >>> ProbabilityAverage([LogisticRegression(), LogisticRegression(C=10)]).fit(X, y).predict([[1.0]]).tolist()
    [1]
    """

    _estimator_type = "classifier"

    def __init__(self, estimators: list[Any] | tuple[Any, ...] = ()) -> None:
        self.estimators = estimators

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        return tags

    def fit(self, X: Any, y: Any):
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        self.estimators_ = [clone(e).fit(X, y) for e in self.estimators]
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        return np.mean([e.predict_proba(X) for e in self.estimators_], axis=0)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def _lgbm_params(n_jobs: int, n_estimators: int, learning_rate: float) -> dict[str, Any]:
    return {
        "n_estimators": n_estimators,
        "learning_rate": learning_rate,
        "num_leaves": 31,
        "colsample_bytree": 0.3,
        "max_bin": 63,
        "subsample": 0.8,
        "subsample_freq": 1,
        "min_child_samples": 10,
        "n_jobs": n_jobs,
        "verbose": -1,
        "random_state": 0,
    }


def composition_features(kind: str = "regression", *, n_jobs: int = 1):
    """The recipe's descriptors (see the module docstring) as one featurizer."""
    from matinfo.features import CombinedFeatures
    from matinfo.features.base import registered_featurizers

    reg = registered_featurizers()
    parts = [
        reg["element_stats"](preset="magpie"),
        reg["stoichiometry"](),
        reg["valence_orbital"](),
        reg["ionic_property"](),
        reg["element_fraction"](),
    ]
    if kind == "classification":
        parts += [reg["alloy"](), reg["element_stats"](preset="deml")]
    return CombinedFeatures(parts, on_error="nan", n_jobs=n_jobs)


def composition_recipe(kind: str = "regression", *, n_jobs: int = 1, random_state: int = 0):
    """``Pipeline([features, model])`` of the frozen recipe for a regression or binary classification task."""
    from lightgbm import LGBMClassifier, LGBMRegressor
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor, VotingRegressor
    from sklearn.pipeline import Pipeline

    def et_clf():
        return ExtraTreesClassifier(500, max_features=0.3, n_jobs=n_jobs, random_state=random_state)

    def et_reg():
        return ExtraTreesRegressor(500, max_features=0.3, n_jobs=n_jobs, random_state=random_state)

    if kind == "regression":
        positive = VotingRegressor(
            [
                (
                    "et_log1p",
                    TransformedTargetRegressor(
                        et_reg(), func=np.log1p, inverse_func=np.expm1, check_inverse=False
                    ),
                ),
                ("lgbm", LGBMRegressor(**_lgbm_params(n_jobs, 300, 0.06))),
            ]
        )
        anywhere = VotingRegressor(
            [("et", et_reg()), ("lgbm", LGBMRegressor(**_lgbm_params(n_jobs, 300, 0.06)))]
        )
        model: Any = HurdleRegressor(et_clf(), positive, fallback=anywhere, threshold=0.45)
    elif kind == "classification":
        model = ProbabilityAverage([et_clf(), LGBMClassifier(**_lgbm_params(n_jobs, 400, 0.05))])
    else:
        from matinfo.errors import ParameterError

        raise ParameterError(f"kind={kind!r}: use regression or classification")
    return Pipeline([("features", composition_features(kind, n_jobs=1)), ("model", model)])
