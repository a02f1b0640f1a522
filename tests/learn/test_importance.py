"""Importance by descriptor category on real data (OBELiX Li-ion conductivities)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import KFold

from matinfo.errors import ParameterError
from matinfo.learn import (
    Importance,
    compare_top_k,
    cv_importance,
    feature_categories,
    make_model,
    permutation_importance_by_category,
    shap_importance_by_category,
    tree_shap,
)
from tests.conftest import shared_data

STRUCTURE_COLUMNS = ["space group number", "a", "b", "c", "cell volume", "Z", "volume per formula unit"]


def log10_conductivity(values: pd.Series) -> pd.Series:
    """log10 of a conductivity column in S/cm.  Censored entries such as ``"<1E-10"`` are an upper bound, not a
    value: they become NaN (and are dropped by the callers) rather than being replaced by the bound."""
    text = values.astype(str).str.strip()
    censored = text.str.startswith(("<", ">"))
    num = pd.to_numeric(text.where(~censored), errors="coerce")
    return np.log10(num.where(num > 0))


def _composition(formulas: pd.Series) -> pd.DataFrame:
    try:
        from matinfo.features import ElementStats

        feat = ElementStats(preset="magpie")
        keep = (" mean ", " avg_dev ")  # 44 of the 132 Magpie columns keep the tests fast
    except ImportError:  # pragma: no cover - fallback while element_stats is being written
        from matinfo.features import ElementFraction

        feat, keep = ElementFraction(max_z=94), None
    X = feat.set_output(transform="pandas").fit_transform(formulas.reset_index(drop=True))
    X = X.loc[:, X.std() > 0]
    return X if keep is None else X[[c for c in X.columns if any(k in c for k in keep)]]


def _structure(d: pd.DataFrame) -> pd.DataFrame:
    a, b, c = d["a"].to_numpy(), d["b"].to_numpy(), d["c"].to_numpy()
    ca, cb, cg = (np.cos(np.radians(d[k].to_numpy())) for k in ("alpha", "beta", "gamma"))
    vol = a * b * c * np.sqrt(1 - ca**2 - cb**2 - cg**2 + 2 * ca * cb * cg)
    cols = [d["Space group #"].to_numpy(), a, b, c, vol, d["Z"].to_numpy(), vol / d["Z"].to_numpy()]
    return pd.DataFrame(dict(zip(STRUCTURE_COLUMNS, cols, strict=True)))


@functools.cache
def obelix_table(
    target: str = "Ionic conductivity (S cm-1)",
) -> tuple[pd.DataFrame, np.ndarray, dict[str, str]]:
    """(features, log10 target, {column: category}) for the OBELiX rows where ``target`` is known (censored
    values dropped).  Composition = Magpie statistics of the reduced formula; structure = space group number,
    lattice a/b/c, cell volume, Z and volume per formula unit from the CSV."""
    df = pd.read_csv(shared_data("obelix", "obelix_train.csv"))
    y = log10_conductivity(df[target])
    d = df[y.notna()].reset_index(drop=True)
    comp, struct = _composition(d["Reduced Composition"]), _structure(d)
    X = pd.concat([comp, struct], axis=1)
    cats = {c: "composition" for c in comp.columns} | {c: "structure" for c in STRUCTURE_COLUMNS}
    return X, y.dropna().to_numpy(), cats


def planted(noise_sd: float = 0.3, n_noise: int = 1, seed: int = 0):
    """OBELiX table + a strongly predictive column (target + noise, tagged processing) + random columns
    (tagged measurement)."""
    X, y, cats = obelix_table()
    X, cats = X.copy(), dict(cats)
    rng = np.random.default_rng(seed)
    X["planted signal"] = y + noise_sd * rng.normal(size=len(y))
    cats["planted signal"] = "processing"
    for i in range(n_noise):
        X[f"planted noise {i}"] = rng.normal(size=len(y))
        cats[f"planted noise {i}"] = "measurement"
    return X, y, cats


def lgbm(**kw):
    # one thread: LightGBM's default threading is pathological on small shared machines
    return make_model("lgbm", random_state=0, n_estimators=100, n_jobs=1, **kw)


def test_censored_values_are_dropped_not_replaced():
    s = pd.Series(["<1E-10", "1e-4", None, "3.2E-3", ">1"])
    out = log10_conductivity(s)
    assert out.isna().tolist() == [True, False, True, False, True]
    assert out[1] == pytest.approx(-4.0)
    X, y, _ = obelix_table()
    assert len(X) == len(y) == 449 and np.isfinite(y).all()  # 478 rows - 29 censored


def test_feature_categories_from_every_source():
    from sklearn.pipeline import make_pipeline

    from matinfo.features import ElementFraction, TableFeatures

    ef = ElementFraction(max_z=3)
    assert feature_categories(ef) == {"H": "composition", "He": "composition", "Li": "composition"}
    tf = TableFeatures([(ElementFraction(max_z=2), "film")], prefix=True)
    assert feature_categories(tf) == {"film: H": "composition", "film: He": "composition"}
    pipe = make_pipeline(ElementFraction(max_z=2), lgbm())
    assert set(feature_categories(pipe).values()) == {"composition"}
    assert feature_categories({"a": "structure"}, ["a", "zz"]) == {"a": "structure", "zz": "other"}
    with pytest.raises(ParameterError, match="cannot read categories"):
        feature_categories(lgbm())


def test_permutation_on_obelix_planted_columns():
    X, y, cats = planted()
    imp = cv_importance(lgbm(), X, y, cats, cv=3, n_repeats=3, random_state=0)
    assert isinstance(imp, Importance) and imp.values.shape == (X.shape[1], 9)  # 3 folds x 3 repeats
    table = imp.to_frame()
    assert table.loc[0, "name"] == "planted signal" and table.loc[0, "category"] == "processing"
    noise = table.set_index("name").loc["planted noise 0"]
    assert abs(noise["mean"]) < 0.02 * table.loc[0, "mean"]  # about 0, in MAE units of log10(S/cm)
    by_cat = imp.by_category()
    assert by_cat["share"].sum() == pytest.approx(1.0)
    assert ((by_cat["share"] >= 0) & (by_cat["share"] <= 1)).all()
    assert set(by_cat.index) == {"composition", "structure", "processing", "measurement"}
    assert by_cat.index[0] == "processing" and by_cat.loc["processing", "grouped_mean"] > 1.0
    assert abs(by_cat.loc["measurement", "grouped_mean"]) < 0.02
    top = imp.top(5)
    assert len(top) == 5 and set(top["category"]) <= set(cats.values())
    d = imp.to_dict()
    assert d["method"] == "permutation" and len(d["features"]) == X.shape[1]


def test_cv_importance_is_deterministic_with_a_seed():
    X, y, cats = planted()
    X = X[STRUCTURE_COLUMNS + ["planted signal", "planted noise 0"]]
    kw = {"cv": KFold(3, shuffle=True, random_state=1), "n_repeats": 2}
    a = cv_importance(lgbm(), X, y, cats, random_state=7, **kw)
    b = cv_importance(lgbm(), X, y, cats, random_state=7, **kw)
    c = cv_importance(lgbm(), X, y, cats, random_state=8, **kw)
    np.testing.assert_array_equal(a.values, b.values)
    for g in a.group_values:
        np.testing.assert_array_equal(a.group_values[g], b.group_values[g])
    assert not np.array_equal(a.values, c.values)  # another seed shuffles differently


def test_tree_shap_is_exact_and_ranks_the_planted_column_first():
    X, y, cats = planted()
    model = lgbm().fit(X, y)
    phi = tree_shap(model, X)
    assert phi.shape == (len(X), 1, X.shape[1])
    bias = model.predict(X) - phi.sum(axis=(1, 2))
    assert np.ptp(bias) < 1e-6  # SHAP values add up to the prediction minus one constant
    imp = shap_importance_by_category(model, X, cats)
    assert imp.top(1)["name"].item() == "planted signal"
    assert imp.by_category()["share"].sum() == pytest.approx(1.0)
    # grouped SHAP of a category = mean |sum of its SHAP values| <= sum of mean |SHAP|
    for cat, row in imp.by_category().iterrows():
        assert row["grouped_mean"] <= row["sum"] + 1e-9, cat
    cv = cv_importance(lgbm(), X, y, cats, cv=3, method="shap")
    assert cv.method == "shap" and cv.values.shape[1] == 3 and cv.top(1)["name"].item() == "planted signal"
    with pytest.raises(ParameterError, match="method='permutation'"):
        cv_importance(make_model("pls"), X.fillna(0), y, cats, cv=3, method="shap")


def test_pipeline_whose_first_step_is_a_featurizer():
    from sklearn.pipeline import make_pipeline

    from matinfo.features import ElementFraction

    df = pd.read_csv(shared_data("obelix", "obelix_train.csv"))
    y = log10_conductivity(df["Ionic conductivity (S cm-1)"])
    formulas = df.loc[y.notna(), "Reduced Composition"].reset_index(drop=True)
    pipe = make_pipeline(ElementFraction(max_z=94), lgbm())
    imp = permutation_importance_by_category(
        pipe.fit(formulas, y.dropna()), formulas, y.dropna(), n_repeats=1
    )
    assert len(imp.names) == 94 and set(imp.categories) == {"composition"}
    fractions = pipe[0].transform(formulas)
    absent = imp.names[fractions.max(axis=0) == 0]  # elements in no formula: permuting zeros changes nothing
    assert (imp.to_frame().set_index("name").loc[absent, "mean"] == 0).all()
    assert imp.top(1)["name"].item() not in absent


def test_compare_top_k_ic_total_vs_bulk():
    """Grain-boundary-limited (total) vs bulk conductivity; only ~29 OBELiX rows report each, so small trees."""
    imps = []
    for target in ("IC (Total)", "IC (Bulk)"):
        X, y, cats = obelix_table(target)
        assert 20 <= len(y) <= 40
        model = lgbm(min_child_samples=3)
        imps.append(
            cv_importance(model, X, y, cats, cv=KFold(4, shuffle=True, random_state=0), method="shap")
        )
    comp = compare_top_k(*imps, k=7, labels=("total", "bulk"))
    assert comp.table.shape[0] == 7 and list(comp.table.columns[:2]) == ["rank", "total: feature"]
    assert (comp.counts.sum() == 7).all() and set(comp.counts.index) <= {"composition", "structure"}
    assert comp.summary().startswith("total: ") and " vs bulk: " in comp.summary()
    for label, imp in zip(comp.labels, imps, strict=True):
        assert comp.table[f"{label}: feature"].tolist() == imp.top(7)["name"].tolist()
    assert comp.to_dict()["k"] == 7
