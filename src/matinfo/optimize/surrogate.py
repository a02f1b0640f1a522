"""Gaussian-process regression for Bayesian optimisation: exact, vectorised, hyperparameters by marginal likelihood.

The numeric routines are plain functions in :mod:`~matinfo.optimize.kernels`; the estimator
:class:`GaussianProcess` wraps them with the scikit-learn contract (``fit`` / ``predict(return_std=True)`` /
``clone`` / pickling).  Everything is NumPy/SciPy linear algebra on whole arrays: one Cholesky factor of the
``n × n`` training covariance, and predictions for a pool of candidates in chunks of
:data:`PREDICT_CHUNK` rows, so that a pool of 10^5 candidates costs one matrix product per chunk.

With ``ard=True`` every input column has its own length scale (automatic relevance determination); otherwise
one length scale is shared.  Length scales, the signal variance and the
noise variance are fitted by maximising the log marginal likelihood with L-BFGS-B and its analytic gradient,
from a data-driven start, an optional warm start (``init_params``) and ``n_restarts`` random starts.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from matinfo.errors import ParameterError
from matinfo.optimize.kernels import (
    KERNELS,
    check_kind,
    chol_solve,
    cholesky,
    kernel,
    neg_log_marginal_likelihood,
    single_threaded_blas,
)

__all__ = ["GaussianProcess", "PREDICT_CHUNK", "KERNELS"]

#: Rows of the candidate matrix predicted at once (bounds the memory of a prediction to chunk × n_train floats).
PREDICT_CHUNK = 8192
#: Bounds of the signal variance, in units of the (standardised) target variance.
SIGNAL_BOUNDS = (1e-2, 1e2)


class GaussianProcess(RegressorMixin, BaseEstimator):
    """Exact Gaussian-process regression with hyperparameters fitted by marginal likelihood.

    Parameters
    ----------
    kernel : {"matern52", "matern32", "rbf"}
        Stationary kernel.
    ard : bool
        One length scale per input column (True) or one shared length scale.
    noise : float or None
        Fixed noise variance in units of the standardised target, or None to fit it within ``noise_bounds``.
    noise_bounds : (float, float)
        Bounds of the fitted noise variance (standardised units).  The default lower bound, 1e-8, lets a
        deterministic simulation be interpolated.
    length_scale_bounds : (float, float)
        Bounds of each length scale, relative to the range of that column in the training data.
    normalize_y : bool
        Subtract the mean and divide by the standard deviation of ``y`` before fitting.
    n_restarts : int
        Random starts of the optimiser in addition to the data-driven start (and ``init_params``).
    init_params : dict or None
        Warm start: ``{"length_scale": ..., "signal_variance": ..., "noise_variance": ...}`` from an earlier fit
        (see :attr:`hyperparameters_`).
    length_scale_prior : (float, float) or None
        Log-normal prior on each length scale, ``(median relative to the column's range, sigma of the log)``:
        the fit maximises the marginal likelihood times this prior (MAP), which keeps length scales sensible
        when a handful of points of a rough response would put them at a bound.  None: plain maximum likelihood.
    mean_function : callable or None
        Prior mean ``m(X) -> (n,)`` in units of ``y``; the GP models ``y - m(X)`` (used for transfer).
    random_state : int, Generator or None
        Seed of the random restarts.

    Attributes
    ----------
    length_scale_ : ndarray of shape (n_features,)
    signal_variance_, noise_variance_ : float
        In standardised target units.
    log_marginal_likelihood_ : float
    hyperparameters_ : dict
        The three fitted values, JSON-ready, to warm-start the next fit.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.linspace(0, 1, 8)[:, None]
    >>> gp = GaussianProcess(random_state=0).fit(X, np.sin(6 * X[:, 0]))
    >>> mean, std = gp.predict([[0.5]], return_std=True)
    >>> bool(abs(mean[0] - np.sin(3.0)) < 0.05 and std[0] < 0.1)
    True
    """

    def __init__(
        self,
        *,
        kernel: str = "matern52",
        ard: bool = True,
        noise: float | None = None,
        noise_bounds: tuple[float, float] = (1e-8, 1.0),
        length_scale_bounds: tuple[float, float] = (1e-2, 1e2),
        normalize_y: bool = True,
        n_restarts: int = 2,
        init_params: Mapping[str, Any] | None = None,
        length_scale_prior: tuple[float, float] | None = None,
        mean_function: Callable[[np.ndarray], np.ndarray] | None = None,
        random_state: Any = None,
    ) -> None:
        self.kernel = kernel
        self.ard = ard
        self.noise = noise
        self.noise_bounds = noise_bounds
        self.length_scale_bounds = length_scale_bounds
        self.normalize_y = normalize_y
        self.n_restarts = n_restarts
        self.init_params = init_params
        self.length_scale_prior = length_scale_prior
        self.mean_function = mean_function
        self.random_state = random_state

    # -- fitting ---------------------------------------------------------------------------------------------
    def _validate_params(self) -> None:
        check_kind(self.kernel)
        lo, hi = self.noise_bounds
        if not 0 < lo <= hi:
            raise ParameterError(f"noise_bounds {self.noise_bounds!r} must satisfy 0 < low <= high")
        lo, hi = self.length_scale_bounds
        if not 0 < lo < hi:
            raise ParameterError(
                f"length_scale_bounds {self.length_scale_bounds!r} must satisfy 0 < low < high"
            )
        if self.noise is not None and not self.noise > 0:
            raise ParameterError(f"noise must be a positive variance or None (fit it), got {self.noise!r}")
        if self.length_scale_prior is not None and not (
            len(self.length_scale_prior) == 2 and min(self.length_scale_prior) > 0
        ):
            raise ParameterError(
                f"length_scale_prior must be (median > 0, sigma > 0) or None, got {self.length_scale_prior!r}"
            )
        if int(self.n_restarts) < 0:
            raise ParameterError(f"n_restarts must be >= 0, got {self.n_restarts!r}")

    def fit(self, X: Any, y: Any) -> GaussianProcess:
        """Fit the hyperparameters by marginal likelihood and factorise the training covariance."""
        from scipy.optimize import minimize

        self._validate_params()
        X, y, z = self._standardise(X, y)
        n, d = X.shape
        span = X.max(0) - X.min(0)
        span = np.where(span > 0, span, 1.0)
        nl = d if self.ard else 1
        scale = span if self.ard else np.array([float(np.exp(np.log(span).mean()))])
        lo, hi = self.length_scale_bounds
        bounds = [(float(np.log(lo * s)), float(np.log(hi * s))) for s in scale]
        bounds.append((float(np.log(SIGNAL_BOUNDS[0])), float(np.log(SIGNAL_BOUNDS[1]))))
        if self.noise is None:
            bounds.append((float(np.log(self.noise_bounds[0])), float(np.log(self.noise_bounds[1]))))
        else:
            bounds.append((float(np.log(self.noise)),) * 2)
        starts = self._starts(scale, nl, bounds)
        objective = self._objective(X, z, scale, nl)
        best_val, best_theta = np.inf, starts[0]
        with single_threaded_blas():
            for start in starts if n >= 2 else ():
                res = minimize(
                    objective,
                    start,
                    jac=True,
                    method="L-BFGS-B",
                    bounds=bounds,
                    options={"maxiter": 200},
                )
                if np.isfinite(res.fun) and res.fun < best_val:
                    best_val, best_theta = float(res.fun), res.x
        theta = np.clip(best_theta, [b[0] for b in bounds], [b[1] for b in bounds])
        self.length_scale_ = np.broadcast_to(np.exp(theta[:nl]), (d,)).copy()
        self.signal_variance_ = float(np.exp(theta[nl]))
        self.noise_variance_ = float(np.exp(theta[nl + 1]))
        self.X_train_ = X
        self.y_train_ = y
        self._factorize(X, z)
        self.log_marginal_likelihood_ = -float(
            neg_log_marginal_likelihood(theta, X, z, self.kernel, ard=self.ard)[0]
        )
        return self

    def _standardise(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Validated ``X``, ``y`` and the standardised residual ``z`` of ``y`` from the prior mean."""
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        r = y - self._prior_mean(X)
        if self.normalize_y:
            self.y_mean_ = float(r.mean())
            sd = float(r.std())
            self.y_std_ = sd if sd > 0 else 1.0
        else:
            self.y_mean_, self.y_std_ = 0.0, 1.0
        return X, y, (r - self.y_mean_) / self.y_std_

    def _objective(self, X: np.ndarray, z: np.ndarray, scale: np.ndarray, nl: int):
        """−log marginal likelihood (− log prior of the length scales, when one is set) and its gradient."""
        if self.length_scale_prior is None:
            return lambda theta: neg_log_marginal_likelihood(theta, X, z, self.kernel, self.ard)
        median, sigma = self.length_scale_prior
        centre = np.log(median * scale)

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            value, grad = neg_log_marginal_likelihood(theta, X, z, self.kernel, self.ard)
            dev = (theta[:nl] - centre) / sigma
            grad = grad.copy()
            grad[:nl] += dev / sigma
            return value + 0.5 * float(dev @ dev), grad

        return objective

    def _prior_mean(self, X: np.ndarray) -> np.ndarray:
        if self.mean_function is None:
            return np.zeros(len(X))
        m = np.asarray(self.mean_function(X), dtype=float).reshape(-1)
        if m.shape != (len(X),) or not np.isfinite(m).all():
            raise ParameterError("mean_function must return one finite value per row of X")
        return m

    def _starts(self, scale: np.ndarray, nl: int, bounds: list[tuple[float, float]]) -> list[np.ndarray]:
        lo = np.array([b[0] for b in bounds])
        hi = np.array([b[1] for b in bounds])
        noise0 = self.noise if self.noise is not None else max(self.noise_bounds[0], 1e-4)
        starts = [np.r_[np.log(0.3 * scale), 0.0, np.log(noise0)]]
        if self.init_params and int(self.n_restarts) == 0:
            starts = []  # warm start only: the previous fit is the best guess when the data changed little
        warm = self._warm_start(nl)
        if warm is not None:
            starts.insert(0, warm)
        elif not starts:
            starts = [np.r_[np.log(0.3 * scale), 0.0, np.log(noise0)]]
        rng = np.random.default_rng(self.random_state)
        for _ in range(int(self.n_restarts)):
            ls = np.log(scale) + rng.uniform(np.log(0.05), np.log(2.0), nl)
            sn = rng.uniform(np.log(max(self.noise_bounds[0], 1e-6)), np.log(1e-1))
            starts.append(np.r_[ls, rng.uniform(-1.0, 1.0), sn if self.noise is None else np.log(noise0)])
        return [np.clip(s, lo, hi) for s in starts]

    def _warm_start(self, nl: int) -> np.ndarray | None:
        """θ from ``init_params`` (None when absent or for another number of features)."""
        p = self.init_params
        if not p:
            return None
        ls = np.asarray(p["length_scale"], dtype=float).reshape(-1)
        if nl == 1:
            ls = np.array([float(np.exp(np.log(ls).mean()))])
        elif len(ls) == 1:
            ls = np.repeat(ls, nl)
        elif len(ls) != nl:
            return None
        return np.r_[np.log(ls), np.log(float(p["signal_variance"])), np.log(float(p["noise_variance"]))]

    def _cov(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        """Prior covariance between the rows of ``A`` and ``B`` with the fitted hyperparameters (no noise)."""
        return self.signal_variance_ * kernel(A, B, self.length_scale_, self.kernel)

    @property
    def _prior_variance(self) -> float:
        return self.signal_variance_

    def _factorize(self, X: np.ndarray, z: np.ndarray) -> None:
        K = self._cov(X, X)
        K[np.diag_indices(len(X))] += self.noise_variance_
        self.L_ = cholesky(K)
        self.alpha_ = chol_solve(self.L_, z)
        self.z_train_ = z

    @property
    def hyperparameters_(self) -> dict[str, Any]:
        check_is_fitted(self, "L_")
        return {
            "length_scale": [float(v) for v in self.length_scale_],
            "signal_variance": self.signal_variance_,
            "noise_variance": self.noise_variance_,
        }

    # -- prediction ------------------------------------------------------------------------------------------
    def predict(
        self, X: Any, return_std: bool = False, return_cov: bool = False
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Posterior mean (in units of ``y``), and its standard deviation or covariance when asked.

        The std is that of the latent function (no observation noise): what a repeated, noise-free
        measurement would scatter around.
        """
        check_is_fitted(self, "L_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        if return_cov:
            mean, cov = self._latent(X, full_cov=True)
            return self._to_y(X, mean), cov * self.y_std_**2
        mean, var = self._latent(X)
        mu = self._to_y(X, mean)
        return (mu, np.sqrt(var) * self.y_std_) if return_std else mu

    def _to_y(self, X: np.ndarray, z: np.ndarray) -> np.ndarray:
        return self._prior_mean(X) + self.y_mean_ + self.y_std_ * z

    def _latent(self, X: np.ndarray, full_cov: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance (or covariance) of the standardised latent function at the rows of ``X``."""
        from scipy.linalg import solve_triangular

        if full_cov:
            Ks = self._cov(X, self.X_train_)
            v = solve_triangular(self.L_, Ks.T, lower=True, check_finite=False)
            cov = self._cov(X, X) - v.T @ v
            return Ks @ self.alpha_, cov
        mean = np.empty(len(X))
        var = np.empty(len(X))
        for start in range(0, len(X), PREDICT_CHUNK):
            part = X[start : start + PREDICT_CHUNK]
            Ks = self._cov(part, self.X_train_)
            v = solve_triangular(self.L_, Ks.T, lower=True, check_finite=False)
            mean[start : start + len(part)] = Ks @ self.alpha_
            var[start : start + len(part)] = self._prior_variance - (v * v).sum(0)
        return mean, np.maximum(var, 1e-12 * self._prior_variance)

    def condition(self, X: Any, y: Any) -> GaussianProcess:
        """A copy conditioned on extra observations with the same hyperparameters (no refit).

        Used for batches with pending experiments: conditioning on the predicted mean at a pending point
        ("kriging believer") leaves the mean unchanged and shrinks the uncertainty around it.
        """
        check_is_fitted(self, "L_")
        X = np.atleast_2d(np.asarray(X, dtype=float))
        y = np.asarray(y, dtype=float).reshape(-1)
        if len(X) == 0:
            return self
        twin = copy.copy(self)
        twin.X_train_ = np.vstack([self.X_train_, X])
        twin.y_train_ = np.concatenate([self.y_train_, y])
        z = (y - self._prior_mean(X) - self.y_mean_) / self.y_std_
        twin._factorize(twin.X_train_, np.concatenate([self.z_train_, z]))
        return twin

    def sample_y(self, X: Any, n_samples: int = 1, random_state: Any = None) -> np.ndarray:
        """Joint posterior draws at the rows of ``X``: an array (n_points, n_samples).  O(n_points³)."""
        mean, cov = self.predict(X, return_cov=True)
        rng = np.random.default_rng(random_state)
        L = cholesky(cov)
        return mean[:, None] + L @ rng.standard_normal((len(mean), int(n_samples)))
