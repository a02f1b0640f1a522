"""Ablation by descriptor category with paired folds and the Nadeau–Bengio corrected t-test."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold, RepeatedKFold

from matinfo.errors import ParameterError
from matinfo.learn import AblationResult, corrected_resampled_ttest, make_model, run_ablation
from tests.learn.test_importance import planted


def test_obelix_planted_informative_and_noise_groups():
    X, y, cats = planted(noise_sd=1.0, n_noise=3)  # informative, but not a copy of the target
    model = make_model("lgbm", random_state=0, n_estimators=50, num_leaves=15, n_jobs=1)
    cv = RepeatedKFold(n_splits=5, n_repeats=3, random_state=0)
    res = run_ablation(model, X, y, cats, cv=cv)
    assert isinstance(res, AblationResult) and res.scores.shape == (5, 15)
    assert (res.n_train + res.n_test == len(y)).all()
    np.testing.assert_array_equal(res.diff()[0], 0.0)
    df = res.to_frame().set_index("variant")
    assert df.loc["all descriptors", "n_features"] == X.shape[1]
    informative = df.loc["without processing"]
    assert informative["worse"] and informative["p_corrected"] < 0.05 and informative["significant"]
    assert informative["diff_mean"] > 0.1  # MAE of log10(S/cm) rises by more than 0.1
    noise = df.loc["without measurement"]
    assert not noise["significant"] and noise["p_corrected"] > 0.05
    # the correction only ever widens the interval: corrected p >= naive paired-t p
    rest = df.drop(index="all descriptors")
    assert (rest["p_corrected"] >= rest["p_ttest"]).all()
    long = res.fold_scores()
    assert len(long) == 5 * 15 and set(long.columns) == {"variant", "split", "score", "diff"}


def test_only_variants_r2_direction_and_determinism():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 4))
    y = 2 * X[:, 0] + X[:, 1] + 0.3 * rng.normal(size=150)
    cats = ["composition", "structure", "interface", "interface"]
    res = run_ablation(LinearRegression(), X, y, cats, scoring="r2", only=True, random_state=3)
    assert res.greater_is_better
    df = res.to_frame().set_index("variant")
    assert {"only composition", "only structure", "only interface"} <= set(df.index)
    assert df.loc["without composition", "worse"] and df.loc["without composition", "diff_mean"] < 0
    assert df.loc["only composition", "n_features"] == 1
    again = run_ablation(LinearRegression(), X, y, cats, scoring="r2", only=True, random_state=3)
    np.testing.assert_array_equal(res.scores, again.scores)
    assert again.to_dict()["variants"][0]["variant"] == "all descriptors"


def test_corrected_ttest_reduces_to_paired_t_without_overlap():
    d = np.array([0.1, 0.3, -0.05, 0.2, 0.15, 0.12])
    t, p = corrected_resampled_ttest(d, n_train=1e12, n_test=1.0)
    ref = stats.ttest_1samp(d, 0.0)
    assert t == pytest.approx(ref.statistic) and p == pytest.approx(ref.pvalue)
    t2, p2 = corrected_resampled_ttest(d, n_train=80, n_test=20)
    assert abs(t2) < abs(t) and p2 > p
    assert corrected_resampled_ttest(np.zeros(5), 80, 20) == (0.0, 1.0)


def test_errors_say_what_to_do():
    X = np.zeros((20, 2))
    y = np.arange(20.0)
    with pytest.raises(ParameterError, match="categories for 2 columns"):
        run_ablation(LinearRegression(), X, y, ["composition"])
    with pytest.raises(ParameterError, match="repeated k-fold"):
        run_ablation(LinearRegression(), X, y, ["a", "b"], cv=_OneSplit())
    assert run_ablation(LinearRegression(), X, y, {"x0": "structure"}, cv=KFold(2)).variants == [
        "all descriptors",
        "without structure",
        "without other",
    ]


class _OneSplit:
    def split(self, X, y=None, groups=None):
        yield np.arange(10), np.arange(10, 20)
