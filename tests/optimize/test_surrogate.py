"""GaussianProcess / RandomFeatureGP / posterior paths: exact gradients, the estimator contract, calibration."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from scipy.optimize import approx_fprime
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from matinfo.errors import ParameterError
from matinfo.optimize import (
    GaussianProcess,
    RandomFeatureGP,
    kernel,
    neg_log_marginal_likelihood,
    posterior_paths,
)


@pytest.mark.parametrize("kind", ["matern52", "matern32", "rbf"])
@pytest.mark.parametrize("ard", [True, False])
def test_marginal_likelihood_gradient_is_exact(kind, ard):
    rng = np.random.default_rng(0)
    X = rng.random((25, 3))
    y = np.sin(X @ [3.0, 1.0, 2.0])
    y = (y - y.mean()) / y.std()
    theta = np.r_[np.log([0.3, 0.5, 0.7][: 3 if ard else 1]), 0.2, np.log(1e-2)]
    _, grad = neg_log_marginal_likelihood(theta, X, y, kind, ard)
    numeric = approx_fprime(theta, lambda t: neg_log_marginal_likelihood(t, X, y, kind, ard)[0], 1e-7)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-4)


def test_kernel_values_and_shapes():
    K = kernel(np.zeros((2, 2)), np.array([[0.0, 0.0], [3.0, 4.0]]), [1.0, 1.0], "matern52")
    assert K.shape == (2, 2) and K[0, 0] == 1.0
    r = np.sqrt(5.0) * 5.0
    assert K[0, 1] == pytest.approx((1 + r + r * r / 3) * np.exp(-r))
    with pytest.raises(ParameterError, match="unknown kernel 'cosine'"):
        kernel([[0.0]], [[1.0]], 1.0, "cosine")


def test_gp_interpolates_and_knows_where_it_is_unsure(cu_slice):
    """Noise-free energies along one dz line: the GP interpolates them and is unsure only far from data."""
    line = cu_slice[np.isclose(cu_slice["dz"], 1.8)].sort_values("dx")
    X, y = line[["dx"]].to_numpy() / 8.0, line["gb_energy"].to_numpy()
    train = np.arange(0, len(X), 2)
    gp = GaussianProcess(random_state=0).fit(X[train], y[train])
    mean, std = gp.predict(X, return_std=True)
    assert np.abs(mean[train] - y[train]).max() < 0.01 and std[train].max() < 0.01
    test = np.setdiff1d(np.arange(len(X)), train)
    baseline = np.median(np.abs(y[train].mean() - y[test]))
    assert np.median(np.abs(mean[test] - y[test])) < 0.3 * baseline
    far, far_std = gp.predict([[3.0]], return_std=True)
    assert far_std[0] > 1.5 * np.median(std[test]) > 100 * std[train].max() and np.isfinite(far[0])
    assert gp.noise_variance_ < 1e-3 and np.isfinite(gp.log_marginal_likelihood_)


def test_gp_follows_the_estimator_contract():
    rng = np.random.default_rng(1)
    X, y = rng.random((20, 2)), rng.random(20)
    gp = GaussianProcess(kernel="rbf", n_restarts=1, random_state=0)
    assert clone(gp).get_params() == gp.get_params()
    with pytest.raises(NotFittedError):
        gp.predict(X)
    assert gp.fit(X, y) is gp
    again = pickle.loads(pickle.dumps(gp))
    np.testing.assert_array_equal(again.predict(X), gp.predict(X))
    twin = clone(gp).fit(X, y)  # same seed, same data -> same fit
    np.testing.assert_allclose(twin.predict(X), gp.predict(X))
    with pytest.raises(ValueError, match="features"):
        gp.predict(rng.random((3, 5)))
    with pytest.raises(ParameterError, match="noise_bounds"):
        GaussianProcess(noise_bounds=(0.0, 1.0)).fit(X, y)


@pytest.mark.slow
def test_sklearn_estimator_checks():
    from sklearn.utils.estimator_checks import check_estimator

    check_estimator(GaussianProcess(n_restarts=0, random_state=0))


def test_length_scale_prior_pulls_a_degenerate_fit_back():
    """Three points of a rough response put the ML length scale at a bound; a log-normal prior keeps it sane."""
    X = np.array([[0.0], [0.5], [1.0]])
    y = np.array([0.0, 1.0, 0.0])
    free = GaussianProcess(n_restarts=0).fit(X, y).length_scale_[0]
    held = GaussianProcess(n_restarts=0, length_scale_prior=(0.3, 0.3)).fit(X, y).length_scale_[0]
    assert abs(np.log(held / 0.3)) < abs(np.log(free / 0.3)) or abs(np.log(held / 0.3)) < 0.5


def test_condition_keeps_the_mean_and_shrinks_the_uncertainty():
    rng = np.random.default_rng(2)
    X = rng.random((15, 2))
    gp = GaussianProcess(random_state=0).fit(X, np.sin(4 * X[:, 0]) + X[:, 1])
    grid = rng.random((200, 2))
    mean, std = gp.predict(grid, return_std=True)
    pending = grid[:3]
    twin = gp.condition(pending, mean[:3])
    m2, s2 = twin.predict(grid, return_std=True)
    np.testing.assert_allclose(m2, mean, atol=1e-6)
    assert (s2 <= std + 1e-9).all() and s2[:3].max() < 0.05 * std[:3].min()
    assert len(gp.X_train_) == 15  # the original is untouched


def test_sample_y_matches_the_posterior():
    rng = np.random.default_rng(3)
    X = rng.random((10, 1))
    gp = GaussianProcess(random_state=0).fit(X, np.cos(5 * X[:, 0]))
    pts = np.array([[0.2], [0.95], [1.5]])
    draws = gp.sample_y(pts, 4000, random_state=0)
    mean, std = gp.predict(pts, return_std=True)
    np.testing.assert_allclose(draws.mean(1), mean, atol=4 * std.max() / np.sqrt(4000) + 1e-6)
    np.testing.assert_allclose(draws.std(1), std, rtol=0.08, atol=1e-6)


def test_posterior_paths_are_draws_of_the_exact_posterior(cu_slice):
    """Pathwise conditioning: the mean and spread of many function draws match the exact GP."""
    sub = cu_slice.sample(40, random_state=0)
    X = sub[["dx", "dz"]].to_numpy() / [8.0, 3.6]
    gp = GaussianProcess(random_state=0).fit(X, sub["gb_energy"].to_numpy())
    paths = posterior_paths(gp, 2000, n_features=512, rng=np.random.default_rng(0))
    pts = cu_slice[["dx", "dz"]].to_numpy()[::300] / [8.0, 3.6]
    values = paths(pts)
    mean, std = gp.predict(pts, return_std=True)
    assert values.shape == (len(pts), 2000)
    assert np.abs(values.mean(1) - mean).max() < 0.15 * std.max() + 1e-6
    np.testing.assert_allclose(values.std(1), std, rtol=0.15, atol=1e-4)


def test_random_feature_gp_approaches_the_exact_gp(cu_slice):
    sub = cu_slice.sample(60, random_state=1)
    X = sub[["dx", "dz"]].to_numpy() / [8.0, 3.6]
    y = sub["gb_energy"].to_numpy()
    test = cu_slice.sample(300, random_state=2)
    Xt = test[["dx", "dz"]].to_numpy() / [8.0, 3.6]
    exact = GaussianProcess(random_state=0).fit(X, y).predict(Xt)
    errs = []
    for m in (30, 600):
        model = RandomFeatureGP(n_features=m, random_state=0).fit(X, y)
        errs.append(np.abs(model.predict(Xt) - exact).mean())
    assert errs[1] < errs[0]
    model = RandomFeatureGP(n_features=600, random_state=0).fit(X, y)
    draws = model.sample_functions(Xt, 3, random_state=0)
    assert draws.shape == (300, 3) and np.isfinite(draws).all()
    more = model.condition(Xt[:2], model.predict(Xt[:2]))
    assert (more.predict(Xt[:2], return_std=True)[1] < model.predict(Xt[:2], return_std=True)[1]).all()
