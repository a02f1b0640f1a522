"""`matinfo featurize`: CSV and database search in, CSV / Parquet out, categories and bad rows reported."""

from __future__ import annotations

import pandas as pd

from tests.cli.test_db_cli import CSV, MAPPING, run
from tests.conftest import shared_data


def test_featurize_csv_to_parquet_keeps_input_columns(tmp_path):
    src = shared_data("matbench_v0.1", "matbench_expt_gap.csv")
    out = tmp_path / "gap.parquet"
    p = run("featurize", str(src), "-f", "element_fraction", "--out", str(out))
    table = pd.read_parquet(out)
    assert table.shape == (4604, 3 + 118)
    assert list(table.columns[:3]) == ["mbid", "composition", "gap expt"]
    assert "composition 118" in p.stdout
    assert (
        abs(table.loc[table["composition"] == "Li2O", "Li"].iloc[0] - 2 / 3) < 1e-12
        if (table["composition"] == "Li2O").any()
        else True
    )


def test_bad_rows_stop_or_are_reported(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"formula": ["LiNbO3", "Xx2O3", "Fe2O3"], "y": [1, 2, 3]}).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    p = run("featurize", str(src), "-f", "element_fraction", "--out", str(out), check=False)
    assert (
        p.returncode == 2 and "row 1" in p.stderr and "'Xx2O3'" in p.stderr and "unknown element" in p.stderr
    )
    assert not out.exists()  # nothing half-written
    p = run("featurize", str(src), "-f", "element_fraction", "--on-error", "nan", "--out", str(out))
    table = pd.read_csv(out)
    assert table["Li"].isna().tolist() == [False, True, False]
    assert "1 of 3 rows could not be featurized" in p.stdout


def test_unknown_featurizer_and_missing_column_are_explained(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"name": ["LiNbO3"]}).to_csv(src, index=False)
    p = run("featurize", str(src), "-f", "magic", "--out", str(tmp_path / "o.csv"), check=False)
    assert p.returncode == 2 and "unknown featurizer 'magic'" in p.stderr and "element_fraction" in p.stderr
    p = run("featurize", str(src), "-f", "element_fraction", "--out", str(tmp_path / "o.csv"), check=False)
    assert p.returncode == 2 and "no input column" in p.stderr and "--column" in p.stderr
    p = run(
        "featurize",
        str(src),
        "-f",
        "element_fraction:max_z=200",
        "--column",
        "name",
        "--out",
        str(tmp_path / "o.csv"),
        check=False,
    )
    assert p.returncode == 2 and "max_z=200" in p.stderr


def test_featurize_a_database_search(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    run("db", "init", "--db", url)
    run("db", "import", str(CSV), "--mapping", str(MAPPING), "--db", url)
    out = tmp_path / "li.csv"
    p = run(
        "featurize", "--db", url, "--elements", "Li", "-f", "element_fraction:max_z=103", "--out", str(out)
    )
    table = pd.read_csv(out)
    assert len(table) > 0 and (table["Li"] > 0).all() and "material_id" in table.columns
    assert "composition 103" in p.stdout


def test_column_syntax_features_two_columns_with_prefixes(tmp_path):
    src = tmp_path / "pairs.csv"
    pd.DataFrame({"film": ["Al2O3", "TiN"], "substrate": ["Si", "MgO"]}).to_csv(src, index=False)
    out = tmp_path / "o.csv"
    run(
        "featurize",
        str(src),
        "-f",
        "element_fraction@film",
        "-f",
        "element_fraction@substrate",
        "--out",
        str(out),
    )
    table = pd.read_csv(out)
    assert table["film: Al"].round(2).tolist() == [0.4, 0.0]
    assert table["substrate: Mg"].round(2).tolist() == [0.0, 0.5]
    p = run("featurize", str(src), "-f", "element_fraction@nope", "--out", str(out), check=False)
    assert p.returncode == 2 and "no column 'nope'" in p.stderr
