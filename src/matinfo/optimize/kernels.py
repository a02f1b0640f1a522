"""Kernels and the GP marginal likelihood as plain functions (the numeric core of :mod:`~matinfo.optimize.surrogate`).

Kernels (``kind``): ``"matern52"`` (default; twice differentiable, the usual choice for physical responses),
``"matern32"`` and ``"rbf"``, with one length scale per column (ARD) or one shared.  Everything works on whole
arrays; the gradient of the marginal likelihood is exact and contracted without an n × n × d tensor.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from matinfo.errors import ParameterError

__all__ = [
    "KERNELS",
    "kernel",
    "neg_log_marginal_likelihood",
    "check_kind",
    "cholesky",
    "chol_solve",
    "single_threaded_blas",
]

#: Kernel names accepted by :func:`kernel` and :class:`GaussianProcess`.
KERNELS = ("matern52", "matern32", "rbf")
_JITTER = 1e-10
_LOG_2PI = float(np.log(2.0 * np.pi))


def check_kind(kind: str) -> str:
    if kind not in KERNELS:
        raise ParameterError(f"unknown kernel {kind!r}; choose one of {', '.join(KERNELS)}")
    return kind


def _sqdist(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances between the rows of ``A`` and ``B`` (already divided by the length scales)."""
    d2 = (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2.0 * (A @ B.T)
    return np.maximum(d2, 0.0, out=d2)


def _corr(d2: np.ndarray, kind: str) -> np.ndarray:
    """Correlation k(r) (unit signal variance) as a function of the scaled squared distance r²."""
    if kind == "rbf":
        return np.exp(-0.5 * d2)
    if kind == "matern52":
        r = np.sqrt(5.0 * d2)
        return (1.0 + r + r * r / 3.0) * np.exp(-r)
    r = np.sqrt(3.0 * d2)
    return (1.0 + r) * np.exp(-r)


def _dcorr_dd2(d2: np.ndarray, kind: str) -> np.ndarray:
    """Derivative of :func:`_corr` with respect to r²."""
    if kind == "rbf":
        return -0.5 * np.exp(-0.5 * d2)
    if kind == "matern52":
        r = np.sqrt(5.0 * d2)
        return -(5.0 / 6.0) * (1.0 + r) * np.exp(-r)
    return -1.5 * np.exp(-np.sqrt(3.0 * d2))


def kernel(A: Any, B: Any, length_scale: Any, kind: str = "matern52") -> np.ndarray:
    """Correlation matrix (unit signal variance) between the rows of ``A`` (n_a × d) and ``B`` (n_b × d).

    ``length_scale``: a scalar or one value per column.

    >>> kernel([[0.0], [1.0]], [[0.0]], 1.0, "rbf").round(4).ravel().tolist()
    [1.0, 0.6065]
    """
    ls = np.asarray(length_scale, dtype=float)
    a = np.atleast_2d(np.asarray(A, dtype=float)) / ls
    b = np.atleast_2d(np.asarray(B, dtype=float)) / ls
    return _corr(_sqdist(a, b), check_kind(kind))


def cholesky(K: np.ndarray) -> np.ndarray:
    """Lower Cholesky factor, adding jitter to the diagonal (up to 1e-4 of its mean) if K is not quite PD."""
    jitter = _JITTER * float(np.mean(np.diag(K)))
    for _ in range(7):
        try:
            return np.linalg.cholesky(K + jitter * np.eye(len(K)))
        except np.linalg.LinAlgError:
            jitter *= 10.0
    raise np.linalg.LinAlgError("covariance matrix is not positive definite even with jitter")


def single_threaded_blas():
    """BLAS on one thread for the many small (n ≤ a few hundred) factorisations of a hyperparameter fit.

    Threads cost more than they save on such matrices, and on a busy machine OpenBLAS threads spinning for a
    core can make a fit 40× slower (measured: 11 s instead of 0.27 s for 120 points on a loaded 2-core box).
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def chol_solve(L: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve K x = b given the lower Cholesky factor L of K."""
    from scipy.linalg import cho_solve

    return cho_solve((L, True), b, check_finite=False)


def neg_log_marginal_likelihood(
    theta: np.ndarray, X: np.ndarray, y: np.ndarray, kind: str = "matern52", ard: bool = True
) -> tuple[float, np.ndarray]:
    """``(−log p(y | X, θ), gradient)`` of a zero-mean GP.

    ``theta = [log length scales (d, or 1 when not ard), log signal variance, log noise variance]``.  The
    gradient is exact and costs O(n³ + n² d): the length-scale terms are contracted without an n × n × d tensor.
    """
    n, d = X.shape
    nl = d if ard else 1
    ls = np.exp(theta[:nl])
    sf2, sn2 = float(np.exp(theta[nl])), float(np.exp(theta[nl + 1]))
    a = X / ls
    d2 = _sqdist(a, a)
    C = _corr(d2, kind)
    K = sf2 * C
    K[np.diag_indices(n)] += sn2
    try:
        L = cholesky(K)
    except np.linalg.LinAlgError:
        return 1e25, np.zeros_like(theta)
    alpha = chol_solve(L, y)
    value = 0.5 * float(y @ alpha) + float(np.log(np.diag(L)).sum()) + 0.5 * n * _LOG_2PI
    W = chol_solve(L, np.eye(n)) - np.outer(alpha, alpha)
    grad = np.empty_like(theta)
    M = W * _dcorr_dd2(d2, kind)
    # sum_ij M_ij (a_ik - a_jk)^2 = 2 sum_i a_ik^2 rowsum_i - 2 a_k^T M a_k    (M symmetric)
    per_dim = 2.0 * (M.sum(1) @ (a * a)) - 2.0 * ((M @ a) * a).sum(0)
    dls = -sf2 * per_dim  # 0.5 * tr(W dK/dlog ls_k), dK/dlog ls_k = sf2 * k'(r²) * (-2 D_k)
    grad[:nl] = dls if ard else dls.sum()
    grad[nl] = 0.5 * sf2 * float((W * C).sum())
    grad[nl + 1] = 0.5 * sn2 * float(np.trace(W))
    return value, grad
