"""Random Fourier features: Thompson sampling over large pools and continuous spaces.

A stationary kernel is the Fourier transform of a spectral density; drawing ``m`` frequencies from it gives
features ``φ(x) = sqrt(2 σ²/m) cos(ωᵀx + b)`` with ``E[φ(x)ᵀφ(x')] = k(x, x')`` (Rahimi & Recht, NeurIPS 2007).

* :class:`RandomFeatureGP` — Bayesian linear regression on those features, the ``num_rand_basis`` model of
  COMBO/PHYSBO (Ueno et al., Materials Discovery 4, 18 (2016)): cost linear in the number of candidates, and a
  posterior draw is one weight vector, i.e. a whole function.
* :func:`posterior_paths` — function draws from an *exact* GP posterior by pathwise conditioning (Wilson et al.,
  ICML 2020): a random-feature draw from the prior, corrected by the exact kernel at the training points.  Few
  features are needed because the data part is exact; the draws are smooth functions that an optimiser can
  refine (Thompson sampling in continuous spaces).

Frequencies: Gaussian for the RBF kernel; multivariate Student-t with 2ν degrees of freedom for Matérn-ν
(ν = 3/2, 5/2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from matinfo.errors import ParameterError
from matinfo.optimize.kernels import check_kind, chol_solve, cholesky, kernel
from matinfo.optimize.surrogate import PREDICT_CHUNK, GaussianProcess

__all__ = ["FourierFeatures", "RandomFeatureGP", "posterior_paths", "SamplePaths"]


@dataclass(frozen=True)
class FourierFeatures:
    """A random Fourier basis of a stationary kernel: frequencies ``omega`` (d × m), phases ``b`` (m,)."""

    omega: np.ndarray
    phase: np.ndarray
    signal_variance: float

    @classmethod
    def draw(
        cls,
        n_features: int,
        length_scale: Any,
        *,
        kind: str = "matern52",
        signal_variance: float = 1.0,
        n_dims: int | None = None,
        rng: np.random.Generator,
    ) -> FourierFeatures:
        """Draw ``n_features`` frequencies of the kernel ``kind`` with the given length scales."""
        check_kind(kind)
        ls = np.asarray(length_scale, dtype=float).reshape(-1)
        d = int(n_dims or len(ls))
        ls = np.broadcast_to(ls, (d,))
        m = int(n_features)
        if m < 1:
            raise ParameterError(f"n_features must be >= 1, got {n_features!r}")
        z = rng.standard_normal((d, m))
        if kind != "rbf":  # Matérn-ν: Gaussian scaled by sqrt(2ν / χ²_{2ν})
            nu = 2.5 if kind == "matern52" else 1.5
            z = z * np.sqrt(2.0 * nu / rng.chisquare(2.0 * nu, size=m))
        return cls(
            omega=z / ls[:, None], phase=rng.uniform(0.0, 2.0 * np.pi, m), signal_variance=signal_variance
        )

    @property
    def n_features(self) -> int:
        return self.omega.shape[1]

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """Feature matrix (n, m)."""
        Z = X @ self.omega
        Z += self.phase
        np.cos(Z, out=Z)
        Z *= np.sqrt(2.0 * self.signal_variance / self.n_features)
        return Z


class RandomFeatureGP(RegressorMixin, BaseEstimator):
    """Bayesian linear regression on random Fourier features (COMBO/PHYSBO's ``num_rand_basis`` model).

    Hyperparameters (length scales, signal and noise variance) are fitted by an exact
    :class:`~matinfo.optimize.surrogate.GaussianProcess` on the same data, whose settings are ``kernel``,
    ``ard`` and ``n_restarts``; the feature basis is then drawn once per fit from ``random_state``.

    Parameters
    ----------
    n_features : int
        Number of random basis functions m; the approximation error of the kernel falls as 1/sqrt(m).
    kernel, ard, n_restarts, random_state
        As for :class:`~matinfo.optimize.surrogate.GaussianProcess`.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.linspace(0, 1, 12)[:, None]
    >>> model = RandomFeatureGP(n_features=500, random_state=0).fit(X, np.sin(6 * X[:, 0]))
    >>> bool(abs(model.predict([[0.5]])[0] - np.sin(3.0)) < 0.1)
    True
    >>> model.sample_functions([[0.5], [0.6]], n_samples=3, random_state=1).shape
    (2, 3)
    """

    def __init__(
        self,
        *,
        n_features: int = 1000,
        kernel: str = "matern52",
        ard: bool = True,
        n_restarts: int = 2,
        random_state: Any = None,
    ) -> None:
        self.n_features = n_features
        self.kernel = kernel
        self.ard = ard
        self.n_restarts = n_restarts
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> RandomFeatureGP:
        """Fit the hyperparameters (exact GP), draw the basis and compute the weight posterior."""
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        rng = np.random.default_rng(self.random_state)
        gp = GaussianProcess(
            kernel=self.kernel, ard=self.ard, n_restarts=self.n_restarts, random_state=rng
        ).fit(X, y)
        self.gp_ = gp
        self.basis_ = FourierFeatures.draw(
            self.n_features,
            gp.length_scale_,
            kind=self.kernel,
            signal_variance=gp.signal_variance_,
            rng=rng,
        )
        z = (y - gp.y_mean_) / gp.y_std_
        Phi = self.basis_(X)
        self._posterior(Phi.T @ Phi, Phi.T @ z)
        return self

    def _posterior(self, PtP: np.ndarray, Ptz: np.ndarray) -> None:
        self._PtP, self._Ptz = PtP, Ptz
        A = PtP / self.gp_.noise_variance_
        A[np.diag_indices_from(A)] += 1.0
        self.A_chol_ = cholesky(A)  # posterior precision of the weights
        self.w_mean_ = chol_solve(self.A_chol_, Ptz / self.gp_.noise_variance_)

    def condition(self, X: Any, y: Any) -> RandomFeatureGP:
        """A copy conditioned on extra observations, same basis and hyperparameters (pending experiments)."""
        import copy

        check_is_fitted(self, "w_mean_")
        X = np.atleast_2d(np.asarray(X, dtype=float))
        if len(X) == 0:
            return self
        z = (np.asarray(y, dtype=float).reshape(-1) - self.gp_.y_mean_) / self.gp_.y_std_
        Phi = self.basis_(X)
        twin = copy.copy(self)
        twin._posterior(self._PtP + Phi.T @ Phi, self._Ptz + Phi.T @ z)
        return twin

    def predict(self, X: Any, return_std: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Posterior mean (and std) of the Bayesian linear model."""
        from scipy.linalg import solve_triangular

        check_is_fitted(self, "w_mean_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        mean, std = np.empty(len(X)), np.empty(len(X))
        for start in range(0, len(X), PREDICT_CHUNK):
            Phi = self.basis_(X[start : start + PREDICT_CHUNK])
            mean[start : start + len(Phi)] = Phi @ self.w_mean_
            if return_std:
                v = solve_triangular(self.A_chol_, Phi.T, lower=True, check_finite=False)
                std[start : start + len(Phi)] = np.sqrt(np.maximum((v * v).sum(0), 0.0))
        g = self.gp_
        mu = g.y_mean_ + g.y_std_ * mean
        return (mu, std * g.y_std_) if return_std else mu

    def sample_weights(self, n_samples: int, random_state: Any = None) -> np.ndarray:
        """Posterior weight draws (m, n_samples); ``basis_(X) @ w`` evaluates each drawn function."""
        from scipy.linalg import solve_triangular

        check_is_fitted(self, "w_mean_")
        rng = np.random.default_rng(random_state)
        eps = rng.standard_normal((self.basis_.n_features, int(n_samples)))
        # w = mean + A^{-1/2} eps with A = L L^T: solve L^T u = eps
        return self.w_mean_[:, None] + solve_triangular(self.A_chol_.T, eps, lower=False, check_finite=False)

    def sample_functions(self, X: Any, n_samples: int = 1, random_state: Any = None) -> np.ndarray:
        """Values of ``n_samples`` posterior function draws at the rows of ``X``: (n_points, n_samples)."""
        check_is_fitted(self, "w_mean_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        W = self.sample_weights(n_samples, random_state)
        out = np.empty((len(X), W.shape[1]))
        for start in range(0, len(X), PREDICT_CHUNK):
            out[start : start + PREDICT_CHUNK] = self.basis_(X[start : start + PREDICT_CHUNK]) @ W
        g = self.gp_
        return g.y_mean_ + g.y_std_ * out


@dataclass(frozen=True)
class SamplePaths:
    """Posterior function draws of a GP (pathwise conditioning); call with X (n, d) → values (n, n_paths),
    in units of the GP's target (prior mean and standardisation applied)."""

    basis: FourierFeatures
    prior_weights: np.ndarray  # (m, n_paths)
    update: np.ndarray  # (n_train, n_paths): K^{-1} (z - f_prior(X) - eps)
    X_train: np.ndarray
    length_scale: np.ndarray
    signal_variance: float
    kind: str
    gp: GaussianProcess

    def __call__(self, X: np.ndarray) -> np.ndarray:
        X = np.atleast_2d(np.asarray(X, dtype=float))
        out = np.empty((len(X), self.prior_weights.shape[1]))
        for start in range(0, len(X), PREDICT_CHUNK):
            part = X[start : start + PREDICT_CHUNK]
            Ks = self.signal_variance * kernel(part, self.X_train, self.length_scale, self.kind)
            out[start : start + len(part)] = self.basis(part) @ self.prior_weights + Ks @ self.update
        g = self.gp
        return g._prior_mean(X)[:, None] + g.y_mean_ + g.y_std_ * out


def posterior_paths(
    gp: GaussianProcess, n_paths: int, *, n_features: int = 512, rng: np.random.Generator
) -> SamplePaths:
    """``n_paths`` function draws from the posterior of a fitted exact GP (Wilson et al., ICML 2020).

    f(x) = f_prior(x) + k(x, X) (K + σ²I)⁻¹ (z − f_prior(X) − ε), with f_prior a random-feature prior draw and
    ε ~ N(0, σ²I).  Exact at and near the data; the random features only carry the prior far from it.
    """
    check_is_fitted(gp, "L_")
    basis = FourierFeatures.draw(
        n_features, gp.length_scale_, kind=gp.kernel, signal_variance=gp.signal_variance_, rng=rng
    )
    W = rng.standard_normal((n_features, int(n_paths)))
    X = gp.X_train_
    f_prior = basis(X) @ W
    eps = np.sqrt(gp.noise_variance_) * rng.standard_normal(f_prior.shape)
    update = chol_solve(gp.L_, gp.z_train_[:, None] - f_prior - eps)
    return SamplePaths(basis, W, update, X, gp.length_scale_, gp.signal_variance_, gp.kernel, gp)
