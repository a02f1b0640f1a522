"""ExhaustiveSearch (ES-LiR): the planted subset wins, the fast CV equals sklearn's, errors say what to do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold, cross_val_score

from matinfo.errors import ParameterError
from matinfo.learn import ExhaustiveSearch
from tests.conftest import shared_data

PLANTED = {0: 1.5, 4: -0.8, 9: 0.6}  # column position -> coefficient (in raw units of the column)


@pytest.fixture(scope="module")
def descriptors() -> pd.DataFrame:
    """14 real, not-too-collinear composition descriptors of 300 Matbench expt_gap compositions."""
    comps = pd.read_csv(shared_data("matbench_v0.1", "matbench_expt_gap.csv")).sample(300, random_state=0)
    comps = comps["composition"].reset_index(drop=True)
    try:
        from matinfo.features import ElementStats

        X = ElementStats(preset="magpie").set_output(transform="pandas").fit_transform(comps)
        X = X[[c for c in X.columns if " mean " in c or " range " in c]]
    except ImportError:  # ElementStats not there yet: element fractions of the commonest elements
        from matinfo.features import ElementFraction

        X = ElementFraction(max_z=94).set_output(transform="pandas").fit_transform(comps)
    X = X.loc[:, X.std() > 1e-9]
    keep: list[str] = []
    for c in X.columns:  # greedy: skip columns that nearly duplicate a kept one
        if all(abs(np.corrcoef(X[c], X[k])[0, 1]) < 0.9 for k in keep):
            keep.append(c)
        if len(keep) == 14:
            break
    assert len(keep) == 14
    return X[keep]


def _planted_y(X: pd.DataFrame, seed: int) -> np.ndarray:
    Z = ((X - X.mean()) / X.std(ddof=0)).to_numpy()
    signal = sum(a * Z[:, j] for j, a in PLANTED.items())
    return signal + 0.02 * np.random.default_rng(seed).normal(size=len(Z))


@pytest.fixture(scope="module")
def planted(descriptors):
    return descriptors, _planted_y(descriptors, 1)


@pytest.fixture(scope="module")
def fitted(planted):
    X, y = planted
    return ExhaustiveSearch(top_n=50, select="1se", random_state=0).fit(X, y)


def test_planted_subset_is_found_and_weights_are_recovered(fitted, planted):
    X, y = planted
    names = list(X.columns)
    want = tuple(names[j] for j in sorted(PLANTED))
    res = fitted.results_
    assert res.n_subsets == 2**14 - 1
    # the one-standard-error rule picks exactly the planted three ...
    assert fitted.best_subset_ == want
    # ... which are rank 1 among all subsets of up to 3 descriptors, and in every one of the 10 best overall
    small = np.flatnonzero(res.sizes <= 3)
    assert res.masks[small[np.argmin(res.errors[small])]] == sum(1 << j for j in PLANTED)
    freq = fitted.inclusion_frequency(top=10)
    assert (freq[list(want)] == 1.0).all() and freq.drop(list(want)).max() < 1.0
    top = res.to_frame()
    assert top["rank"].iloc[0] == 1 and top["cv_error"].iloc[:50].is_monotonic_increasing
    best = top.loc[top["rank"] == fitted.best_rank_].iloc[0]
    assert best["size"] == 3 and best["cv_error"] <= top["cv_error"].iloc[0] + top["cv_se"].iloc[0]
    # y was built from z-scored columns, so the standardized weights are the planted coefficients
    w = res.weights().loc[fitted.best_rank_]
    for j, a in PLANTED.items():
        assert w[names[j]] == pytest.approx(a, abs=0.01)
    assert w.isna().sum() == len(names) - 3
    assert best["intercept"] == pytest.approx(y.mean())
    # the CV RMSE is the noise level, and the refitted estimator predicts with it
    assert best["cv_error"] == pytest.approx(0.02, rel=0.2)
    assert np.sqrt(np.mean((fitted.predict(X) - y) ** 2)) < 0.025
    np.testing.assert_allclose(fitted.predict(X), fitted.predict(X.to_numpy()))
    assert res.error_dos(20)[0].sum() == res.n_subsets
    d = res.to_dict()
    assert d["top"][0]["members"] == list(top["members"].iloc[0]) and d["n_subsets"] == res.n_subsets


@pytest.mark.parametrize("seed", [0, 2, 3])
def test_one_se_rule_finds_the_planted_subset_for_other_noise(descriptors, seed):
    """The plain minimum often picks a superset (useless columns fit noise by chance); 1-SE does not."""
    es = ExhaustiveSearch(k_max=5, top_n=20, select="1se").fit(descriptors, _planted_y(descriptors, seed))
    assert es.best_subset_ == tuple(descriptors.columns[j] for j in sorted(PLANTED))
    assert set(es.best_subset_) <= set(
        ExhaustiveSearch(k_max=5, top_n=1).fit(descriptors, _planted_y(descriptors, seed)).best_subset_
    )


@pytest.mark.parametrize("scoring", ["mse", "rmse"])
def test_fast_cv_equals_sklearn_cross_val_score(planted, scoring):
    X, y = planted
    X = X.to_numpy()
    rng = np.random.default_rng(0)
    y_noisy = y + 0.5 * rng.normal(size=len(y))  # errors far from zero: a fair relative comparison
    es = ExhaustiveSearch(k_max=6, scoring=scoring, top_n=5, random_state=3).fit(X, y_noisy)
    folds = KFold(5, shuffle=True, random_state=3)
    sk_scoring = "neg_mean_squared_error" if scoring == "mse" else "neg_root_mean_squared_error"
    for subset in ([2], [0, 4, 9], [1, 3, 5, 7], [0, 2, 6, 8, 11, 13], [5, 12]):
        slow = -cross_val_score(
            LinearRegression(), X[:, subset], y_noisy, cv=folds, scoring=sk_scoring
        ).mean()
        assert es.results_.cv_error_of(subset) == pytest.approx(slow, rel=1e-8)


def test_threads_give_the_same_ranking_and_estimator_clones(planted):
    X, y = planted
    serial = ExhaustiveSearch(k_max=4, top_n=20).fit(X, y)
    threaded = clone(serial).set_params(n_jobs=2).fit(X, y)
    np.testing.assert_allclose(serial.results_.errors, threaded.results_.errors, rtol=1e-12)
    assert serial.results_.top["members"].tolist() == threaded.results_.top["members"].tolist()
    assert clone(serial).get_params()["k_max"] == 4


def test_raw_coefficients_and_gp_rescoring(planted):
    X, y = planted
    X6 = X.iloc[:80, :5]
    y6 = y[:80]
    raw = ExhaustiveSearch(standardize=False, top_n=3).fit(X6, y6)
    lin = raw.best_estimator_
    got = pd.Series(lin.coef_, index=raw.best_subset_)
    for name in raw.best_subset_:
        assert raw.results_.weights(1).iloc[0][name] == pytest.approx(got[name], rel=1e-6)
    gp = ExhaustiveSearch(model="gp", top_n=2).fit(X6, y6)
    top = gp.results_.top
    assert {"cv_error", "cv_error_linear"} <= set(top.columns) and top["cv_error"].is_monotonic_increasing
    assert gp.predict(X6).shape == (80,)


def test_error_messages_say_what_to_do(descriptors):
    X = descriptors.iloc[:60].copy()
    y = np.arange(60.0)
    big = pd.DataFrame(np.random.default_rng(0).normal(size=(60, 25)))
    with pytest.raises(ParameterError, match=r"33,554,431 subsets.*k_max=\d"):
        ExhaustiveSearch().fit(big, y)
    with pytest.raises(ParameterError, match="constant column.*drop"):
        ExhaustiveSearch().fit(X.assign(flat=1.0), y)
    with pytest.raises(ParameterError, match="duplicate.*keep one"):
        ExhaustiveSearch().fit(X.assign(copy=2 * X.iloc[:, 0] + 1), y)
    bad = X.copy()
    bad.iloc[3, 2] = np.nan
    with pytest.raises(ParameterError, match=rf"{X.columns[2]}.*1 rows.*impute"):
        ExhaustiveSearch().fit(bad, y)
    with pytest.raises(ParameterError, match="k_max"):
        ExhaustiveSearch(k_max=30).fit(X, y)
    with pytest.raises(ValueError, match="not fitted"):
        ExhaustiveSearch().predict(X)
