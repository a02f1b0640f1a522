"""The Matbench runner on Matbench-format files: official-fold protocol, metrics, any task, clear errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from matinfo.errors import ImportDataError
from matinfo.learn.matbench import Recipe, load_task, run_matbench
from tests.cli.test_db_cli import run
from tests.conftest import shared_data


def _subset(tmp_path, task: str, n: int, name: str) -> None:
    """A smaller task in Matbench format: the first n rows of a real task and their official folds."""
    src = shared_data("matbench_v0.1")
    data = pd.read_csv(src / f"matbench_{task}.csv").sample(n, random_state=0)
    folds = pd.read_csv(src / f"matbench_{task}_folds.csv").set_index("mbid").loc[data["mbid"]].reset_index()
    data.to_csv(tmp_path / f"{name}.csv", index=False)
    folds.to_csv(tmp_path / f"{name}_folds.csv", index=False)


def _small(kind: str, n_jobs: int):
    from sklearn.pipeline import Pipeline

    from matinfo.features import ElementFraction
    from matinfo.learn import make_model

    return Pipeline(
        [("features", ElementFraction()), ("model", make_model("random_forest", kind, n_estimators=40))]
    )


SMALL = Recipe("small", "element fractions -> 40-tree random forest", _small)


def test_official_folds_regression(tmp_path):
    _subset(tmp_path, "expt_gap", 400, "gap_small")
    task = load_task(tmp_path, "gap_small")
    assert task.task == "regression" and task.metric == "mae" and set(task.folds) == {0, 1, 2, 3, 4}
    res = run_matbench("gap_small", tmp_path, recipe=SMALL, n_jobs=1)
    assert len(res["folds"]) == 5 and res["metric"] == "mae"
    assert res["mean"] == pytest.approx(np.mean([f["mae"] for f in res["folds"]]))
    assert sum(f["n"] for f in res["folds"]) == 400  # every row is tested exactly once
    assert 0.1 < res["mean"] < 1.5 and res["versions"]["scikit-learn"]


def test_classification_reports_probability_and_label_aucs(tmp_path):
    _subset(tmp_path, "glass", 400, "matbench_glass_small")
    res = run_matbench("glass_small", tmp_path, recipe=SMALL, n_jobs=1, folds=[0, 1])
    assert res["task_type"] == "classification" and [f["fold"] for f in res["folds"]] == [0, 1]
    for f in res["folds"]:
        assert 0.5 < f["roc_auc"] <= 1 and 0.4 < f["roc_auc_labels_prior"] <= 1


def test_default_recipe_through_the_cli(tmp_path):
    _subset(tmp_path, "expt_gap", 300, "matbench_gap300")
    out = tmp_path / "r.json"
    run(
        "bench",
        "matbench",
        "--task",
        "gap300",
        "--data-dir",
        str(tmp_path),
        "--out",
        str(out),
        "--fold",
        "0",
        "--n-jobs",
        "1",
    )
    res = json.loads(out.read_text())
    assert (
        res["task"] == "gap300"
        and res["recipe"]["name"] == "default"
        and "hurdle" in res["recipe"]["description"]
    )
    assert res["folds"][0]["mae"] < 1.5


def test_missing_task_lists_what_is_there(tmp_path):
    _subset(tmp_path, "expt_gap", 50, "matbench_tiny")
    with pytest.raises(ImportDataError, match="tasks there: tiny"):
        load_task(tmp_path, "nope")
