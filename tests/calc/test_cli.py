"""`matinfo calc check | submit | run | status | results | retry` and `matinfo db show` of the results."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from matinfo.calc.structures import Cell
from matinfo.cli.app import app
from matinfo.errors import MatinfoError
from tests.cli.test_db_cli import run as run_process

runner = CliRunner()


def run(*args: str, ok: bool = True):
    res = runner.invoke(app, list(args))
    if ok:
        assert res.exit_code == 0, res.output + repr(res.exception)
    return res


def _json(*args):
    return json.loads(run(*args, "--format", "json").stdout)


def test_calc_cli_round_trip(tmp_path, cu3au):
    url = f"sqlite:///{tmp_path / 'calc.db'}"
    cfg = tmp_path / "calc.toml"
    cfg.write_text(f'[runner]\nworkdir = "{tmp_path / "work"}"\npoll = 0.1\n')
    common = ("--db", url, "--config", str(cfg))
    good = tmp_path / "Cu3Au.cif"
    good.write_text(cu3au.to_cif())
    dup = tmp_path / "dup.cif"
    dup.write_text(Cell(cu3au.lattice, cu3au.species + ("Cu",), cu3au.frac_coords + ((0.01, 0, 0),)).to_cif())
    fe = tmp_path / "Fe.cif"
    fe.write_text(Cell(cu3au.lattice, ("Fe",) + cu3au.species[1:], cu3au.frac_coords).to_cif())

    assert "AuCu3, 4 atoms — ok for emt relax" in run("calc", "check", str(good), "--engine", "emt").stdout
    # the real command line: a clear one-line error, exit status 2, no traceback
    p = run_process("calc", "check", str(dup), "--engine", "emt", check=False)
    assert p.returncode == 2 and "dup.cif" in p.stderr and "0.037 Å apart" in p.stderr
    assert re.search(r"sites \d \((Au|Cu)\) and \d \((Au|Cu)\)", p.stderr) and "Traceback" not in p.stderr
    res = run("calc", "submit", str(good), str(fe), "--engine", "emt", *common, ok=False)
    assert isinstance(res.exception, MatinfoError) and "Fe.cif" in str(res.exception)
    assert "cannot treat Fe" in str(res.exception)
    assert _json("calc", "status", "--db", url)["counts"]["queued"] == 0  # nothing was queued

    [job] = _json("calc", "submit", str(good), "--engine", "emt", "--task", "static", *common)
    assert job["new"] and job["state"] == "queued" and job["formula"] == "AuCu3"
    out = run("calc", "submit", str(good), "--engine", "emt", "--task", "static", *common).stdout
    assert "submitted before" in out

    report = _json("calc", "run", *common)
    assert report["done"] == [job["id"]]
    status = _json("calc", "status", "--db", url)
    assert status["counts"] == {"queued": 0, "running": 0, "done": 1, "failed": 0}
    one = _json("calc", "status", job["key"][:8], "--db", url)
    assert one["state"] == "done" and one["energy_per_atom"] < 0
    [res] = _json("calc", "results", "--db", url, "--cif-dir", str(tmp_path / "cifs"))
    assert res["engine"] == "emt" and len(res["forces"]) == 4 and len(res["stress"]) == 6
    assert (tmp_path / "cifs" / f"job{job['id']}_AuCu3_static.cif").exists()
    table = run("calc", "results", "--db", url).stdout
    assert "AuCu3" in table and "E/atom" in table

    shown = run("db", "show", "--db", url, "Cu3Au").stdout
    assert "energy_per_atom" in shown and "calculation" in shown and "emt" in shown

    # a store search as the source of structures: the stored Cu3Au, relaxed
    [relax] = _json("calc", "submit", "--formula", "Cu3Au", "--engine", "emt", "-p", "steps=3", *common)
    assert relax["task"] == "relax" and relax["label"].startswith("structure ")
    assert _json("calc", "run", *common)["done"] == [relax["id"]]
    assert "0 job(s) queued again" in run("calc", "retry", "--db", url).stdout
    assert _json("calc", "retry", "--db", url) == {"queued": 0}
    [checked] = _json("calc", "check", str(good), "--engine", "emt", "--task", "static")
    assert checked["key"] == job["key"] and checked["atoms"] == 4


def test_submit_from_screen_hits(tmp_path, cu3au):
    """A screen's hit list: substituted prototypes (substitute: screens) or stored substances (db: screens)."""
    url = f"sqlite:///{tmp_path / 'hits.db'}"
    hits = tmp_path / "hits.csv"
    hits.write_text(
        "candidate,formula,prototype,sites,m_prediction\n"
        "KBr (AB_cF8_225_a_b),KBr,AB_cF8_225_a_b,A=Br B=K,2.0\n"
        "NaCl (AB_cF8_225_a_b),NaCl,AB_cF8_225_a_b,A=Cl B=Na,1.0\n"
        "LiF (AB_cF8_225_a_b),LiF,AB_cF8_225_a_b,A=F B=Li,0.5\n"
    )
    jobs = _json("calc", "submit", "--hits", str(hits), "--top", "2", "--task", "static", "--db", url)
    assert [(j["formula"], j["label"]) for j in jobs] == [
        ("BrK", "KBr (AB_cF8_225_a_b)"), ("ClNa", "NaCl (AB_cF8_225_a_b)"),
    ]  # fmt: skip
    from matinfo.calc.jobs import JobQueue
    from matinfo.store import connect

    db = connect(url)
    kbr = JobQueue(db).get(jobs[0]["id"]).cell
    assert kbr.n_atoms == 2 and 60 < kbr.volume < 130  # scaled to the elements' volumes per atom
    m = db.add_material("Cu3Au", structure=cu3au.to_structure())
    (tmp_path / "db_hits.csv").write_text(f"formula,substance_id\nCu3Au,{m.substance_id}\n")
    [job] = _json("calc", "submit", "--hits", str(tmp_path / "db_hits.csv"), "--engine", "emt", "--db", url)
    assert job["formula"] == "AuCu3" and job["label"].startswith("structure ")
    res = run("calc", "submit", "--hits", str(tmp_path / "cu.cif"), "--db", url, ok=False)
    assert "no such file" in str(res.exception)
