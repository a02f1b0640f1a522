"""The CLI contract: db init / import / search / show / export / stats, errors, and interrupted imports."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "io" / "data"
MAPPING = DATA / "tab_mapping.toml"
CSV = DATA / "tab_materials.csv"


def run(*args: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    p = subprocess.run(
        [sys.executable, "-m", "matinfo", *args], capture_output=True, text=True, timeout=300, **kw
    )
    if check and p.returncode != 0:
        raise AssertionError(f"matinfo {' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def stats(url: str) -> dict:
    return json.loads(run("db", "stats", "--format", "json", "--db", url).stdout)["counts"]


def test_help_is_light():
    """`matinfo --help` must not import the heavy stack (that is what keeps it under a second)."""
    code = (
        "import sys, matinfo.cli; heavy = [m for m in ('pymatgen.core', 'sqlalchemy', 'pint', 'pandas', "
        "'scipy', 'spglib') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert "db" in run("--help").stdout


def test_import_search_show_export_roundtrip(db_url, tmp_path):
    run("db", "init", "--db", db_url)
    out = run("db", "import", str(CSV), "--mapping", str(MAPPING), "--db", db_url, "--format", "json").stdout
    (rep,) = json.loads(out)
    assert rep["materials"] >= 3 and rep["rejected"] == 0
    again = json.loads(
        run("db", "import", str(CSV), "--mapping", str(MAPPING), "--db", db_url, "--format", "json").stdout
    )[0]
    assert again["materials"] == 0 and again["duplicates"] == rep["materials"]  # re-import adds nothing

    hits = json.loads(
        run(
            "db",
            "search",
            "--elements",
            "Li,O",
            "--property",
            "ionic_conductivity >= 0.1 mS/cm",
            "--format",
            "json",
            "--db",
            db_url,
        ).stdout
    )
    assert [h["reduced_formula"] for h in hits] == ["Li7La3Zr2O12"]
    assert {"substance_id", "reduced_formula", "chemical_system", "space_group"} <= set(hits[0])
    assert hits[0]["space_group"] == 230

    opt = json.loads(
        run(
            "db",
            "search",
            "--filter",
            'elements HAS ALL "Li","Nb" AND nelements = 3',
            "--format",
            "json",
            "--db",
            db_url,
        ).stdout
    )
    assert [h["reduced_formula"] for h in opt] == ["LiNbO3"]
    csv_out = run("db", "search", "--elements", "Li", "--format", "csv", "--db", db_url).stdout
    assert csv_out.splitlines()[0].startswith("substance_id,reduced_formula,chemical_system,space_group")

    page = json.loads(
        run("db", "show", str(hits[0]["substance_id"]), "--format", "json", "--db", db_url).stdout
    )
    assert page["materials"][0]["formula"] == "Li7La3Zr2O12" and page["properties"]
    text = run("db", "show", "LiNbO3", "--db", db_url).stdout
    assert "LiNbO3" in text and "founded a new substance" in text

    exported = tmp_path / "all.json"
    run("db", "export", str(exported), "--format", "json", "--db", db_url)
    other = f"sqlite:///{tmp_path / 'copy.db'}"
    run("db", "import", str(exported), "--db", other)
    a, b = stats(db_url), stats(other)
    for key in ("materials", "substances", "properties", "structures"):
        assert a[key] == b[key], key
    ml = tmp_path / "ml.csv"
    run("db", "export", str(ml), "--format", "ml", "--db", db_url)
    header = ml.read_text().splitlines()[0]
    assert "ionic_conductivity [S/cm]" in header and "x_Li" in header


def test_bad_row_names_file_line_column_and_writes_nothing(db_url, tmp_path):
    bad = tmp_path / "bad.csv"
    lines = CSV.read_text().splitlines()
    lines.insert(2, "Li2Xx3,BAD,230,1e-4,,298,,,,2020,,,")
    bad.write_text("\n".join(lines) + "\n")
    run("db", "init", "--db", db_url)
    before = stats(db_url)
    p = run("db", "import", str(bad), "--mapping", str(MAPPING), "--db", db_url, check=False)
    assert p.returncode == 2
    assert (
        "bad.csv:3" in p.stderr and "Xx" in p.stderr and "formula" in p.stderr and "Traceback" not in p.stderr
    )
    assert stats(db_url) == before

    rejects = tmp_path / "rej.csv"
    p = run(
        "db",
        "import",
        str(bad),
        "--mapping",
        str(MAPPING),
        "--skip-bad",
        "--reject-report",
        str(rejects),
        "--db",
        db_url,
    )
    assert "Li2Xx3" in rejects.read_text()
    assert stats(db_url)["materials"] > before["materials"]


def test_killed_import_leaves_database_as_it_was(tmp_path):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    run("db", "import", str(CSV), "--mapping", str(MAPPING), "--db", url)
    before = stats(url)
    big = tmp_path / "big.csv"
    rows = [CSV.read_text().splitlines()[0]]
    rows += [
        f"Li{1 + i % 9}La3Zr2O{10 + i % 5},R{i},230,{1e-5 * (1 + i % 50)},,298,,,,2020,,,"
        for i in range(40000)
    ]
    big.write_text("\n".join(rows) + "\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "matinfo", "db", "import", str(big), "--mapping", str(MAPPING), "--db", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(6)
    assert proc.poll() is None, "the import finished before it could be killed; make the file bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert stats(url) == before


def test_unknown_preset_and_db_errors_are_clear(tmp_path):
    p = run(
        "db", "import", str(CSV), "--preset", "obelx", "--db", f"sqlite:///{tmp_path / 'x.db'}", check=False
    )
    assert p.returncode == 2 and "obelix" in p.stderr
    p = run("db", "stats", "--db", "postgresql://nobody@127.0.0.1:1/none", check=False)
    assert p.returncode == 2 and "cannot open the database" in p.stderr and "Traceback" not in p.stderr


def test_cif_folder_import_with_bad_file(tmp_path):
    """A folder of CIFs: one malformed file stops the import (named with its line) unless --skip-bad."""
    import shutil

    folder = tmp_path / "cifs"
    folder.mkdir()
    for name in ("two_blocks.cif", "bad_coordinate.cif"):
        shutil.copy(DATA / name, folder / name)
    url = f"sqlite:///{tmp_path / 'c.db'}"
    p = run("db", "import", str(folder), "--db", url, check=False)
    assert p.returncode == 2 and "bad_coordinate.cif" in p.stderr and ":" in p.stderr
    assert stats(url)["structures"] == 0
    run("db", "import", str(folder), "--skip-bad", "--reject-report", str(tmp_path / "r.csv"), "--db", url)
    assert stats(url)["structures"] == 2  # both blocks of two_blocks.cif
    assert "bad_coordinate.cif" in (tmp_path / "r.csv").read_text()
