"""fit_model on real OBELiX data: censored targets, grouped CV, uncertainty, card, save/load reproduces exactly."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from matinfo.errors import ImportDataError, StoreError
from matinfo.features import ElementFraction
from matinfo.learn import fit_model, load_model, predict_table, read_target
from tests.conftest import shared_data

TARGET = "Ionic conductivity (S cm-1)"


@pytest.fixture(scope="module")
def obelix() -> pd.DataFrame:
    return pd.read_csv(shared_data("obelix", "obelix_train.csv"))


@pytest.fixture(scope="module")
def fitted(obelix):
    return fit_model(
        obelix,
        TARGET,
        composition_col="Reduced Composition",
        featurizer=ElementFraction(max_z=94),
        model="random_forest",
        model_params={"n_estimators": 60},
        group_col="Family",
        log_target=True,
    )


def test_censored_targets_are_handled_explicitly(obelix):
    y, keep, task, rep = read_target(obelix, TARGET, censored="drop", log_target=True)
    assert task == "regression" and rep["n_censored"] == 29 and keep.sum() == 449
    y2, keep2, _, rep2 = read_target(obelix, TARGET, censored="bound", log_target=True)
    assert keep2.sum() == 478 and rep2["policy"] == "bound"
    censored_rows = keep2 & ~keep
    assert set(np.round(y2[censored_rows])) <= {-10.0, -8.0}  # '<1E-10' → -10 decades, taken at the bound


def test_bad_target_cells_name_the_row():
    df = pd.DataFrame({"formula": ["LiCl", "NaCl"], "y": ["1e-3", "fast"]})
    with pytest.raises(ImportDataError, match="row 1.*'fast'"):
        read_target(df, "y")
    with pytest.raises(ImportDataError, match="no target column 'z'"):
        read_target(df, "z")


def test_grouped_cv_keeps_families_apart_and_card_says_so(fitted, obelix):
    card = fitted.card
    assert card.split["description"] == "GroupKFold(5) by Family" and card.n_train == 449
    assert card.target_transform == "log10" and card.censored["n_censored"] == 29
    assert card.uncertainty == "native std of random_forest"
    fam = obelix.loc[read_target(obelix, TARGET, log_target=True)[1], "Family"].astype(str).to_numpy()
    for k in range(5):
        test = fitted.oof["fold"].to_numpy() == k
        assert not set(fam[test]) & set(fam[~test])
    m = card.metrics["cv_mean"]
    assert 0.5 < m["mae"] < 3.0 and m["spearman"] > 0.3  # log10 S/cm across families: hard but not random
    assert 0.4 < card.metrics["coverage"]["coverage_68"] <= 1.0
    assert card.feature_categories == ["composition"] * len(card.feature_names)
    assert len(card.data_hash) == 64 and card.versions["scikit-learn"]


def test_save_load_reproduces_predictions_exactly(fitted, obelix, tmp_path):
    out = fitted.save(tmp_path / "model")
    pipe, card = load_model(out)
    a = predict_table(fitted.pipeline, fitted.card, obelix.head(20))
    b = predict_table(pipe, card, obelix.head(20))
    assert np.array_equal(a["prediction"], b["prediction"]) and np.array_equal(
        a["uncertainty"], b["uncertainty"]
    )
    assert np.allclose(b["prediction_linear"], 10 ** b["prediction"])
    # a tampered check row is detected
    data = json.loads((out / "card.json").read_text())
    data["check_predictions"][0] += 1e-9
    (out / "card.json").write_text(json.dumps(data))
    with pytest.raises(StoreError, match="does not reproduce"):
        load_model(out)


def test_same_seed_same_model(obelix):
    kw = dict(
        composition_col="Reduced Composition",
        featurizer=ElementFraction(max_z=94),
        model="lgbm",
        model_params={"n_estimators": 40},
        log_target=True,
        cv=3,
    )
    a, b = fit_model(obelix, TARGET, **kw), fit_model(obelix, TARGET, **kw)
    assert a.card.metrics["cv_mean"] == b.card.metrics["cv_mean"] and a.card.data_hash == b.card.data_hash


def test_classification_task_is_detected(obelix):
    df = obelix.assign(fast=(obelix[TARGET].map(lambda v: str(v)[0] != "<" and float(v) > 1e-4)).astype(int))
    res = fit_model(
        df,
        "fast",
        composition_col="Reduced Composition",
        featurizer=ElementFraction(max_z=94),
        model="random_forest",
        model_params={"n_estimators": 60},
        cv=3,
    )
    assert res.card.task == "classification" and res.card.metrics["cv_mean"]["roc_auc"] > 0.7
    pred = predict_table(res.pipeline, res.card, df.head(5))
    assert pred["prediction"].between(0, 1).all()
