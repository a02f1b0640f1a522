"""`matinfo model fit | predict | evaluate` on real data (the CLI contract)."""

from __future__ import annotations

import json

import pandas as pd

from tests.cli.test_db_cli import run
from tests.conftest import shared_data


def test_fit_predict_evaluate_round_trip(tmp_path):
    src = shared_data("matbench_v0.1", "matbench_expt_gap.csv")
    df = (
        pd.read_csv(src)
        .sample(400, random_state=1)
        .rename(columns={"composition": "formula", "gap expt": "gap"})
    )
    train, new = tmp_path / "train.csv", tmp_path / "new.csv"
    df.iloc[:300].to_csv(train, index=False)
    df.iloc[300:].drop(columns=["gap"]).to_csv(new, index=False)
    out = tmp_path / "model"
    p = run(
        "model",
        "fit",
        str(train),
        "--target",
        "gap",
        "--model",
        "random_forest",
        "--out",
        str(out),
        "--cv",
        "3",
    )
    assert "random_forest (regression) for 'gap' on 300 rows" in p.stdout and "within ±1σ" in p.stdout
    card = json.loads((out / "card.json").read_text())
    assert card["split"]["description"].startswith("KFold(3") and card["input_columns"] == ["formula"]
    assert (out / "cv_predictions.csv").exists()
    pred_path = tmp_path / "pred.csv"
    run("model", "predict", str(out), str(new), "--out", str(pred_path))
    pred = pd.read_csv(pred_path)
    assert len(pred) == 100 and {"prediction", "uncertainty"} <= set(pred.columns)
    assert (pred["uncertainty"] >= 0).all() and pred["uncertainty"].mean() > 0.1
    labelled = tmp_path / "labelled.csv"
    df.iloc[300:].to_csv(labelled, index=False)
    metrics = json.loads(run("model", "evaluate", str(out), str(labelled), "--json").stdout)
    assert metrics["n"] == 100 and metrics["mae"] < 1.5


def test_model_errors_are_clear(tmp_path):
    src = tmp_path / "d.csv"
    pd.DataFrame({"formula": ["LiCl", "NaCl", "KCl"], "y": [1, 2, 3]}).to_csv(src, index=False)
    p = run("model", "fit", str(src), "--target", "nope", "--out", str(tmp_path / "m"), check=False)
    assert p.returncode == 2 and "no target column 'nope'" in p.stderr
    p = run(
        "model", "fit", str(src), "--target", "y", "--model", "xgb", "--out", str(tmp_path / "m"), check=False
    )
    assert p.returncode == 2 and "unknown model 'xgb'" in p.stderr
    p = run(
        "model", "predict", str(tmp_path / "missing"), str(src), "--out", str(tmp_path / "p.csv"), check=False
    )
    assert p.returncode == 2 and "not a saved matinfo model" in p.stderr
