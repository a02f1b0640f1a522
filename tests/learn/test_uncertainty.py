"""Uncertainty from ensembles, quantile boosting, GPs and forests: std > 0, larger errors ↔ larger std."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from matinfo.errors import ParameterError
from matinfo.learn import Ensemble, QuantileBoosting, interval_coverage, make_model, predict_with_std


@pytest.mark.parametrize(
    "build",
    [
        lambda: Ensemble(make_model("lgbm", n_estimators=60), n_members=5),
        lambda: QuantileBoosting(n_estimators=150),
        lambda: make_model("gp", n_restarts_optimizer=0),
        lambda: make_model("random_forest", n_estimators=100),
        lambda: make_model("extra_trees", n_estimators=100),
    ],
    ids=["ensemble", "quantile", "gp", "random_forest", "extra_trees"],
)
def test_std_is_positive_and_informative(build, gap_data):
    _, X, y, _ = gap_data
    model = build().fit(X.iloc[:450], y[:450])
    mean, std = predict_with_std(model, X.iloc[450:])
    assert mean.shape == std.shape == (150,) and (std >= 0).all() and std.mean() > 0
    err = np.abs(mean - y[450:])
    assert spearmanr(err, std).statistic > 0  # bigger spread where the model is more wrong
    cov = interval_coverage(y[450:], mean, std)
    assert 0.2 < cov["coverage_68"] <= 1.0


def test_models_without_spread_are_explained(gap_data):
    _, X, y, _ = gap_data
    with pytest.raises(ParameterError, match="wrap it in matinfo.learn.Ensemble"):
        predict_with_std(make_model("pls").fit(X, y), X)
