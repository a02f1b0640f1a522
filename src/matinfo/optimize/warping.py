"""Output warping: a monotone transform of the observed targets before the surrogate sees them.

Measured responses are rarely Gaussian: a grain-boundary energy has a floor and rare spikes (overlapping atoms
give 2.9 J/m² where the rest lie near 1.0), a conductivity spans decades.  A GP fitted to such values spends its
length scales and variance on the spikes.  Warping keeps the *order* of the observations — so the best stays
the best and acquisitions still rank the same way — while making the values look Gaussian:

* ``"power"`` — Yeo-Johnson power transform with λ by maximum likelihood (as in HEBO; Cowen-Rivers et al.,
  JAIR 74, 1269 (2022)), refitted to the observations at every suggestion;
* ``"rank"`` — Gaussian copula: the normal quantiles of the ranks (Salinas et al., ICML 2020);
* ``"none"`` — standardisation only (inside the GP).

Predictions are mapped back with :meth:`OutputWarping.inverse` (the median of the predictive distribution; the
std by the delta method), so suggestions report the target in its own units.
"""

from __future__ import annotations

import numpy as np

from matinfo.errors import ParameterError

__all__ = ["WARPINGS", "OutputWarping"]

WARPINGS = ("none", "power", "rank")


class OutputWarping:
    """A fitted monotone increasing map of target values (maximise convention).

    >>> w = OutputWarping("power").fit(np.array([1.0, 1.1, 1.2, 5.0]))
    >>> bool(np.allclose(w.inverse(w(np.array([1.05, 3.0]))), [1.05, 3.0]))
    True
    """

    def __init__(self, kind: str = "power") -> None:
        if kind not in WARPINGS:
            raise ParameterError(f"unknown output warping {kind!r}; choose one of {', '.join(WARPINGS)}")
        self.kind = kind

    def fit(self, y: np.ndarray) -> OutputWarping:
        y = np.asarray(y, dtype=float).reshape(-1)
        self.shift_, self.scale_ = float(np.mean(y)), float(np.std(y)) or 1.0
        self.power_ = None
        if self.kind == "power" and len(np.unique(y)) >= 3:
            from scipy.stats import yeojohnson_normmax

            with np.errstate(all="ignore"):
                lam = float(yeojohnson_normmax(self._u(y)))
            self.power_ = lam if np.isfinite(lam) else None
        if self.kind == "rank":
            from scipy.special import ndtri
            from scipy.stats import rankdata

            self.sorted_ = np.sort(y)
            self.quantiles_ = np.sort(ndtri((rankdata(y) - 0.5) / len(y)))
            if len(y) < 2 or self.sorted_[0] == self.sorted_[-1]:
                self.kind_fitted_ = "none"
                return self
        self.kind_fitted_ = (
            "power" if self.power_ is not None else ("rank" if self.kind == "rank" else "none")
        )
        return self

    def _u(self, y: np.ndarray) -> np.ndarray:
        return (np.asarray(y, dtype=float) - self.shift_) / self.scale_

    def __call__(self, y: np.ndarray) -> np.ndarray:
        """Warp target values (observed or not; outside the observed range for ``rank``: linear extension)."""
        y = np.asarray(y, dtype=float)
        if self.kind_fitted_ == "power":
            return _yeo_johnson(self._u(y), self.power_)
        if self.kind_fitted_ == "rank":
            return _interp(y, self.sorted_, self.quantiles_)
        return self._u(y)

    def inverse(self, w: np.ndarray) -> np.ndarray:
        """Back to target units."""
        w = np.asarray(w, dtype=float)
        if self.kind_fitted_ == "power":
            u = _yeo_johnson_inverse(w, self.power_)
        elif self.kind_fitted_ == "rank":
            return _interp(w, self.quantiles_, self.sorted_)
        else:
            u = w
        return self.shift_ + self.scale_ * u

    def inverse_std(self, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
        """Std in target units of a warped prediction (mean ± std mapped back, half the width)."""
        hi, lo = self.inverse(np.asarray(mean) + std), self.inverse(np.asarray(mean) - std)
        return np.abs(hi - lo) / 2.0


def _yeo_johnson(x: np.ndarray, lam: float) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    pos = x >= 0
    out = np.empty_like(x)
    xp, xn = x[pos], x[~pos]
    out[pos] = np.log1p(xp) if abs(lam) < 1e-12 else (np.power(xp + 1.0, lam) - 1.0) / lam
    out[~pos] = (
        -np.log1p(-xn) if abs(lam - 2) < 1e-12 else -(np.power(1.0 - xn, 2.0 - lam) - 1.0) / (2.0 - lam)
    )
    return out


def _yeo_johnson_inverse(w: np.ndarray, lam: float) -> np.ndarray:
    """Inverse Yeo-Johnson; values beyond the range the transform can reach are clipped to its edge."""
    w = np.asarray(w, dtype=float).copy()
    if lam < 0:  # forward image of x >= 0 is [0, -1/lam)
        w = np.minimum(w, -(1.0 - 1e-9) / lam)
    if lam > 2:  # forward image of x < 0 is (-1/(lam-2), 0)
        w = np.maximum(w, -(1.0 - 1e-9) / (lam - 2.0))
    pos = w >= 0
    out = np.empty_like(w)
    wp, wn = w[pos], w[~pos]
    out[pos] = np.expm1(wp) if abs(lam) < 1e-12 else np.power(lam * wp + 1.0, 1.0 / lam) - 1.0
    out[~pos] = (
        -np.expm1(-wn) if abs(lam - 2) < 1e-12 else 1.0 - np.power(1.0 - (2.0 - lam) * wn, 1.0 / (2.0 - lam))
    )
    return out


def _interp(x: np.ndarray, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """np.interp with linear extrapolation by the end slopes (distinct xp assumed merged)."""
    xu, idx = np.unique(xp, return_index=True)
    fu = fp[idx]
    out = np.interp(x, xu, fu)
    if len(xu) >= 2:
        lo_slope = (fu[1] - fu[0]) / (xu[1] - xu[0])
        hi_slope = (fu[-1] - fu[-2]) / (xu[-1] - xu[-2])
        out = np.where(x < xu[0], fu[0] + (x - xu[0]) * lo_slope, out)
        out = np.where(x > xu[-1], fu[-1] + (x - xu[-1]) * hi_slope, out)
    return out
