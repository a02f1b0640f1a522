"""Per-prediction uncertainty: bootstrap ensembles, quantile boosting, and the native std of GPs and forests.

:func:`predict_with_std` gives ``(mean, std)`` for any fitted regressor that has a notion of spread:

* :class:`Ensemble` — the same model fitted on bootstrap resamples (or with different seeds); std over members;
* :class:`QuantileBoosting` — LightGBM fitted to the 16th, 50th and 84th percentiles; std = half the 68 % band;
* Gaussian processes — the posterior std (``predict(X, return_std=True)``);
* random forests / extra trees — the std over the trees' predictions.

Check calibration with :func:`matinfo.learn.metrics.interval_coverage` on held-out data: a std that covers 68 %
of errors at ±1σ is honest.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted

from matinfo.errors import ParameterError

__all__ = ["Ensemble", "QuantileBoosting", "predict_with_std"]


class Ensemble(RegressorMixin, BaseEstimator):
    """``n_members`` clones of ``estimator``, each fitted on a bootstrap resample (``bootstrap=True``) or on all
    rows with its own seed; ``predict`` returns the member mean, ``predict(X, return_std=True)`` also the std.

    The raw spread of a bootstrap ensemble is far too small for boosted trees (they fit every resample
    closely: about 10 % of held-out errors fall inside ±1σ instead of 68 %).  With ``calibrate=True`` (the
    default, bootstrap only) the std is multiplied by ``std_scale_``, chosen on the out-of-bag rows so that
    the median |error| / σ equals that of a Gaussian (0.674) — the recalibration of Palmer et al., npj Comput.
    Mater. 8, 115 (2022), with out-of-bag instead of cross-validated residuals.

    >>> from sklearn.linear_model import LinearRegression
    >>> X = np.arange(20.0).reshape(-1, 1); y = 2 * X.ravel() + np.sin(X.ravel())
    >>> mean, std = Ensemble(LinearRegression(), n_members=8).fit(X, y).predict(X[:2], return_std=True)
    >>> mean.round(1).tolist(), bool((std > 0).all())
    ([0.3, 2.3], True)
    """

    def __init__(
        self,
        estimator: Any = None,
        *,
        n_members: int = 10,
        bootstrap: bool = True,
        calibrate: bool = True,
        random_state: int | None = 0,
        n_jobs: int | None = None,
    ) -> None:
        self.estimator = estimator
        self.n_members = n_members
        self.bootstrap = bootstrap
        self.calibrate = calibrate
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any, **fit_params: Any):
        if self.n_members < 2:
            raise ParameterError(
                f"Ensemble(n_members={self.n_members}): need at least 2 members for a spread"
            )
        from joblib import Parallel, delayed

        base = self.estimator
        if base is None:
            from matinfo.learn.zoo import make_model

            base = make_model("lgbm")
        rng = np.random.default_rng(self.random_state)
        y = np.asarray(y)
        n = len(y)
        seeds = rng.integers(0, 2**31 - 1, size=self.n_members)
        samples = [
            rng.integers(0, n, size=n) if self.bootstrap else np.arange(n) for _ in range(self.n_members)
        ]

        def one(seed: int, rows: np.ndarray):
            est = clone(base)
            _seed(est, int(seed))
            Xs = X.iloc[rows] if hasattr(X, "iloc") else np.asarray(X)[rows]
            return est.fit(Xs, y[rows], **fit_params)

        self.members_ = Parallel(n_jobs=self.n_jobs)(
            delayed(one)(s, r) for s, r in zip(seeds, samples, strict=True)
        )
        if hasattr(self.members_[0], "n_features_in_"):
            self.n_features_in_ = self.members_[0].n_features_in_
        self.std_scale_ = self._oob_scale(X, y, samples) if self.calibrate and self.bootstrap else 1.0
        return self

    def _oob_scale(self, X: Any, y: np.ndarray, samples: list[np.ndarray]) -> float:
        """Factor that makes out-of-bag |error| / σ have a Gaussian median (0.674); 1.0 if too few OOB rows."""
        n = len(y)
        inbag = np.zeros((self.n_members, n), dtype=bool)
        for k, rows in enumerate(samples):
            inbag[k, rows] = True
        preds = np.stack([np.asarray(m.predict(X), dtype=float).ravel() for m in self.members_])
        preds[inbag] = np.nan
        enough = (~inbag).sum(axis=0) >= 3
        if enough.sum() < 20:
            return 1.0
        p = preds[:, enough]
        mean, std = np.nanmean(p, axis=0), np.nanstd(p, axis=0, ddof=1)
        ok = std > 0
        ratio = np.abs(y[enough][ok] - mean[ok]) / std[ok]
        return float(np.median(ratio) / 0.6745) if ratio.size else 1.0

    def predict(self, X: Any, return_std: bool = False):
        check_is_fitted(self, "members_")
        preds = np.stack([np.asarray(m.predict(X), dtype=float).ravel() for m in self.members_])
        mean = preds.mean(axis=0)
        return (mean, preds.std(axis=0, ddof=1) * self.std_scale_) if return_std else mean


def _seed(est: Any, seed: int) -> None:
    """Set every ``random_state`` inside ``est`` (pipelines included) to ``seed``."""
    keys = [k for k in est.get_params(deep=True) if k == "random_state" or k.endswith("__random_state")]
    if keys:
        est.set_params(**dict.fromkeys(keys, seed))


class QuantileBoosting(RegressorMixin, BaseEstimator):
    """LightGBM fitted to three quantiles; ``predict`` is the median, ``return_std`` half the 16–84 % band.

    Quantile crossing (q16 > q84 for a row) is repaired by sorting the three predictions.
    """

    def __init__(
        self,
        *,
        quantiles: tuple[float, float, float] = (0.16, 0.5, 0.84),
        n_estimators: int = 500,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        random_state: int | None = 0,
    ) -> None:
        self.quantiles = quantiles
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.random_state = random_state

    def fit(self, X: Any, y: Any):
        from lightgbm import LGBMRegressor

        lo, mid, hi = self.quantiles
        if not 0 < lo < mid < hi < 1:
            raise ParameterError(f"quantiles={self.quantiles}: need 0 < low < median < high < 1")
        self.models_ = [
            LGBMRegressor(
                objective="quantile",
                alpha=q,
                n_estimators=self.n_estimators,
                learning_rate=self.learning_rate,
                num_leaves=self.num_leaves,
                random_state=self.random_state,
                verbose=-1,
            ).fit(X, y)
            for q in self.quantiles
        ]
        self.n_features_in_ = self.models_[0].n_features_in_
        return self

    def predict(self, X: Any, return_std: bool = False):
        check_is_fitted(self, "models_")
        q = np.sort(np.stack([m.predict(X) for m in self.models_]), axis=0)
        lo, hi = self.quantiles[0], self.quantiles[2]
        from scipy.stats import norm

        width = norm.ppf(hi) - norm.ppf(lo)
        return (q[1], (q[2] - q[0]) / width) if return_std else q[1]


def _final_step(model: Any) -> tuple[Any, Any]:
    """(pipeline without its last step or None, last step)."""
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline):
        return (model[:-1] if len(model.steps) > 1 else None), model.steps[-1][1]
    return None, model


def predict_with_std(model: Any, X: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(mean, std)`` from a fitted regressor that has a notion of spread (see the module docstring)."""
    from sklearn.pipeline import Pipeline

    head, last = _final_step(model)
    Xt = head.transform(X) if head is not None else X
    if isinstance(last, Pipeline):  # a model that is itself a pipeline (imputer, scaler, model)
        return predict_with_std(last, Xt)
    if isinstance(last, Ensemble | QuantileBoosting):
        return last.predict(Xt, return_std=True)
    from sklearn.gaussian_process import GaussianProcessRegressor

    if isinstance(last, GaussianProcessRegressor):
        mean, std = last.predict(Xt, return_std=True)
        return np.asarray(mean, dtype=float).ravel(), np.asarray(std, dtype=float).ravel()
    if hasattr(last, "estimators_") and hasattr(last, "n_outputs_") and not hasattr(last, "classes_"):
        trees = np.stack([t.predict(np.asarray(Xt, dtype=np.float32)) for t in last.estimators_])
        return trees.mean(axis=0), trees.std(axis=0)
    raise ParameterError(
        f"{type(last).__name__} gives no uncertainty; wrap it in matinfo.learn.Ensemble or use gp / random_forest / "
        "QuantileBoosting"
    )
