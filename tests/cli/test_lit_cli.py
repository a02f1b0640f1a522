"""The CLI contract of ``matinfo lit extract FILE... --format json`` (and ``lit evaluate``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "literature" / "data"
CONTRACT = (
    "source",
    "material",
    "formula",
    "property",
    "value",
    "unit",
    "raw_value",
    "conditions",
    "sentence",
)


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, "-m", "matinfo", *args], capture_output=True, text=True, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"matinfo {' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def test_extract_json_contract_over_several_files():
    text, html = str(DATA / "garnet_note.txt"), str(DATA / "ni_fe_sofc.html")
    out = json.loads(run("lit", "extract", text, html, "--format", "json").stdout)
    assert isinstance(out, list) and out
    for rec in out:
        assert set(CONTRACT) <= set(rec)
        assert isinstance(rec["value"], float) and isinstance(rec["conditions"], dict)
    assert {r["source"] for r in out} == {text, html}
    llzo = next(r for r in out if r["material"] == "LLZO" and r["property"] == "ionic_conductivity")
    assert (llzo["formula"], llzo["value"], llzo["unit"], llzo["raw_value"]) == (
        "Li7La3Zr2O12", 0.0012, "S/cm", "1.2 × 10−3 S cm−1"
    )  # fmt: skip
    assert llzo["conditions"] == {"temperature": 298.15}
    assert llzo["sentence"].startswith("At room temperature, LLZO shows")


def test_extract_table_and_csv():
    table = run("lit", "extract", str(DATA / "garnet_note.txt")).stdout
    assert "ionic_conductivity" in table and "LLZO" in table
    lines = run("lit", "extract", str(DATA / "ni_fe_sofc.xml"), "--format", "csv").stdout.splitlines()
    assert lines[0].split(",")[:4] == ["source", "material", "formula", "property"]
    assert any("power_density" in line for line in lines[1:])


def test_missing_file_is_a_clear_error():
    p = run("lit", "extract", "no/such/paper.pdf", "--format", "json", check=False)
    assert p.returncode == 2
    assert "no/such/paper.pdf" in p.stderr and "no such file" in p.stderr


@pytest.mark.slow
def test_evaluate_prints_scores_for_both_corpora():
    from tests.conftest import shared_data

    out = json.loads(
        run("lit", "evaluate", str(shared_data("literature")), "--split", "dev", "--format", "json").stdout
    )
    assert set(out) == {"sofc_exp", "mspt"}
    assert set(out["mspt"]["value"]["exact"]) == {"tp", "fp", "fn", "precision", "recall", "f1"}
