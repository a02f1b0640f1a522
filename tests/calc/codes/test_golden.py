"""Golden files: every input each code writes, for static / relax / bands, a semiconductor, a metal and a
spin-polarised binary.  Regenerate after a deliberate change with ``MATINFO_UPDATE_GOLDEN=1 pytest
tests/calc/codes/test_golden.py`` and review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from matinfo.calc import codes

from .conftest import GOLDEN, STRUCTURES

CASES = [
    ("si", "static", {}),
    ("si", "relax", {}),
    ("si", "bands", {}),
    ("cu", "static", {}),
    ("nacl", "static", {"spin": True, "ecut": 450, "kpts": [2, 2, 2]}),
]
UPDATE = os.environ.get("MATINFO_UPDATE_GOLDEN") == "1"


def _normalise(text: str, tmp_path: Path) -> str:
    return text.replace(str(tmp_path), "<TMP>")


@pytest.mark.parametrize("code", sorted(codes.CODES))
@pytest.mark.parametrize(("structure", "task", "params"), CASES, ids=[f"{s}-{t}" for s, t, _ in CASES])
def test_inputs_match_golden_files(code, structure, task, params, tmp_path, config):
    module = codes.get(code)
    workdir = tmp_path / "work"
    written = module.write_inputs(STRUCTURES[structure](), task, params, workdir, config)
    assert written and all(p.is_file() and p.parent == workdir for p in written)
    golden = GOLDEN / code / f"{structure}-{task}"
    if UPDATE:
        golden.mkdir(parents=True, exist_ok=True)
        for old in golden.iterdir():
            old.unlink()
    written = [p for p in written if p.name != "run_gpaw.py"]  # one golden copy: test_gpaw_script_is_golden
    names = sorted(p.name for p in written)
    for path in written:
        text = _normalise(path.read_text(encoding="utf-8"), tmp_path)
        if UPDATE:
            (golden / path.name).write_text(text, encoding="utf-8")
        expected = (golden / path.name).read_text(encoding="utf-8")
        assert text == expected, f"{path.name} differs from {golden / path.name}"
    assert sorted(p.name for p in golden.iterdir()) == names


@pytest.mark.parametrize("code", sorted(codes.CODES))
def test_inputs_are_deterministic(code, tmp_path, config):
    module = codes.get(code)
    a = module.write_inputs(STRUCTURES["nacl"](), "relax", {"spin": True}, tmp_path / "a", config)
    b = module.write_inputs(STRUCTURES["nacl"](), "relax", {"spin": True}, tmp_path / "b", config)
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_text().replace("/a/", "/x/") == pb.read_text().replace("/b/", "/x/")


def test_gpaw_script_is_golden(tmp_path, config):
    from importlib.resources import files

    codes.get("gpaw").write_inputs(STRUCTURES["si"](), "static", {}, tmp_path, config)
    shipped = files("matinfo.calc.codes").joinpath("_gpaw_script.py").read_text(encoding="utf-8")
    text = (tmp_path / "run_gpaw.py").read_text(encoding="utf-8")
    assert text == shipped
    if UPDATE:
        (GOLDEN / "gpaw" / "run_gpaw.py.txt").write_text(text, encoding="utf-8")
    assert text == (GOLDEN / "gpaw" / "run_gpaw.py.txt").read_text(encoding="utf-8")
