"""Kernel models (SVR, Gaussian processes) predicted with matrix products: the same numbers, many times faster.

A screen's cost is prediction, and for kernel models prediction is one kernel value per (candidate, training row):
scikit-learn computes them with libsvm's row-by-row loop (SVR) or ``scipy.spatial.distance.cdist`` (GP kernels).
Here the squared distances come from one BLAS matrix product, ``|x|² + |y|² - 2 x·y`` (near-coincident pairs
computed directly), and the kernel is applied to the whole block: 5-10x faster on one core for the SVR and GP of
``benchmarks/screen_speed.py`` (80,282 candidates).  Predictions agree with scikit-learn's to about 1e-12 (the
distance identity rounds differently from a direct difference); ``tests/screen/test_fastkernel.py`` checks this on
real descriptors.

Covered: :class:`~sklearn.svm.SVR` with ``rbf``, ``linear``, ``poly`` or ``sigmoid`` kernels, and
:class:`~sklearn.gaussian_process.GaussianProcessRegressor` whose kernel is built from ``ConstantKernel``,
``WhiteKernel``, ``RBF`` and ``Matern`` (ν = 0.5, 1.5, 2.5, ∞; isotropic or anisotropic) with ``+`` and ``*``
(the zoo's ``gp``) — mean, and standard deviation by the same triangular solve scikit-learn uses.  Anything else
(including a model inside a pipeline with other steps than transformers) returns ``None`` and the caller uses the
model's own ``predict``.  Rows go in blocks so that a block's kernel matrix stays near :data:`BLOCK_VALUES` values.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["fast_predict", "BLOCK_VALUES"]

#: Kernel values per block of candidate rows (8 MB of float64).
BLOCK_VALUES = 1_048_576
#: A squared distance below this fraction of the two squared norms is recomputed directly (see ``_sq_dist``).
NEAR = 1e-6


def _sq_dist(a: np.ndarray, b: np.ndarray, b_sq: np.ndarray) -> np.ndarray:
    """Squared distances of every row of ``a`` to every row of ``b`` (``b_sq``: the rows' squared norms).

    ``|x|² + |y|² - 2 x·y`` loses the digits of a distance that is small next to the norms (a candidate that is a
    training point); pairs below :data:`NEAR` times ``|x|² + max |y|²`` are computed again as ``|x - y|²``.
    """
    a_sq = np.einsum("ij,ij->i", a, a)
    d = a @ b.T
    d *= -2.0
    d += a_sq[:, None]
    d += b_sq[None, :]
    i, j = np.nonzero(d < (NEAR * (a_sq + (b_sq.max() if len(b_sq) else 0.0)))[:, None])
    if len(i):
        diff = a[i] - b[j]
        d[i, j] = np.einsum("ij,ij->i", diff, diff)
    np.maximum(d, 0.0, out=d)
    return d


def _kernel(kernel: Any, X: np.ndarray, Y: np.ndarray) -> np.ndarray | None:
    """``kernel(X, Y)`` for X not Y (a prediction), or None when a part of the kernel is not covered."""
    from sklearn.gaussian_process import kernels as k

    if isinstance(kernel, k.Sum | k.Product):
        a = _kernel(kernel.k1, X, Y)
        b = _kernel(kernel.k2, X, Y) if a is not None else None
        if a is None or b is None:
            return None
        return a + b if isinstance(kernel, k.Sum) else a * b
    if isinstance(kernel, k.ConstantKernel):
        return np.full((len(X), len(Y)), float(kernel.constant_value))
    if isinstance(kernel, k.WhiteKernel):
        return np.zeros((len(X), len(Y)))  # white noise is only on the training points' own diagonal
    if isinstance(kernel, k.Matern | k.RBF):
        scale = np.asarray(kernel.length_scale, dtype=float)
        ys = Y / scale
        out = _sq_dist(X / scale, ys, np.einsum("ij,ij->i", ys, ys))
        nu = np.inf if isinstance(kernel, k.RBF) and not isinstance(kernel, k.Matern) else kernel.nu
        if nu not in (0.5, 1.5, 2.5, np.inf):
            return None
        if nu == np.inf:
            out *= -0.5
            return np.exp(out, out=out)
        np.sqrt(out, out=out)
        if nu == 0.5:
            return np.exp(np.negative(out, out=out), out=out)
        out *= math.sqrt(3.0 if nu == 1.5 else 5.0)  # t
        e = np.exp(-out)
        if nu == 2.5:
            poly = out * out
            poly /= 3.0
            poly += out
        else:
            poly = out
        poly += 1.0
        poly *= e
        return poly
    return None


def _blocks(n_rows: int, n_train: int):
    size = max(64, BLOCK_VALUES // max(n_train, 1))
    for start in range(0, n_rows, size):
        yield slice(start, min(start + size, n_rows))


def _gp(gp: Any, X: np.ndarray, with_std: bool) -> tuple[np.ndarray, np.ndarray | None] | None:
    from scipy.linalg import solve_triangular

    train = gp.X_train_
    alpha = np.asarray(gp.alpha_, dtype=float)
    if alpha.ndim > 1 and alpha.shape[1] != 1:
        return None  # several targets
    alpha = alpha.reshape(-1)
    mean = np.empty(len(X))
    std = np.empty(len(X)) if with_std else None
    for rows in _blocks(len(X), len(train)):
        kt = _kernel(gp.kernel_, X[rows], train)
        if kt is None:
            return None
        mean[rows] = kt @ alpha
        if std is not None:
            v = solve_triangular(gp.L_, kt.T, lower=True, check_finite=False)
            var = gp.kernel_.diag(X[rows]) - np.einsum("ij,ij->j", v, v)
            std[rows] = np.sqrt(np.maximum(var, 0.0))
    y_std = float(np.ravel(gp._y_train_std)[0])
    mean = y_std * mean + float(np.ravel(gp._y_train_mean)[0])
    return mean, (None if std is None else std * y_std)


def _svr(svr: Any, X: np.ndarray) -> np.ndarray | None:
    if svr.kernel not in ("rbf", "linear", "poly", "sigmoid"):
        return None
    sv = svr.support_vectors_
    coef = np.asarray(svr.dual_coef_, dtype=float).reshape(-1)
    gamma = float(svr._gamma)
    out = np.empty(len(X))
    sv_sq = np.einsum("ij,ij->i", sv, sv)
    for rows in _blocks(len(X), len(sv)):
        x = X[rows]
        if svr.kernel == "rbf":
            kt = _sq_dist(x, sv, sv_sq)
            kt *= -gamma
            np.exp(kt, out=kt)
        elif svr.kernel == "linear":
            kt = x @ sv.T
        elif svr.kernel == "poly":
            kt = (gamma * (x @ sv.T) + svr.coef0) ** svr.degree
        else:
            kt = np.tanh(gamma * (x @ sv.T) + svr.coef0)
        out[rows] = kt @ coef
    return out + float(svr.intercept_[0])


def fast_predict(model: Any, X: Any, with_std: bool = False) -> tuple[np.ndarray, np.ndarray | None] | None:
    """``(mean, std or None)`` of a fitted SVR / GP (alone or last in a pipeline of transformers), or None.

    ``with_std`` asks for the GP's posterior standard deviation (an SVR has none: None is returned then).
    """
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.svm import SVR

    last = model.steps[-1][1] if isinstance(model, Pipeline) else model
    if not isinstance(last, SVR | GaussianProcessRegressor) or (with_std and isinstance(last, SVR)):
        return None
    if isinstance(last, GaussianProcessRegressor) and not hasattr(last, "X_train_"):
        return None  # unfitted prior: scikit-learn's own path
    Xt = model[:-1].transform(X) if isinstance(model, Pipeline) and len(model.steps) > 1 else X
    Xt = np.ascontiguousarray(np.asarray(Xt, dtype=float))
    if isinstance(last, SVR):
        mean = _svr(last, Xt)
        return None if mean is None else (mean, None)
    return _gp(last, Xt, with_std)
