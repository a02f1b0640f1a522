"""Splits keep groups apart, clusters out, extrapolation above the threshold; metrics and coverage."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import cross_val_score

from matinfo.errors import ParameterError
from matinfo.learn import (
    ExtrapolationSplit,
    LeaveClusterOut,
    classification_metrics,
    group_labels,
    interval_coverage,
    make_cv,
    make_model,
    regression_metrics,
)


def test_grouped_folds_never_share_a_chemical_system(gap_data):
    formulas, X, y, _ = gap_data
    groups = group_labels(formulas, by="chemical_system")
    for train, test in make_cv("group", 5).split(X, y, groups):
        assert not set(groups[train]) & set(groups[test])


def test_grouped_cv_is_harder_than_random_kfold_on_families(gap_data):
    """Families (anonymous formulas) shared between train and test flatter random k-fold."""
    formulas, X, y, _ = gap_data
    model = make_model("random_forest", n_estimators=60)
    rand = -cross_val_score(model, X, y, cv=make_cv("kfold", 5), scoring="neg_mean_absolute_error").mean()
    groups = group_labels(formulas, by="chemical_system")
    grouped = -cross_val_score(
        model, X, y, cv=make_cv("group", 5), groups=groups, scoring="neg_mean_absolute_error"
    ).mean()
    assert grouped >= rand * 0.95


def test_leave_cluster_out_covers_every_row_once(gap_data):
    _, X, y, _ = gap_data
    tests = [t for _, t in LeaveClusterOut(4).split(X)]
    assert sorted(np.concatenate(tests).tolist()) == list(range(len(y)))


def test_extrapolation_tests_only_above_the_threshold(gap_data):
    _, X, y, _ = gap_data
    ((train, test),) = ExtrapolationSplit(quantile=0.9).split(X, y)
    assert y[test].min() >= y[train].max() - 1e-12 and 0.05 < len(test) / len(y) < 0.15
    with pytest.raises(ParameterError, match="empty train or test"):
        next(ExtrapolationSplit(threshold=1e9).split(X, y))


def test_metrics_on_known_values():
    r = regression_metrics([0, 1, 2, np.nan], [0, 1, 4, 1])
    assert r["n"] == 3 and r["mae"] == pytest.approx(2 / 3) and r["max_ae"] == 2
    c = classification_metrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    assert c["roc_auc"] == pytest.approx(0.75) and c["accuracy"] == 0.75


def test_interval_coverage_of_a_calibrated_gaussian():
    rng = np.random.default_rng(0)
    mu = rng.normal(size=20000)
    y = mu + rng.normal(scale=0.5, size=mu.size)
    cov = interval_coverage(y, mu, np.full(mu.size, 0.5))
    assert abs(cov["coverage_68"] - 0.68) < 0.02 and abs(cov["coverage_95"] - 0.95) < 0.01
    assert cov["miscalibration_area"] < 0.02
    over = interval_coverage(y, mu, np.full(mu.size, 2.0))
    assert over["coverage_68"] > 0.95 and over["miscalibration_area"] > 0.2
