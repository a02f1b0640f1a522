"""Acquisition functions: exact where plain formulas are representable, finite and ordered where they underflow."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from matinfo.errors import ParameterError
from matinfo.optimize import acquisition as acq


def test_log_ei_matches_the_textbook_formula_where_it_is_representable():
    rng = np.random.default_rng(0)
    mean, std = rng.normal(size=500), rng.uniform(0.05, 2.0, 500)
    best = 0.3
    u = (mean - best) / std
    ei = (mean - best) * norm.cdf(u) + std * norm.pdf(u)
    ok = ei > 1e-200
    np.testing.assert_allclose(acq.log_expected_improvement(mean, std, best)[ok], np.log(ei[ok]), rtol=1e-9)
    np.testing.assert_allclose(acq.expected_improvement(mean, std, best)[ok], ei[ok], rtol=1e-9)


def test_log_ei_stays_finite_and_ordered_far_in_the_tail():
    """Plain EI is exactly 0 below u ≈ -38, so its arg-max is arbitrary; log EI still ranks the candidates."""
    mean = -np.array([5.0, 40.0, 100.0, 1e3, 1e5])
    values = acq.log_expected_improvement(mean, np.ones(5), 0.0)
    assert np.isfinite(values).all() and (np.diff(values) < 0).all()
    assert acq.expected_improvement(mean, np.ones(5), 0.0)[2] == 0.0  # what the log form avoids


def test_pi_ucb_and_xi():
    mean, std = np.array([0.0, 1.0]), np.array([1.0, 1.0])
    np.testing.assert_allclose(
        np.exp(acq.log_probability_of_improvement(mean, std, 0.5)), norm.cdf([-0.5, 0.5])
    )
    np.testing.assert_allclose(acq.upper_confidence_bound(mean, std, beta=2.0), [2.0, 3.0])
    assert acq.score("ei", mean, std, 0.0, xi=1.0)[1] < acq.score("ei", mean, std, 0.0)[1]
    with pytest.raises(ParameterError, match="unknown acquisition 'gp-hedge'"):
        acq.score("gp-hedge", mean, std, 0.0)


def test_per_cost_ranks_gain_per_unit_cost():
    gain = acq.gain("ucb", np.array([3.0, 2.0]), best=1.0)  # improvements 2 and 1
    ranked = acq.per_cost(gain, np.array([4.0, 1.0]))
    assert ranked[1] > ranked[0]  # 1 per unit beats 0.5 per unit
    with pytest.raises(ParameterError, match="positive"):
        acq.per_cost(gain, np.array([1.0, 0.0]))
