"""A Gaussian process whose kernel can be periodic in some inputs, with the periods learned from the data.

Why: many materials responses repeat.  The energy of a grain boundary as a function of the rigid-body
translation of one grain is periodic with the coincidence-site (DSC) lattice, an angle-dependent property repeats
with the crystal's symmetry, a phase or a composition on a ring repeats with its period.  A stationary kernel
treats every image of a minimum it has found as unexplored: on the Cu Σ5 benchmark the GP finds the valley of
the minimum in about 45 evaluations and then needs 100 more to visit the bottoms of its ten near-degenerate
images one by one.  A kernel that knows the period predicts the images to be as low as the one found, and the
acquisition visits them sooner (there: median 178 → 85 evaluations to the global minimum, 10 seeds).

The kernel is a sum of a stationary part and a periodic part (each a Matérn/RBF kernel with its own ARD length
scales and signal variance)::

    k(x, x') = s_s · k(Σ_d Δ_d² / l_d²) + s_p · k(Σ_d P_d(Δ_d) / m_d²),   P_d(Δ) = (sin(π f_d Δ) / (π f_d))²

``P_d`` is the squared distance after mapping coordinate ``d`` onto a circle of circumference ``1 / f_d``
(MacKay's construction), so the periodic part is positive definite for every frequency ``f_d`` (cycles per
unit of the encoded coordinate) and tends to the stationary distance as ``f_d → 0``: an input that is not
periodic gets a low frequency.  The stationary part carries what is not periodic (a trend across the images,
the noise of the calculations), so the images are predicted as low as the one observed but still uncertain,
which is what makes expected improvement visit them.

The marginal likelihood is multimodal in the frequencies, so a fit (on every refit step of a campaign) first
scans a grid of frequencies input by input, from the stationary fit, then refines all hyperparameters jointly
with L-BFGS-B and the analytic gradient, then tries centred lattices (:meth:`PeriodicGaussianProcess._centrings`).
Between refits (four of every five suggestions) it keeps the previous fit's hyperparameters and only
refactorises: a periodic fit costs several times a stationary one, and a point or two more data rarely move
the periods (PHYSBO relearns its hyperparameters every 20 steps).

:attr:`PeriodicGaussianProcess.selected_` is the automatic choice (``Campaign(periodic="auto")``, the
default): the periodic model only when (i) some input repeats at least :data:`MIN_CYCLES` times over the data and
(ii) its log marginal likelihood beats by :data:`EVIDENCE_MARGIN` nats both the stationary GP and the same
two-part kernel with all periods longer than the data.  (ii) matters: a sum of two stationary kernels fits many
smooth responses better than one, so beating the stationary GP alone is no evidence of a period (a quadratic
in 3-D, 40 points: +37 nats over the stationary GP, +1 over the aperiodic two-part kernel).  On smooth test
functions (Hartmann-3, Branin, Rosenbrock-4, a quadratic; 30–120 random points) the rule kept the stationary
GP; on the Cu Σ5 benchmark it switched to the periodic kernel after 21–46 evaluations (9 of 10 runs).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from matinfo.optimize.kernels import _corr, _dcorr_dd2, _sqdist, chol_solve, cholesky, single_threaded_blas
from matinfo.optimize.surrogate import SIGNAL_BOUNDS, GaussianProcess

__all__ = ["PeriodicGaussianProcess", "wanted", "EVIDENCE_MARGIN", "MAX_PERIODIC_DIMS"]

#: Frequencies (cycles per encoded unit range) scanned per input; the refit polishes the best one.
FREQUENCY_GRID = np.arange(0.5, 12.01, 0.25)
#: Lowest frequency: a period of 4 ranges, i.e. practically not periodic over the data.
F_MIN, F_MAX = 0.25, 16.0
#: Log marginal likelihood (nats) by which the periodic model must beat the stationary GP and the aperiodic
#: two-part kernel to be used (:attr:`PeriodicGaussianProcess.selected_`): it has d more hyperparameters than
#: the latter, and the frequency scan is a search over many models.
EVIDENCE_MARGIN = 10.0
#: A period is only a period when the data span at least this many of it along some input: lower frequencies
#: bend the distance (a sin of less than a cycle), a flexibility that smooth, non-periodic responses also like.
MIN_CYCLES = 2.0
#: Spaces with more inputs than this are left to the stationary kernel (the scan costs one fit per input and
#: frequency, and a period in one of a hundred descriptor columns is more likely chance than physics).
MAX_PERIODIC_DIMS = 8
#: L-BFGS-B iterations of the joint refinement after the scan (a quarter of it for each centred candidate).
POLISH_ITER = 60
#: Log marginal likelihood (nats) by which a centred periodic kernel must beat the plain one to be used.
CENTRE_MARGIN = 2.0
_LOG_2PI = float(np.log(2.0 * np.pi))


def _branches(X: np.ndarray, Y: np.ndarray, f: np.ndarray, centre: np.ndarray | None, grad: bool = False):
    """Per-input periodic squared distances of each branch of the kernel, (d, n_x, n_y) arrays.

    Without centring one branch, P_d = (sin u / πf)² with u = π f Δ.  With a centring translation c (half a
    period along each input of ``centre``) a second branch, the distances to the translated point:
    sin u becomes cos u on those inputs.  With ``grad`` also f dP/df of each branch.
    """
    w = np.pi * f[:, None]
    sx, cx, sy, cy = np.sin(w * X.T), np.cos(w * X.T), np.sin(w * Y.T), np.cos(w * Y.T)
    # sin u = sin(wx − wy) by the addition theorem: products of per-point values, no sine per pair
    sin_u = sx[:, :, None] * cy[:, None, :] - cx[:, :, None] * sy[:, None, :]
    pf2 = (np.pi * f[:, None, None]) ** 2
    sin2 = sin_u * sin_u
    u_sin2u = None
    if grad:  # u sin 2u = 2 u sin u cos u
        u = w[:, :, None] * (X.T[:, :, None] - Y.T[:, None, :])
        u_sin2u = 2.0 * u * sin_u * (cx[:, :, None] * cy[:, None, :] + sx[:, :, None] * sy[:, None, :])
    out = [(sin2 / pf2, (u_sin2u - 2 * sin2) / pf2 if grad else None)]
    if centre is not None and np.any(centre):
        cos2 = 1.0 - sin2
        sel = np.asarray(centre, dtype=bool)[:, None, None]
        Q = np.where(sel, cos2, sin2) / pf2
        dQ = np.where(sel, -u_sin2u - 2 * cos2, u_sin2u - 2 * sin2) / pf2 if grad else None
        out.append((Q, dQ))
    return out


def _inverse(L: np.ndarray) -> np.ndarray:
    """K⁻¹ from its lower Cholesky factor (LAPACK potri: a third of the work of solving against the identity)."""
    from scipy.linalg.lapack import dpotri

    inv, info = dpotri(L, lower=1)
    if info != 0:
        return chol_solve(L, np.eye(len(L)))
    return np.tril(inv) + np.tril(inv, -1).T


def _unpack(theta: np.ndarray, d: int):
    ls, m, f = np.exp(theta[:d]), np.exp(theta[d : 2 * d]), np.exp(theta[2 * d : 3 * d])
    ss, sp, sn = (float(np.exp(t)) for t in theta[3 * d : 3 * d + 3])
    return ls, m, f, ss, sp, sn


def covariance(
    A: np.ndarray, B: np.ndarray, theta: np.ndarray, kind: str, centre: np.ndarray | None = None
) -> np.ndarray:
    """k(A, B) of the stationary + periodic kernel (signal variances included, no noise).

    The periodic distances are one matrix product: sin²(a − b) = sin²a cos²b + cos²a sin²b − 2 sin a cos a sin b
    cos b is a sum of three separable terms per input, so a pool of 10^4 candidates costs no (d, n, m) array.
    """
    d = A.shape[1]
    ls, m, f, ss, sp, _ = _unpack(theta, d)
    w, scale = np.pi * f, 1.0 / (np.pi * f * m) ** 2
    sa, ca, sb, cb = np.sin(w * A), np.cos(w * A), np.sin(w * B), np.cos(w * B)
    left = np.hstack([sa * sa * scale, ca * ca * scale, -2.0 * sa * ca * scale])
    right = np.hstack([cb * cb, sb * sb, sb * cb])
    r_p = np.maximum(left @ right.T, 0.0)
    Cp = _corr(r_p, kind)
    if centre is not None and np.any(centre):
        c = np.asarray(centre, dtype=bool)
        flip = np.tile(np.where(c, -1.0, 1.0), 3)
        r_c = np.maximum(float(scale[c].sum()) + (left * flip) @ right.T, 0.0)
        Cp = 0.5 * (Cp + _corr(r_c, kind))
    return ss * _corr(_sqdist(A / ls, B / ls), kind) + sp * Cp


def neg_log_marginal_likelihood(
    theta: np.ndarray, X: np.ndarray, y: np.ndarray, kind: str = "matern52", centre: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """``(−log p(y | X, θ), gradient)`` for ``θ = [log l (d), log m (d), log f (d), log s_s, log s_p, log σ²]``."""
    n, d = X.shape
    ls, m, f, ss, sp, sn = _unpack(theta, d)
    D = (X.T[:, :, None] - X.T[:, None, :]) ** 2  # (d, n, n)
    branches = _branches(X, X, f, centre, grad=True)
    r_s = np.einsum("dij,d->ij", D, 1 / ls**2)
    r_p = [np.einsum("dij,d->ij", P, 1 / m**2) for P, _ in branches]
    Cs = _corr(r_s, kind)
    Cp = sum(_corr(r, kind) for r in r_p) / len(branches)
    K = ss * Cs + sp * Cp
    K[np.diag_indices(n)] += sn
    try:
        L = cholesky(K)
    except np.linalg.LinAlgError:
        return 1e25, np.zeros_like(theta)
    alpha = chol_solve(L, y)
    value = 0.5 * float(y @ alpha) + float(np.log(np.diag(L)).sum()) + 0.5 * n * _LOG_2PI
    W = _inverse(L) - np.outer(alpha, alpha)
    grad = np.zeros_like(theta)
    # 0.5 tr(W dK/dθ): dK/dlog l_d = s_s k'(r) (−2 D_d / l_d²), likewise for m; dK/dlog f_d = s_p k'(r) f dP_d/df / m_d²
    grad[:d] = -ss * np.einsum("ij,dij->d", W * _dcorr_dd2(r_s, kind), D) / ls**2
    for (P, fdP), r in zip(branches, r_p, strict=True):
        Wp = W * _dcorr_dd2(r, kind) * (sp / len(branches))
        grad[d : 2 * d] -= np.einsum("ij,dij->d", Wp, P) / m**2
        grad[2 * d : 3 * d] += 0.5 * np.einsum("ij,dij->d", Wp, fdP) / m**2
    grad[3 * d] = 0.5 * ss * float((W * Cs).sum())
    grad[3 * d + 1] = 0.5 * sp * float((W * Cp).sum())
    grad[3 * d + 2] = 0.5 * sn * float(np.trace(W))
    return value, grad


class PeriodicGaussianProcess(GaussianProcess):
    """Exact GP with a stationary + periodic kernel; periods, length scales and variances by marginal likelihood.

    Parameters are those of :class:`~matinfo.optimize.surrogate.GaussianProcess` (always ARD).  ``init_params``
    may carry ``"frequency"`` and the periodic part's ``"periodic_length_scale"`` / ``"periodic_variance"``
    from an earlier fit; with them and ``n_restarts=0`` the fit reuses them (no scan, no optimisation).

    Attributes
    ----------
    frequency_ : ndarray (n_features,)
        Learned frequencies, cycles per unit of the (encoded) input; the period is ``1 / frequency_``.
    periodic_length_scale_ : ndarray (n_features,)
    periodic_variance_, signal_variance_, noise_variance_ : float
    stationary_log_marginal_likelihood_ : float
        That of the stationary GP fitted on the way (the scan starts from it).
    aperiodic_log_marginal_likelihood_ : float
        That of the same two-part kernel with all periods longer than the data (see :attr:`selected_`).
    """

    def fit(self, X: Any, y: Any) -> PeriodicGaussianProcess:
        """Fit: stationary GP, frequency scan, joint refinement, centred lattices (or reuse ``init_params``)."""
        self._validate_params()
        warm = self._periodic_warm(np.shape(X)[1])
        if warm is None or int(self.n_restarts) > 0:
            base = GaussianProcess(**{**self.get_params(), "ard": True}).fit(X, y)
            self.stationary_ = base
            self.stationary_log_marginal_likelihood_ = base.log_marginal_likelihood_
            Xa, ya, z = base.X_train_, base.y_train_, base.z_train_
            self.n_features_in_, self.y_mean_, self.y_std_ = base.n_features_in_, base.y_mean_, base.y_std_
        else:  # between refits: keep the previous fit's hyperparameters and the model choice
            self.stationary_, self.stationary_log_marginal_likelihood_ = None, -np.inf
            self.aperiodic_log_marginal_likelihood_ = -np.inf
            Xa, ya, z = self._standardise(X, y)
        d = Xa.shape[1]
        span = np.where(np.ptp(Xa, 0) > 0, np.ptp(Xa, 0), 1.0)
        lo, hi = self.length_scale_bounds
        lsb = [(float(np.log(lo * s)), float(np.log(hi * s))) for s in span]
        sig = (float(np.log(SIGNAL_BOUNDS[0] / 2)), float(np.log(SIGNAL_BOUNDS[1])))
        nb = self.noise_bounds if self.noise is None else (self.noise, self.noise)
        bounds = lsb + lsb + [(np.log(F_MIN), np.log(F_MAX))] * d + [sig, sig, tuple(np.log(nb))]
        with single_threaded_blas():
            if self.stationary_ is not None:
                theta, centre = self._scan(self.stationary_, d), np.zeros(d, dtype=bool)
                val, theta = self._polish(Xa, z, span, theta, centre, bounds, POLISH_ITER)
                for t0, c in self._centrings(theta, d):
                    v, t = self._polish(Xa, z, span, t0, c, bounds, POLISH_ITER // 4)
                    if v < val - CENTRE_MARGIN:
                        val, theta, centre = v, t, c
                self.aperiodic_log_marginal_likelihood_ = self._aperiodic(Xa, z, span, theta, bounds)
            else:
                centre = warm[1]
                theta = np.clip(warm[0], [b[0] for b in bounds], [b[1] for b in bounds])
        self.theta_, self.centre_ = theta, centre
        ls, m, f, ss, sp, sn = _unpack(theta, d)
        self.length_scale_, self.periodic_length_scale_, self.frequency_ = ls, m, f
        self.signal_variance_, self.periodic_variance_, self.noise_variance_ = ss, sp, sn
        self.X_train_, self.y_train_ = Xa, ya
        self._factorize(Xa, z)
        self.log_marginal_likelihood_ = -float(
            neg_log_marginal_likelihood(theta, Xa, z, self.kernel, centre)[0]
        )
        return self

    def _polish(self, X, z, span, theta, centre, bounds, maxiter: int) -> tuple[float, np.ndarray]:
        """L-BFGS-B refinement of all hyperparameters from ``theta``: (objective, θ)."""
        from scipy.optimize import minimize

        objective = self._periodic_objective(X, z, span, centre)
        res = minimize(
            objective, theta, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": maxiter}
        )
        if not np.isfinite(res.fun):
            return float(objective(theta)[0]), theta
        return float(res.fun), np.clip(res.x, [b[0] for b in bounds], [b[1] for b in bounds])

    def _aperiodic(self, X, z, span, theta, bounds) -> float:
        """Log marginal likelihood of the same two-part kernel with every period longer than the data.

        A sum of two stationary kernels fits some smooth responses much better than one (two length scales),
        so beating the stationary GP is not evidence of a period; beating this model is.
        """
        d = X.shape[1]
        t = theta.copy()
        t[2 * d : 3 * d] = np.log(F_MIN)
        fixed = list(bounds)
        fixed[2 * d : 3 * d] = [(np.log(F_MIN), np.log(F_MIN))] * d
        t = self._polish(X, z, span, t, np.zeros(d, dtype=bool), fixed, POLISH_ITER // 2)[1]
        return -float(neg_log_marginal_likelihood(t, X, z, self.kernel)[0])

    @staticmethod
    def _centrings(theta: np.ndarray, d: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Candidate centred lattices: (θ, centre) pairs.

        A centred lattice, such as the DSC lattice of a grain boundary, repeats under a translation by half a
        period along two inputs at once, which per-input periods cannot express; the per-input scan then
        finds a rectangular lattice of the same cell area (one period halved) or the conventional cell.  For
        each pair of inputs periodic within the data (at least one period over the range), the candidates
        are the conventional cell centred, and either period doubled and centred.
        """
        f = np.exp(theta[2 * d : 3 * d])
        out = []
        for i, j in itertools.combinations(np.flatnonzero(f >= 1.0), 2):
            c = np.zeros(d, dtype=bool)
            c[[i, j]] = True
            for halve in (None, i, j):
                t = theta.copy()
                if halve is not None:
                    t[2 * d + halve] -= np.log(2.0)
                out.append((t, c))
        return out

    def _periodic_objective(self, X: np.ndarray, z: np.ndarray, span: np.ndarray, centre: np.ndarray):
        """−log marginal likelihood (with the length-scale prior on both sets of length scales, when set)."""
        d = X.shape[1]
        if self.length_scale_prior is None:
            return lambda theta: neg_log_marginal_likelihood(theta, X, z, self.kernel, centre)
        median, sigma = self.length_scale_prior
        mid = np.r_[np.log(median * span), np.log(median * span)]

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            value, grad = neg_log_marginal_likelihood(theta, X, z, self.kernel, centre)
            dev = (theta[: 2 * d] - mid) / sigma
            grad = grad.copy()
            grad[: 2 * d] += dev / sigma
            return value + 0.5 * float(dev @ dev), grad

        return objective

    def _scan(self, base: GaussianProcess, d: int) -> np.ndarray:
        """Start of the fit from a scan of frequencies, one input after the other (greedy), the stationary
        fit's length scales and variance split between the two parts.

        Only the marginal likelihood (no gradient, no prior) is evaluated: one Cholesky factor per frequency.
        """
        X, z = base.X_train_, base.z_train_
        ls = np.log(base.length_scale_)
        s = np.log(base.signal_variance_ / 2)
        theta = np.r_[ls, ls, np.full(d, np.log(F_MIN)), s, s, np.log(base.noise_variance_)]
        Ks = 0.5 * base._cov(X, X)
        Ks[np.diag_indices(len(X))] += base.noise_variance_
        m2 = base.length_scale_**2
        P = _branches(X, X, np.full(d, F_MIN), None)[0][0] / m2[:, None, None]
        best_val = np.inf
        for k in range(d):
            rest = P.sum(0) - P[k]
            for f in (F_MIN, *FREQUENCY_GRID):
                u = np.pi * f * (X[:, k, None] - X[None, :, k])
                Pk = (np.sin(u) / (np.pi * f)) ** 2 / m2[k]
                K = Ks + 0.5 * base.signal_variance_ * _corr(rest + Pk, self.kernel)
                try:
                    L = cholesky(K)
                except np.linalg.LinAlgError:
                    continue
                val = 0.5 * float(z @ chol_solve(L, z)) + float(np.log(np.diag(L)).sum())
                if val < best_val:
                    best_val, best_f, best_P = val, f, Pk
            if best_val < np.inf:
                theta[2 * d + k], P[k] = np.log(best_f), best_P
        return theta

    def _periodic_warm(self, d: int) -> tuple[np.ndarray, np.ndarray] | None:
        p = self.init_params
        if not p or "frequency" not in p or len(p["frequency"]) != d:
            return None
        theta = np.r_[
            np.log(p["length_scale"]),
            np.log(p["periodic_length_scale"]),
            np.log(p["frequency"]),
            np.log([p["signal_variance"], p["periodic_variance"], p["noise_variance"]]),
        ]
        return theta, np.asarray(p.get("centre", [False] * d), dtype=bool)

    def _cov(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        return covariance(A, B, self.theta_, self.kernel, self.centre_)

    @property
    def _prior_variance(self) -> float:
        """k(x, x): with centring the periodic part at zero lag averages 1 and the correlation at lag c."""
        x = np.zeros((1, len(self.theta_) // 3 - 1))
        return float(covariance(x, x, self.theta_, self.kernel, self.centre_)[0, 0])

    @property
    def selected_(self) -> GaussianProcess:
        """This model when its evidence beats the stationary GP's by :data:`EVIDENCE_MARGIN` nats, else that GP
        (between refits, fitted from a warm start without the stationary GP, this model)."""
        if self.stationary_ is None:
            return self
        rival = max(self.stationary_log_marginal_likelihood_, self.aperiodic_log_marginal_likelihood_)
        repeats = float(self.frequency_.max()) >= MIN_CYCLES
        return (
            self if repeats and self.log_marginal_likelihood_ - rival > EVIDENCE_MARGIN else self.stationary_
        )

    @property
    def hyperparameters_(self) -> dict[str, Any]:
        out = super().hyperparameters_
        out.update(
            frequency=[float(v) for v in self.frequency_],
            periodic_length_scale=[float(v) for v in self.periodic_length_scale_],
            periodic_variance=self.periodic_variance_,
            centre=[bool(c) for c in self.centre_],
        )
        return out


def wanted(mode: str, acquisition: str, X: np.ndarray, init_params, restarts: bool, mean_function) -> bool:
    """Whether a campaign step fits the periodic kernel: always with ``mode="on"``; with ``"auto"`` on the refit
    steps (a fresh scan and evidence comparison) and in between only while the last refit chose it."""
    if mode == "off" or mean_function is not None or acquisition == "ts":
        return False
    if mode == "on":
        return True
    if X.shape[1] > MAX_PERIODIC_DIMS:
        return False
    return restarts or init_params is None or "frequency" in init_params
