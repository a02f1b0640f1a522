"""run_study on real OBELiX rows: models on the same folds, importance by category, ablation, report files."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from matinfo.features import ElementStats, NumericColumns, TableFeatures
from matinfo.learn import run_study
from tests.conftest import shared_data

TARGET = "Ionic conductivity (S cm-1)"
STRUCT = ["a", "b", "c", "Space group #"]


@pytest.fixture(scope="module")
def study():
    df = pd.read_csv(shared_data("obelix", "obelix_train.csv"))
    feat = TableFeatures(
        [
            (ElementStats(stats=["mean", "range"]), "Reduced Composition"),
            (NumericColumns(columns=STRUCT, category="structure"), None),
        ]
    )
    return run_study(
        df,
        TARGET,
        featurizer=feat,
        input_columns=["Reduced Composition", *STRUCT],
        models=["lgbm", "random_forest"],
        model_params={"lgbm": {"n_estimators": 60}, "random_forest": {"n_estimators": 60}},
        group_col="Family",
        log_target=True,
        ablation_repeats=2,
        analysis_model="random_forest",
    )


def test_models_share_folds_and_are_compared(study):
    a, b = study.oof["lgbm"], study.oof["random_forest"]
    assert (a["fold"] == b["fold"]).all() and (a["y"] == b["y"]).all()
    frame = study.metrics_frame()
    assert list(frame["model"]) == ["lgbm", "random_forest"] and (frame["mae"] > 0).all()
    assert study.split == "GroupKFold(5) by Family" and study.n_rows == 449


def test_importance_and_ablation_cover_both_categories(study):
    shares = study.importance.by_category()
    assert set(shares.index) == {"composition", "structure"} and abs(shares["share"].sum() - 1) < 1e-9
    variants = study.ablation.to_frame()
    assert {"without composition", "without structure"} <= set(variants["variant"])
    assert variants["p_corrected"].dropna().between(0, 1).all()


def test_report_writes_tables_figures_and_summary(study, tmp_path):
    out = study.report(tmp_path / "report")
    names = {p.name for p in out.iterdir()}
    assert {
        "metrics.csv",
        "study.json",
        "report.md",
        "importance.png",
        "importance.html",
        "ablation.png",
    } <= names
    assert {"parity_lgbm.png", "parity_random_forest.html", "cv_predictions_lgbm.csv"} <= names
    data = json.loads((out / "study.json").read_text())
    assert data["analysis_model"] == "random_forest" and data["censored"]["n_censored"] == 29
    assert "importance by category (random_forest)" in (out / "report.md").read_text()
