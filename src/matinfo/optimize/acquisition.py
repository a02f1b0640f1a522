"""Acquisition functions: how promising an untested candidate is, given the surrogate's mean and std.

All functions *maximise*: a campaign that minimises works on the negated target.  They take the posterior mean
``mean`` and standard deviation ``std`` of the (standardised) objective at the candidates and the best observed
value ``best``, and return one score per candidate, larger is better.

* :func:`log_expected_improvement` — log E[max(f − best − ξ, 0)], computed stably where the improvement is
  astronomically unlikely (Ament et al., NeurIPS 2023): plain EI underflows to exactly 0 for most candidates
  once the model is confident, and the arg-max of a vector of zeros is arbitrary.
* :func:`log_probability_of_improvement` — log P(f > best + ξ).
* :func:`upper_confidence_bound` — mean + β·std (Srinivas et al., ICML 2010).
* Thompson sampling draws whole functions (:mod:`matinfo.optimize.random_features`); :func:`gain` turns a draw
  into an improvement for cost-aware ranking.

Cost-aware acquisition (:func:`per_cost`) ranks by expected gain per unit cost, ``gain / cost**power``
(EI per unit cost, Snoek et al., NeurIPS 2012), in log space so the ratio stays exact for tiny EI.
"""

from __future__ import annotations

import numpy as np

from matinfo.errors import ParameterError

__all__ = [
    "ACQUISITIONS",
    "log_expected_improvement",
    "expected_improvement",
    "log_probability_of_improvement",
    "upper_confidence_bound",
    "score",
    "gain",
    "per_cost",
]

#: Acquisition names understood by :func:`score` and the campaigns.
ACQUISITIONS = ("ei", "pi", "ucb", "ts")
_SQRT_HALF_PI = float(np.sqrt(np.pi / 2.0))
_LOG_SQRT_2PI = float(0.5 * np.log(2.0 * np.pi))


def check_acquisition(name: str) -> str:
    """``name`` lower-cased, or a :class:`~matinfo.errors.ParameterError` listing the valid ones."""
    key = str(name).lower()
    if key not in ACQUISITIONS:
        raise ParameterError(f"unknown acquisition {name!r}; choose one of {', '.join(ACQUISITIONS)}")
    return key


def _log_h(u: np.ndarray) -> np.ndarray:
    """log(φ(u) + u Φ(u)), accurate for every u (the EI of a unit-variance Gaussian at offset u)."""
    from scipy.special import erfcx, ndtr

    u = np.asarray(u, dtype=float)
    out = np.empty_like(u)
    mid = u > -1.0
    um = u[mid]
    out[mid] = np.log(np.exp(-0.5 * um * um - _LOG_SQRT_2PI) + um * ndtr(um))
    tail = ~mid
    t = -u[tail]  # t >= 1
    log_phi = -0.5 * t * t - _LOG_SQRT_2PI
    # φ(u) + uΦ(u) = φ(t) (1 − t·sqrt(π/2)·erfcx(t/√2)) for u = −t; asymptotically φ(t)/t²
    with np.errstate(divide="ignore", invalid="ignore"):
        w = 1.0 - t * _SQRT_HALF_PI * erfcx(t / np.sqrt(2.0))
        exact = log_phi + np.log(w)
    asym = log_phi - 2.0 * np.log(t) + np.log1p(-3.0 / (t * t) + 15.0 / t**4)
    out[tail] = np.where((t < 1e3) & (w > 0), exact, asym)
    return out


def log_expected_improvement(mean: np.ndarray, std: np.ndarray, best: float, xi: float = 0.0) -> np.ndarray:
    """log EI for maximisation; finite for every candidate with std > 0.

    >>> log_expected_improvement(np.array([0.0, 1.0]), np.array([1.0, 1.0]), 0.0).round(3).tolist()
    [-0.919, 0.08]
    """
    mean, std = np.asarray(mean, dtype=float), np.asarray(std, dtype=float)
    s = np.maximum(std, 1e-300)
    return np.log(s) + _log_h((mean - best - xi) / s)


def expected_improvement(mean: np.ndarray, std: np.ndarray, best: float, xi: float = 0.0) -> np.ndarray:
    """EI = E[max(f − best − ξ, 0)] for maximisation (underflows to 0 far from the best: rank by the log)."""
    return np.exp(log_expected_improvement(mean, std, best, xi))


def log_probability_of_improvement(
    mean: np.ndarray, std: np.ndarray, best: float, xi: float = 0.0
) -> np.ndarray:
    """log P(f > best + ξ) for maximisation."""
    from scipy.special import log_ndtr

    s = np.maximum(np.asarray(std, dtype=float), 1e-300)
    return log_ndtr((np.asarray(mean, dtype=float) - best - xi) / s)


def upper_confidence_bound(mean: np.ndarray, std: np.ndarray, beta: float = 2.0) -> np.ndarray:
    """mean + β·std."""
    return np.asarray(mean, dtype=float) + beta * np.asarray(std, dtype=float)


def score(
    name: str,
    mean: np.ndarray,
    std: np.ndarray,
    best: float,
    *,
    xi: float = 0.0,
    beta: float = 2.0,
) -> np.ndarray:
    """The acquisition ``name`` (``"ei"``, ``"pi"``, ``"ucb"``) for every candidate (log scale for EI and PI)."""
    key = check_acquisition(name)
    if key == "ei":
        return log_expected_improvement(mean, std, best, xi)
    if key == "pi":
        return log_probability_of_improvement(mean, std, best, xi)
    if key == "ucb":
        return upper_confidence_bound(mean, std, beta)
    raise ParameterError("Thompson sampling scores are function draws; use matinfo.optimize.posterior_paths")


def gain(name: str, value: np.ndarray, best: float) -> np.ndarray:
    """log of the expected gain of an acquisition value, for cost-aware ranking.

    EI and PI are already log-gains; UCB and a Thompson draw become log max(value − best, tiny), so a
    candidate predicted to improve by 2 units at cost 2 ties with one improving by 1 unit at cost 1.
    """
    key = check_acquisition(name)
    if key in ("ei", "pi"):
        return np.asarray(value, dtype=float)
    return np.log(np.maximum(np.asarray(value, dtype=float) - best, 1e-300))


def per_cost(log_gain: np.ndarray, cost: np.ndarray, power: float = 1.0) -> np.ndarray:
    """log(gain / cost**power); ``cost`` must be positive.

    >>> per_cost(np.log([1.0, 2.0]), np.array([1.0, 4.0])).round(3).tolist()
    [0.0, -0.693]
    """
    cost = np.asarray(cost, dtype=float)
    if not (np.isfinite(cost).all() and (cost > 0).all()):
        raise ParameterError("costs must be finite and positive; check the cost column")
    return np.asarray(log_gain, dtype=float) - power * np.log(cost)
