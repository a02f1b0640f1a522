"""Nested CV: tuning never sees the outer test fold; grouped at both levels; honest vs optimistic error."""

from __future__ import annotations

import numpy as np

from matinfo.learn import group_labels, make_model, nested_cv


def test_nested_cv_on_real_data_groups_both_levels(gap_data):
    formulas, X, y, _ = gap_data
    groups = group_labels(formulas, by="chemical_system")
    res = nested_cv(
        make_model("random_forest", n_estimators=30),
        {"randomforestregressor__min_samples_leaf": [1, 5]},
        X,
        y,
        outer=3,
        inner=3,
        groups=groups,
    )
    assert len(res.outer_scores) == 3 and all(
        p["randomforestregressor__min_samples_leaf"] in (1, 5) for p in res.best_params
    )
    assert all(s < 0 for s in res.outer_scores)  # neg MAE
    assert np.isclose(-res.mean, np.mean([m["mae"] for m in res.fold_metrics]))
    assert list(res.to_frame().columns) == ["fold", "score", "param randomforestregressor__min_samples_leaf"]


def test_classifier_defaults_to_roc_auc(gap_data):
    _, X, _, metal = gap_data
    res = nested_cv(
        make_model("random_forest", "classification", n_estimators=30),
        {"randomforestclassifier__max_features": [0.3, 1.0]},
        X,
        metal,
        outer=3,
        inner=2,
    )
    assert res.scoring == "roc_auc" and 0.6 < res.mean <= 1.0
