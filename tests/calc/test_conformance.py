from __future__ import annotations

import pytest

from matinfo.calc.ase_engines import CHGNetEngine, EMTEngine
from matinfo.calc.config import parse_config
from matinfo.calc.conformance import check_calc_engine
from matinfo.calc.engines import get_engine, register_engine
from tests.calc.fake_code import FakeCode


def test_emt_runs(tmp_path):
    check_calc_engine(EMTEngine(), config=parse_config({"runner": {"workdir": str(tmp_path)}}), run=True)


@pytest.mark.parametrize("engine", [CHGNetEngine(), FakeCode()], ids=lambda e: e.name)
def test_engines_keep_the_protocol(engine):
    check_calc_engine(engine)


def test_builtin_names_resolve():
    assert get_engine("chgnet").name == "chgnet" and get_engine("emt").name == "emt"
    assert {get_engine(n).name for n in ("gpaw", "qe", "vasp", "abinit")} == {"gpaw", "qe", "vasp", "abinit"}


class _Sloppy(EMTEngine):
    name = "sloppy"
    counter = 0

    def write_inputs(self, atoms, spec, workdir, config):
        _Sloppy.counter += 1
        (workdir / "in.txt").write_text(str(_Sloppy.counter))


def test_violations_are_named():
    with pytest.raises(AssertionError, match="'sloppy': write_inputs is not deterministic.*in.txt"):
        check_calc_engine(_Sloppy())
    bad = EMTEngine()
    bad.name = "Bad"
    with pytest.raises(AssertionError, match="lower-case"):
        check_calc_engine(bad)
    with pytest.raises(Exception, match="does not follow the Engine protocol"):
        register_engine(object())
