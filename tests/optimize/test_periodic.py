"""PeriodicGaussianProcess: exact gradients, learned periods on real data, the evidence choice, campaigns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime

from matinfo.errors import ParameterError
from matinfo.optimize import Campaign, DiscreteSpace, GaussianProcess
from matinfo.optimize.periodic import PeriodicGaussianProcess, covariance, neg_log_marginal_likelihood
from matinfo.optimize.proposal import Settings, fit_surrogate


@pytest.mark.parametrize("kind", ["matern52", "rbf"])
@pytest.mark.parametrize("centre", [None, [True, False, True]])
def test_marginal_likelihood_gradient_is_exact(kind, centre):
    rng = np.random.default_rng(0)
    X = rng.random((20, 3))
    y = np.sin(6 * X[:, 0]) + X[:, 1]
    y = (y - y.mean()) / y.std()
    theta = np.r_[np.log([0.3, 0.5, 0.7, 0.4, 0.6, 0.2, 2.0, 0.7, 3.0]), 0.1, -0.3, np.log(1e-2)]
    c = None if centre is None else np.array(centre)
    _, grad = neg_log_marginal_likelihood(theta, X, y, kind, c)
    numeric = approx_fprime(theta, lambda t: neg_log_marginal_likelihood(t, X, y, kind, c)[0], 1e-7)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-5)


def test_centred_kernel_repeats_under_the_centring_translation():
    """Half a period along both centred inputs maps the kernel onto itself; along one input it does not."""
    # stationary variance 1e-12: only the periodic part counts
    theta = np.r_[np.log([0.3, 0.3, 0.03, 0.05, 4.0, 2.0]), np.log(1e-12), 0.0, np.log(1e-6)]
    x = np.array([[0.1, 0.3]])
    K = lambda a, b: covariance(a, b, theta, "matern52", np.array([True, True]))[0, 0]  # noqa: E731
    assert K(x, x + [0.125, 0.25]) == pytest.approx(K(x, x), rel=1e-9)
    assert K(x, x + [0.25, 0.0]) == pytest.approx(K(x, x), rel=1e-9)
    assert K(x, x + [0.125, 0.0]) < 0.7 * K(x, x)


def _lattice(n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    X = rng.random((n, 2))
    return X, np.cos(2 * np.pi * 5 * X[:, 0]) + 0.3 * X[:, 1]


def test_learns_the_period_and_predicts_unseen_images():
    rng = np.random.default_rng(1)
    X, y = _lattice(60, rng)
    gp = PeriodicGaussianProcess(random_state=0).fit(X, y)
    assert gp.frequency_[0] == pytest.approx(5.0, abs=0.1)
    assert gp.log_marginal_likelihood_ > gp.stationary_log_marginal_likelihood_ + 10
    assert gp.selected_ is gp
    far = np.array([[0.0, 0.5], [0.2, 0.5], [0.4, 0.5]])  # images of the maxima, also where no data are near
    np.testing.assert_allclose(gp.predict(far), 1.15, atol=0.15)
    hp = gp.hyperparameters_
    assert {"frequency", "periodic_length_scale", "periodic_variance", "centre"} <= set(hp)
    warm = PeriodicGaussianProcess(n_restarts=0, init_params=hp).fit(X, y)
    assert warm.frequency_[0] == pytest.approx(gp.frequency_[0], rel=0.02)


def test_evidence_keeps_the_stationary_gp_for_a_smooth_response():
    rng = np.random.default_rng(2)
    X = rng.random((40, 3))
    y = -((X - 0.4) ** 2).sum(1) + 0.2 * X[:, 0] * X[:, 1]
    gp = PeriodicGaussianProcess(random_state=0).fit(X, y)
    chosen = gp.selected_
    assert type(chosen) is GaussianProcess
    plain = GaussianProcess(random_state=np.random.default_rng(0)).fit(X, y)
    assert chosen.log_marginal_likelihood_ == pytest.approx(plain.log_marginal_likelihood_, abs=1.0)


def test_settings_validate_and_route_periodic():
    with pytest.raises(ParameterError, match="unknown periodic"):
        Settings(periodic="sometimes")
    rng = np.random.default_rng(3)
    X, y = _lattice(50, rng)
    on = fit_surrogate(X, y, Settings(periodic="on"), np.random.default_rng(0))
    off = fit_surrogate(X, y, Settings(periodic="off"), np.random.default_rng(0))
    auto = fit_surrogate(X, y, Settings(periodic="auto"), np.random.default_rng(0))
    assert isinstance(on, PeriodicGaussianProcess) and type(off) is GaussianProcess
    assert isinstance(auto, PeriodicGaussianProcess)
    ts = fit_surrogate(X, y, Settings(periodic="auto", acquisition="ts"), np.random.default_rng(0))
    assert type(ts) is GaussianProcess  # Thompson sampling draws paths of a stationary kernel
    wide = fit_surrogate(np.tile(X, 5), y, Settings(periodic="auto"), np.random.default_rng(0))
    assert type(wide) is GaussianProcess  # 10 inputs: more than MAX_PERIODIC_DIMS


def test_campaign_finds_the_images_of_a_periodic_optimum():
    """A pool with six equal maxima along x: with the periodic kernel the campaign visits most of them."""
    g = np.linspace(0, 1, 41)
    xx, zz = np.meshgrid(g, g, indexing="ij")
    pool = pd.DataFrame({"id": [f"p{i}" for i in range(xx.size)], "x": xx.ravel(), "z": zz.ravel()})
    value = np.cos(2 * np.pi * 5 * pool["x"]) - 4 * (pool["z"] - 0.5) ** 2
    top = set(pool["id"][value >= value.max() - 1e-9])
    assert len(top) == 6
    space = DiscreteSpace.from_frame(pool, features=["x", "z"], id_col="id")
    camp = Campaign(space, target="y", seed=0, periodic="on")
    lookup = dict(zip(pool["id"], value, strict=True))
    seen = []
    for _ in range(45):
        ids = list(camp.suggest(1)["id"])
        camp.observe(ids, [lookup[i] for i in ids])
        seen += ids
    assert len(top & set(seen)) >= 4
    assert camp.status()["settings"]["periodic"] == "on"
