"""``matinfo lit ingest | review | publish | overview``: papers in, reviewed records on their substances out."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from matinfo.cli.app import app

DATA = Path(__file__).resolve().parents[1] / "literature" / "data"
runner = CliRunner()


def lit(db: str, *args: str, ok: bool = True):
    res = runner.invoke(app, ["lit", *args, "--db", db])
    if ok:
        assert res.exit_code == 0, res.output + str(res.exception)
    return res


def test_ingest_review_publish_overview(tmp_path):
    db = f"sqlite:///{tmp_path / 'lit.db'}"
    paper = str(DATA / "garnet_note.txt")
    first = json.loads(lit(db, "ingest", paper, "--format", "json").output)
    assert first[0]["queued"] == first[0]["extracted"] > 0
    again = json.loads(lit(db, "ingest", paper, "--format", "json").output)
    assert again[0]["queued"] == 0 and again[0]["already_queued"] == first[0]["queued"]

    drafts = json.loads(lit(db, "review", "--format", "json").output)
    by_material = {(d["data"]["material"], d["data"]["property"]): d["id"] for d in drafts}
    llzo = by_material[("LLZO", "ionic_conductivity")]
    lzp = by_material[("LiTi2(PO4)3", "ionic_conductivity")]
    lit(db, "review", "--accept", str(llzo), "--actor", "ed")
    lit(db, "review", "--edit", str(lzp), "--set", "value=0.0002", "--note", "Table 1", "--actor", "ed")
    bad = lit(db, "review", "--reject", str(by_material[("LiFePO4", "average_voltage")]), ok=False)
    assert bad.exit_code != 0 and "note" in str(bad.exception)

    out = lit(db, "publish", "--actor", "chief").output
    assert "published 2 record(s)" in out
    hist = lit(db, "review", "--history", str(lzp), "--format", "json").output
    assert [h["action"] for h in json.loads(hist)] == ["extract", "edit", "publish"]

    from matinfo.store import connect

    store = connect(db)
    subs = {s.reduced_formula: s for s in store.search(elements=["Li"])}
    assert {"Li7La3Zr2O12", "LiTi2(PO4)3"} <= set(subs)
    props = store.get_substance(subs["LiTi2(PO4)3"].substance_id).properties
    assert [p.value for p in props if p.quantity == "ionic_conductivity"] == [0.0002]
    store.close()

    ov = lit(db, "overview", "--out", str(tmp_path / "ov")).output
    assert "Li7La3Zr2O12" in ov and "reading list" in ov
    assert (tmp_path / "ov" / "formula_cloud.png").stat().st_size > 1000
