"""`matinfo campaign new | suggest | observe | status | history | plot | list | cancel` (the CLI contract)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.cli.test_db_cli import run
from tests.conftest import shared_data


@pytest.fixture
def candidates(tmp_path):
    """300 translations of the Cu Σ5 (210) boundary (real energies), with a cost column."""
    df = pd.read_csv(shared_data("cu_sigma5_gb", "s5-210.csv"))
    df = df[np.isclose(df["gb"], 1.2)].iloc[::10].reset_index(drop=True)
    df.insert(0, "id", [f"gb{i}" for i in range(len(df))])
    df["cost"] = np.where(df["dx"] > 4, 2.0, 1.0)
    path = tmp_path / "cands.csv"
    df.to_csv(path, index=False)
    return path, df.set_index("id")["gb_energy"]


def _json(*args):
    return json.loads(run(*args, "--format", "json").stdout)


@pytest.mark.slow
def test_campaign_round_trip(db_url, tmp_path, candidates):
    path, energy = candidates
    db = ("--db", db_url)
    status = _json(
        "campaign",
        "new",
        "gb",
        "--candidates",
        str(path),
        "--features",
        "dx,dz",
        "--id-col",
        "id",
        "--target",
        "gb_energy",
        "--minimize",
        "--cost-col",
        "cost",
        "--seed",
        "3",
        "--n-initial",
        "2",
        *db,
    )
    assert status["space"]["n_candidates"] == 300 and status["goal"] == "minimize" and status["observed"] == 0

    sheet = tmp_path / "todo.csv"
    sug = _json("campaign", "suggest", "gb", "-n", "3", "--out", str(sheet), *db)
    assert [s["strategy"] for s in sug] == ["random"] * 3  # no results yet: nothing to model
    todo = pd.read_csv(sheet)
    assert list(todo["id"]) == [s["id"] for s in sug] and todo["gb_energy"].isna().all()
    todo["gb_energy"] = energy.loc[todo["id"]].to_numpy()
    todo.loc[2, "gb_energy"] = np.nan
    todo["failed"] = ["", "", "yes"]
    todo["reason"] = ["", "", "sample cracked"]
    todo.to_csv(sheet, index=False)
    out = _json("campaign", "observe", "gb", str(sheet), *db)
    assert out["observed"] == 2 and out["failed"] == 1 and out["status"]["pending"] == []
    assert out["status"]["best"]["value"] == pytest.approx(energy.loc[todo["id"][:2]].min())

    (nxt,) = _json("campaign", "suggest", "gb", *db)
    assert nxt["strategy"] == "model" and nxt["predicted"] > 0.9 and nxt["id"] not in set(todo["id"])
    bad = run("campaign", "observe", "gb", str(sheet), *db, check=False)  # the same results again
    assert bad.returncode == 2 and "already has a result" in bad.stderr
    hist = _json("campaign", "history", "gb", *db)
    assert [h["kind"] for h in hist] == ["observation", "observation", "failure"] and hist[2][
        "reason"
    ] == "sample cracked"

    stem = tmp_path / "fig"
    files = _json("campaign", "plot", "gb", "--out", str(stem), *db)
    assert (tmp_path / "fig.png").stat().st_size > 10_000 and files["html"].endswith("fig.html")
    rows = _json("campaign", "list", *db)
    assert rows[0]["name"] == "gb" and rows[0]["events"] == 4


@pytest.mark.slow
def test_bad_input_is_a_clear_error_and_records_nothing(tmp_path, candidates):
    path, energy = candidates
    url = f"sqlite:///{tmp_path / 'c.db'}"
    empty = tmp_path / "empty.csv"
    pd.read_csv(path).head(0).to_csv(empty, index=False)
    p = run(
        "campaign",
        "new",
        "x",
        "--candidates",
        str(empty),
        "--features",
        "dx,dz",
        "--target",
        "e",
        "--db",
        url,
        check=False,
    )
    assert p.returncode == 2 and "candidate pool" in p.stderr and "is empty" in p.stderr

    run(
        "campaign",
        "new",
        "gb",
        "--candidates",
        str(path),
        "--features",
        "dx,dz",
        "--id-col",
        "id",
        "--target",
        "gb_energy",
        "--db",
        url,
    )
    sug = _json("campaign", "suggest", "gb", "-n", "2", "--db", url)
    results = tmp_path / "r.csv"
    pd.DataFrame({"id": [sug[0]["id"], "gb9999"], "gb_energy": [0.97, 0.98]}).to_csv(results, index=False)
    p = run("campaign", "observe", "gb", str(results), "--db", url, check=False)
    assert p.returncode == 2 and "candidate 'gb9999' is not in the space" in p.stderr
    pd.DataFrame({"id": [s["id"] for s in sug], "gb_energy": [0.97, None]}).to_csv(results, index=False)
    p = run("campaign", "observe", "gb", str(results), "--db", url, check=False)
    assert p.returncode == 2 and "not a finite number" in p.stderr and "failed" in p.stderr
    st = _json("campaign", "status", "gb", "--db", url)
    assert st["observed"] == 0 and st["events"] == 1 and sorted(st["pending"]) == sorted(s["id"] for s in sug)
    assert _json("campaign", "cancel", "gb", "--db", url)["cancelled"] == [s["id"] for s in sug]


def test_parameter_campaign_from_a_toml_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    spec = tmp_path / "params.toml"
    spec.write_text(
        '[[param]]\nname = "substrate_temperature"\ntype = "real"\nlow = 400\nhigh = 900\nunit = "K"\n'
        '[[param]]\nname = "atmosphere"\ntype = "categorical"\nchoices = ["Ar", "O2"]\n'
    )
    run("campaign", "new", "film", "--params", str(spec), "--target", "mobility", "--maximize", "--db", url)
    sug = _json("campaign", "suggest", "film", "-n", "2", "--db", url)
    assert [s["id"] for s in sug] == ["s1.1", "s1.2"] and all(
        400 <= s["substrate_temperature"] <= 900 for s in sug
    )
    results = tmp_path / "r.csv"
    pd.DataFrame({"substrate_temperature": [950.0], "atmosphere": ["Ar"], "mobility": [12.0]}).to_csv(
        results, index=False
    )
    p = run("campaign", "observe", "film", str(results), "--db", url, check=False)
    assert (
        p.returncode == 2
        and "value 950 of 'substrate_temperature' is outside the space [400, 900] K" in p.stderr
    )
