"""One batch of proposals from the observations: fit the surrogate, score candidates, pick the best n.

This is the numeric heart of a campaign, free of storage: arrays in, arrays out.  Conventions:

* inputs are *encoded* rows (unit cube, see the spaces) and targets in the *maximise* convention (a campaign
  that minimises passes −y);
* ``busy`` rows are pending suggestions and failed experiments: the model is conditioned on its own prediction
  there ("kriging believer", Ginsbourger et al. 2010), so a batch spreads out instead of proposing the same
  point n times, and a failed point is not proposed again (in a discrete pool it is also excluded);
* each later member of a batch is chosen after conditioning on the earlier ones in the same way; with Thompson
  sampling each member is the arg-max of its own posterior draw.

Discrete pools are scored in full (vectorised).  Mixed parameter spaces are searched by scoring a scrambled
Sobol sample and refining the best few points with L-BFGS-B over the real/integer columns (categorical columns
held), then snapping integers and categories to valid values.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matinfo.errors import ParameterError
from matinfo.optimize import acquisition as acq
from matinfo.optimize.kernels import KERNELS, single_threaded_blas
from matinfo.optimize.surrogate import GaussianProcess
from matinfo.optimize.warping import WARPINGS, OutputWarping

__all__ = ["Settings", "Proposal", "fit_surrogate", "propose_discrete", "propose_parameters"]

#: Features drawn for each Thompson-sampling function draw (pathwise conditioning; exact near the data).
TS_FEATURES = 512
#: Thompson sampling in a discrete pool draws the function only at the candidates whose upper bound
#: mean + TS_SHORTLIST_SIGMAS·std is among the TS_SHORTLIST highest: a draw exceeds its mean by more than
#: 4σ with probability 3e-5, so the arg-max lies there, and the draw costs a fraction of the whole pool.
TS_SHORTLIST = 2000
TS_SHORTLIST_SIGMAS = 4.0
SURROGATES = ("gp", "random_features")
#: ``Settings.periodic``: never, always, or when the marginal likelihood says so (:mod:`~matinfo.optimize.periodic`).
PERIODIC = ("off", "on", "auto")


@dataclass(frozen=True)
class Settings:
    """How proposals are made; stored with a campaign (JSON), so every field is a plain value.

        ``acquisition`` ei | pi | ucb | ts; ``kernel`` matern52 | matern32 | rbf; ``ard`` one length scale per
        feature; ``surrogate`` ``"gp"`` (exact) or ``"random_features"`` (Bayesian linear regression on
        ``n_features`` random Fourier features, PHYSBO's ``num_rand_basis``); ``xi`` EI/PI margin and ``beta``
        UCB width (standardised target units); ``cost_power`` exponent of the cost in cost-aware ranking;
        ``feasibility`` weight by the probability that an experiment succeeds (learned from failures); ``n_raw`` /
        ``n_refine`` raw samples and local refinements for parameter spaces; ``n_restarts`` random starts of the
        hyperparameter fit, made on every ``refit_every``-th suggestion (the others start from the previous fit); ``y_transform`` output warping (:mod:`~matinfo.optimize.warping`); ``length_scale_prior``
        log-normal prior of the GP length scales, ``(median as a fraction of the column's range, sigma of the log)``
    (see :class:`~matinfo.optimize.surrogate.GaussianProcess`); the default (0.2, 1.0) is weak — 95 % of its mass
    between 0.03 and 1.4 ranges — and keeps the first fits, on a handful of points, away from the bounds (on the
    Cu Σ5 benchmark it lowered the median evaluations to the global minimum from 228 to 184, 6 seeds), None for
    plain maximum likelihood; ``periodic`` adds a periodic part with learned periods to the GP kernel
    (:mod:`~matinfo.optimize.periodic`): ``"auto"`` (default) when its marginal likelihood beats the stationary
    kernel's clearly — decided afresh on every refit, never for Thompson sampling, transfer or more than
    :data:`~matinfo.optimize.periodic.MAX_PERIODIC_DIMS` features — ``"on"`` always, ``"off"`` never.
    """

    acquisition: str = "ei"
    kernel: str = "matern52"
    ard: bool = True
    surrogate: str = "gp"
    n_features: int = 1000
    xi: float = 0.0
    beta: float = 2.0
    cost_power: float = 1.0
    feasibility: bool = False
    n_raw: int = 2048
    n_refine: int = 5
    n_restarts: int = 2
    refit_every: int = 5
    y_transform: str = "power"
    length_scale_prior: tuple[float, float] | None = (0.2, 1.0)
    periodic: str = "auto"

    def __post_init__(self) -> None:
        object.__setattr__(self, "acquisition", acq.check_acquisition(self.acquisition))
        if self.periodic not in PERIODIC:
            raise ParameterError(f"unknown periodic {self.periodic!r}; choose one of {', '.join(PERIODIC)}")
        if self.periodic == "on" and (self.acquisition == "ts" or self.surrogate != "gp"):
            raise ParameterError(
                "periodic='on' needs the exact GP with ei, pi or ucb: Thompson sampling and random features "
                "draw from a stationary kernel's spectrum"
            )
        if self.y_transform not in WARPINGS:
            raise ParameterError(
                f"unknown y_transform {self.y_transform!r}; choose one of {', '.join(WARPINGS)}"
            )
        if self.length_scale_prior is not None:
            object.__setattr__(self, "length_scale_prior", tuple(float(v) for v in self.length_scale_prior))
        if self.kernel not in KERNELS:
            raise ParameterError(f"unknown kernel {self.kernel!r}; choose one of {', '.join(KERNELS)}")
        if self.surrogate not in SURROGATES:
            raise ParameterError(
                f"unknown surrogate {self.surrogate!r}; choose one of {', '.join(SURROGATES)}"
            )
        for name in ("n_features", "n_raw", "n_refine", "refit_every"):
            if int(getattr(self, name)) < 1:
                raise ParameterError(f"{name} must be >= 1, got {getattr(self, name)!r}")
        if self.beta < 0 or self.cost_power < 0:
            raise ParameterError("beta and cost_power must be >= 0")

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        if d["length_scale_prior"] is not None:
            d["length_scale_prior"] = list(d["length_scale_prior"])
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Settings:
        known = set(cls.__dataclass_fields__)
        extra = sorted(set(d) - known)
        if extra:
            raise ParameterError(f"unknown campaign settings {extra}; known: {sorted(known)}")
        return cls(**d)


@dataclass
class Proposal:
    """A batch: encoded ``rows``, their pool ``positions`` (discrete) and the model's view of each."""

    rows: np.ndarray
    positions: np.ndarray | None
    mean: np.ndarray
    std: np.ndarray
    score: np.ndarray
    hyperparameters: dict[str, Any] = field(default_factory=dict)


def fit_surrogate(
    X: np.ndarray,
    y: np.ndarray,
    settings: Settings,
    rng: np.random.Generator,
    *,
    init_params: dict[str, Any] | None = None,
    mean_function: Callable[[np.ndarray], np.ndarray] | None = None,
    restarts: bool = True,
):
    """The surrogate of ``settings`` fitted to (X, y): a GaussianProcess or a RandomFeatureGP.

    ``restarts=False`` skips the random restarts of the hyperparameter fit (warm start and default start only).
    """
    n_restarts = settings.n_restarts if restarts or init_params is None else 0
    if settings.surrogate == "random_features":
        from matinfo.optimize.random_features import RandomFeatureGP

        if mean_function is not None:
            raise ParameterError("transfer needs the exact GP surrogate (surrogate='gp')")
        return RandomFeatureGP(
            n_features=settings.n_features,
            kernel=settings.kernel,
            ard=settings.ard,
            n_restarts=n_restarts,
            random_state=rng,
        ).fit(X, y)
    params = dict(
        kernel=settings.kernel,
        ard=settings.ard,
        n_restarts=n_restarts,
        init_params=init_params,
        length_scale_prior=settings.length_scale_prior,
        mean_function=mean_function,
        random_state=rng,
    )
    from matinfo.optimize import periodic

    if periodic.wanted(settings.periodic, settings.acquisition, X, init_params, restarts, mean_function):
        gp = periodic.PeriodicGaussianProcess(**params).fit(X, y)
        return gp if settings.periodic == "on" else gp.selected_
    return GaussianProcess(**params).fit(X, y)


def _hyper(model) -> dict[str, Any]:
    gp = getattr(model, "gp_", model)
    return gp.hyperparameters_


class _Scorer:
    """Scores rows for one batch member: acquisition (log-gain when costs or feasibility apply), cost, feasibility."""

    def __init__(self, model, settings: Settings, best: float, feas, rng: np.random.Generator) -> None:
        self.model, self.s, self.best, self.feas, self.rng = model, settings, best, feas, rng
        self.draw = self.feas_draw = None
        if settings.acquisition == "ts":
            self.draw = _thompson_draw(model, rng)
            if feas is not None:
                self.feas_draw = _thompson_draw(feas.gp_, rng)

    def __call__(self, Z: np.ndarray, cost: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        s = self.s
        mean, std = self.model.predict(Z, return_std=True)
        if s.acquisition == "ts":
            value = self.draw(Z)
        else:
            value = acq.score(s.acquisition, mean, std, self.best, xi=s.xi * _ystd(self.model), beta=s.beta)
        if cost is None and self.feas is None:
            return value, mean, std
        log_gain = acq.gain(s.acquisition, value, self.best)
        if self.feas is not None:
            if self.feas_draw is not None:
                log_gain = np.where(self.feas_draw(Z) >= 0.0, log_gain, -np.inf)
            else:
                from scipy.special import log_ndtr

                fm, fs = self.feas.predict(Z, return_std=True)
                log_gain = log_gain + log_ndtr(fm / np.sqrt(1.0 + fs * fs))
        if cost is not None:
            log_gain = acq.per_cost(log_gain, cost, s.cost_power)
        if not np.isfinite(log_gain).any() or np.nanmax(log_gain) < -600:
            # nothing is predicted to improve: rank by the plain acquisition (still among feasible points)
            if self.feas_draw is not None:
                ok = self.feas_draw(Z) >= 0.0
                value = np.where(ok, value, -np.inf) if ok.any() else value
            return value, mean, std
        return log_gain, mean, std


def _ystd(model) -> float:
    return float(getattr(model, "gp_", model).y_std_)


def _thompson_draw(model, rng: np.random.Generator) -> Callable[[np.ndarray], np.ndarray]:
    if isinstance(model, GaussianProcess):
        from matinfo.optimize.random_features import posterior_paths

        paths = posterior_paths(model, 1, n_features=TS_FEATURES, rng=rng)
        return lambda Z: paths(Z)[:, 0]
    w = model.sample_weights(1, rng)
    g = model.gp_
    return lambda Z: g.y_mean_ + g.y_std_ * (model.basis_(np.atleast_2d(Z)) @ w)[:, 0]


def _feasibility_model(X_ok: np.ndarray, X_failed: np.ndarray, settings: Settings, rng):
    if not settings.feasibility or len(X_failed) == 0:
        return None
    from matinfo.optimize.feasibility import FeasibilityModel

    return FeasibilityModel(kernel=settings.kernel, random_state=rng).fit(
        np.vstack([X_ok, X_failed]), np.r_[np.ones(len(X_ok)), np.zeros(len(X_failed))]
    )


def _prepare(X, y, busy, failed, settings, rng, init_params, source, restarts):
    """Warp the targets, build the transfer prior, fit the surrogate and the feasibility model, condition on
    the busy rows; returns (model, warping, hyperparameters, best warped value, feasibility model)."""
    warp = OutputWarping(settings.y_transform).fit(y)
    yw = warp(y)
    mean_function = None
    if source is not None:
        from matinfo.optimize.transfer import transfer_mean

        mean_function = transfer_mean(
            source[0], warp(source[1]), X, yw, kernel=settings.kernel, random_state=rng
        )
    model = fit_surrogate(
        X, yw, settings, rng, init_params=init_params, mean_function=mean_function, restarts=restarts
    )
    hyper = _hyper(model)
    best = float(np.max(model.predict(X)))
    feas = _feasibility_model(X, failed, settings, rng)
    if len(busy):
        model = model.condition(busy, model.predict(busy))
    return model, warp, hyper, best, feas


def _unwarp(warp: OutputWarping, rows: np.ndarray, positions, means, stds, scores, hyper) -> Proposal:
    means, stds = np.array(means), np.array(stds)
    return Proposal(
        rows, positions, warp.inverse(means), warp.inverse_std(means, stds), np.array(scores), hyper
    )


def _one_blas_thread(fn):
    """Run ``fn`` with BLAS on one thread (see :func:`~matinfo.optimize.kernels.single_threaded_blas`)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any):
        with single_threaded_blas():
            return fn(*args, **kwargs)

    return wrapper


@_one_blas_thread
def propose_discrete(
    pool: np.ndarray,
    available: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    n: int,
    settings: Settings,
    rng: np.random.Generator,
    *,
    busy: np.ndarray | None = None,
    failed: np.ndarray | None = None,
    cost: np.ndarray | None = None,
    init_params: dict[str, Any] | None = None,
    source: tuple[np.ndarray, np.ndarray] | None = None,
    restarts: bool = True,
) -> Proposal:
    """The ``n`` best of the ``available`` pool positions (bool mask or index array) for the next batch."""
    d = pool.shape[1]
    busy = np.empty((0, d)) if busy is None else busy
    failed = np.empty((0, d)) if failed is None else failed
    cand = np.flatnonzero(available) if available.dtype == bool else np.asarray(available, dtype=np.int64)
    if n > len(cand):
        raise ParameterError(f"asked for {n} suggestions but only {len(cand)} candidates are left untested")
    model, warp, hyper, best, feas = _prepare(
        X, y, busy, failed, settings, rng, init_params, source, restarts
    )
    chosen, means, stds, scores = [], [], [], []
    for _ in range(n):
        scorer = _Scorer(model, settings, best, feas, rng)
        look = cand
        if settings.acquisition == "ts" and len(cand) > TS_SHORTLIST and feas is None and cost is None:
            m, sd = model.predict(pool[cand], return_std=True)
            look = cand[np.argpartition(-(m + TS_SHORTLIST_SIGMAS * sd), TS_SHORTLIST)[:TS_SHORTLIST]]
        value, mean, std = scorer(pool[look], None if cost is None else cost[look])
        k = int(np.argmax(value))
        pos = int(look[k])
        chosen.append(pos)
        means.append(mean[k])
        stds.append(std[k])
        scores.append(value[k])
        cand = cand[cand != pos]
        model = model.condition(pool[[pos]], [mean[k]])
    return _unwarp(warp, pool[chosen], np.array(chosen), means, stds, scores, hyper)


@_one_blas_thread
def propose_parameters(
    space,
    X: np.ndarray,
    y: np.ndarray,
    n: int,
    settings: Settings,
    rng: np.random.Generator,
    *,
    busy: np.ndarray | None = None,
    failed: np.ndarray | None = None,
    init_params: dict[str, Any] | None = None,
    source: tuple[np.ndarray, np.ndarray] | None = None,
    restarts: bool = True,
) -> Proposal:
    """``n`` points of a :class:`~matinfo.optimize.params.ParameterSpace` (sampling + L-BFGS-B refinement)."""
    d = space.n_dims
    busy = np.empty((0, d)) if busy is None else busy
    failed = np.empty((0, d)) if failed is None else failed
    model, warp, hyper, best, feas = _prepare(
        X, y, busy, failed, settings, rng, init_params, source, restarts
    )
    taken = [np.vstack([X, busy, failed])]
    rows, means, stds, scores = [], [], [], []
    for _ in range(n):
        scorer = _Scorer(model, settings, best, feas, rng)
        z, value, mean, std = _optimise(space, scorer, settings, rng, np.vstack(taken))
        rows.append(z)
        means.append(mean)
        stds.append(std)
        scores.append(value)
        taken.append(z[None, :])
        model = model.condition(z[None, :], [mean])
    return _unwarp(warp, np.array(rows), None, means, stds, scores, hyper)


def _optimise(space, scorer: _Scorer, settings: Settings, rng, taken: np.ndarray):
    """Best valid encoded point for one batch member: raw Sobol sample, then local refinement."""
    from scipy.optimize import minimize

    def score(Z: np.ndarray):
        Z = np.atleast_2d(Z)
        cost = space.cost_of(space.decode(Z)) if space.cost_expr else None
        return scorer(Z, cost)

    raw = space.sample(settings.n_raw, rng)
    value, _, _ = score(raw)
    order = np.argsort(-value)
    starts = raw[order[: settings.n_refine]]
    cont = space.continuous
    found = [raw[order]]
    if cont.any():
        for z0 in starts:
            fixed = z0.copy()

            def negative(u: np.ndarray, fixed=fixed) -> float:
                z = fixed.copy()
                z[cont] = u
                return -float(score(z)[0][0])

            res = minimize(negative, z0[cont], method="L-BFGS-B", bounds=[(0.0, 1.0)] * int(cont.sum()))
            z = fixed.copy()
            z[cont] = res.x
            found.append(space.snap(z))
    cands = np.vstack(found[::-1])  # refined points first
    value, mean, std = score(cands)
    for k in np.argsort(-value, kind="stable"):
        if not _seen(cands[k], taken):
            return cands[k], float(value[k]), float(mean[k]), float(std[k])
    raise ParameterError(
        "every point the optimiser found has been tested or is pending: the (integer/categorical) space is "
        "exhausted; observe the pending points or widen the space"
    )


def _seen(z: np.ndarray, taken: np.ndarray) -> bool:
    return bool(len(taken)) and bool((np.abs(taken - z).max(axis=1) < 1e-9).any())
