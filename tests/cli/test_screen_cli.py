"""`matinfo screen run` (the CLI contract): hits.csv and overlap.json from saved models, clear errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.cli.test_db_cli import run
from tests.screen._models import train_models


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory):
    return [str(p) for p in train_models(tmp_path_factory.mktemp("models")).values()]


def test_screen_run_writes_hits_and_overlap(model_dirs, tmp_path):
    out = tmp_path / "screen"
    p = run(
        "screen", "run", "--models", *model_dirs, "--candidates", "grid:Bi-Sb-Te-Se:step=0.05",
        "--set", "Temperature (K)=300", "--top", "20", "--depth", "20", "--out", str(out), "--exclude-elements", "Se",
    )  # fmt: skip
    assert "top 20 of 3 models (lgbm, svm, gp)" in p.stdout and "231 compositions" not in p.stdout
    doc = json.loads((out / "overlap.json").read_text())
    assert doc["models"] == ["lgbm", "svm", "gp"] and doc["sizes"] == {"lgbm": 20, "svm": 20, "gp": 20}
    assert doc["in_all"] >= 0 and doc["in_at_least"]["2"] >= doc["in_all"]
    assert doc["candidates"]["read"] == 1771 and doc["candidates"]["removed_by_filters"] == {
        "elements: without Se": 1540
    }
    hits = pd.read_csv(out / "hits.csv")
    assert len(hits) == doc["union"] and not hits["candidate"].str.contains("Se").any()
    # depth = top: a hit outside a model's list has no rank there (printed and written as blank)
    ranks = hits[[f"{n}_rank" for n in doc["models"]]]
    assert ranks.isna().any().any() == (doc["union"] > 20) and ranks.max().max() <= 20
    assert (hits.groupby("n_models").size().loc[3] if 3 in set(hits["n_models"]) else 0) == doc["in_all"]
    assert (out / "overlap.png").stat().st_size > 10_000 and (out / "overlap.html").exists()
    # the same with repeated --models, JSON on stdout, the GP's uncertainty, no figure
    p = run(
        "screen", "run", "-m", model_dirs[0], "-m", model_dirs[2], "-c", "pairs:Bi,Si,Ge,Bi2Te3,PbTe:unordered",
        "--set", "Temperature (K)=300", "--map", "formula=A", "--top", "3", "--out", str(tmp_path / "pairs"),
        "--format", "json", "--no-figure", "--uncertainty",
    )  # fmt: skip
    doc = json.loads(p.stdout)
    assert doc["models"] == ["lgbm", "gp"] and doc["candidates"]["read"] == 10
    assert "gp_log10_std" in pd.read_csv(tmp_path / "pairs" / "hits.csv").columns
    assert not (tmp_path / "pairs" / "overlap.png").exists()


def test_screen_write_back(model_dirs, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    p = run(
        "screen", "run", "--models", *model_dirs, "--candidates", "grid:Bi-Te:step=0.1", "--set",
        "Temperature (K)=300", "--top", "2", "--out", str(tmp_path / "o"), "--write-back", "--db", url, "--no-figure",
    )  # fmt: skip
    assert "stored" in p.stdout and "predictions" in p.stdout
    from matinfo.store import connect

    assert connect(url).stats()["properties"] == 3 * len(pd.read_csv(tmp_path / "o" / "hits.csv"))


def test_screen_errors_are_clear(model_dirs, tmp_path):
    out = str(tmp_path / "o")
    p = run(
        "screen",
        "run",
        "--models",
        str(tmp_path),
        "--candidates",
        "grid:Bi-Te:step=0.5",
        "--out",
        out,
        check=False,
    )
    assert p.returncode == 2 and "not a saved matinfo model" in p.stderr
    p = run(
        "screen",
        "run",
        "--models",
        model_dirs[0],
        "--candidates",
        "grid:Bi-Te:step=0.5",
        "--out",
        out,
        check=False,
    )
    assert p.returncode == 2 and "reads column 'Temperature (K)'" in p.stderr and "--set" in p.stderr
    p = run(
        "screen", "run", "--models", model_dirs[0], "--candidates", "grid:Bi-Te:step=0.5", "--set",
        "Temperature (K)=300", "--top", "0", "--out", out, check=False,
    )  # fmt: skip
    assert p.returncode == 2 and "top=0" in p.stderr
