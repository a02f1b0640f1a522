"""Bad input fails before anything runs, with a message naming what and how to fix it (point 7)."""

from __future__ import annotations

import pytest

from matinfo.calc.config import parse_config
from matinfo.calc.engines import check_spec, make_spec, register_engine
from matinfo.calc.errors import CalcConfigError
from matinfo.calc.runners import execute
from matinfo.calc.structures import Cell
from matinfo.errors import ParameterError, StructureError
from tests.calc.fake_code import FakeCode, install_fakecode


@pytest.fixture
def fake(tmp_path, monkeypatch):
    register_engine(FakeCode())
    bin_dir = tmp_path / "bin"
    install_fakecode(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    pseudo = tmp_path / "pseudo"
    pseudo.mkdir()
    (pseudo / "Cu.pbe-dn.UPF").write_text("x")
    (pseudo / "Au_ONCV.upf").write_text("x")
    return parse_config(
        {"runner": {"workdir": str(tmp_path / "work")}, "engines": {"fakecode": {"pseudo_dir": str(pseudo)}}}
    )


def test_overlapping_atoms_fail_before_any_file_is_written(tmp_path, cu3au, config):
    bad = Cell(cu3au.lattice, cu3au.species + ("Cu",), cu3au.frac_coords + ((0.5, 0.5, 0.01),))
    spec = make_spec("emt", "static", bad, label="dup.cif")
    with pytest.raises(StructureError, match=r"dup.cif.*sites 3 \(Cu\) and 4 \(Cu\).*apart"):
        execute(spec, config=config)
    assert not (tmp_path / "work").exists()


def test_unsupported_element(cu3au):
    fe = Cell(cu3au.lattice, ("Fe",) + cu3au.species[1:], cu3au.frac_coords)
    with pytest.raises(StructureError) as e:
        check_spec(make_spec("emt", "relax", fe, label="fe.cif"))
    msg = str(e.value)
    assert "fe.cif" in msg and "engine 'emt' cannot treat Fe" in msg and "Ag Al Au C Cu H N Ni O Pd Pt" in msg
    assert "--engine chgnet" in msg
    check_spec(make_spec("chgnet", "relax", fe))  # CHGNet treats Fe
    pu_es = Cell(cu3au.lattice, ("Es",) + cu3au.species[1:], cu3au.frac_coords)
    with pytest.raises(StructureError, match="engine 'chgnet' cannot treat Es"):
        check_spec(make_spec("chgnet", "relax", pu_es))


def test_bad_parameters(cu):
    with pytest.raises(ParameterError, match="optimizer 'GD'"):
        check_spec(make_spec("emt", "relax", cu, {"optimizer": "GD"}))
    with pytest.raises(ParameterError, match="fmax must be a positive"):
        check_spec(make_spec("emt", "relax", cu, {"fmax": -1}))
    with pytest.raises(ParameterError, match="model '0.2.0' is not bundled"):
        check_spec(make_spec("chgnet", "static", cu, {"model": "0.2.0"}))


def test_file_engine_runs(fake, cu3au, tmp_path):
    r = execute(make_spec("fakecode", "static", cu3au), config=fake, workdir=tmp_path / "run")
    assert r.energy == -4.0 and r.band_gap == 1.5 and r.engine_version == "fakecode 1.0"
    assert r.forces == ((0.0, 0.0, 0.0),) * 4 and r.stress is None and r.cell == cu3au
    assert "running 4 atoms" in (tmp_path / "run" / "fake.out").read_text()  # the engine's stdout file


def test_missing_binary(fake, cu3au, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    with pytest.raises(CalcConfigError) as e:
        execute(make_spec("fakecode", "static", cu3au), config=fake, workdir=tmp_path / "run")
    msg = str(e.value)
    assert "executable 'fakecode' of engine 'fakecode' was not found" in msg
    assert "engines.fakecode.command" in msg and "full path" in msg
    assert not (tmp_path / "run").exists()


def test_missing_pseudopotential(fake, tmp_path):
    ag = Cell(((4.1, 0, 0), (0, 4.1, 0), (0, 0, 4.1)), ("Ag",), ((0, 0, 0),))
    with pytest.raises(CalcConfigError) as e:
        check_spec(make_spec("fakecode", "static", ag), fake)
    assert "no pseudopotential for Ag in" in str(e.value)
    assert "engines.fakecode.pseudopotentials.Ag" in str(e.value)

    cfg = parse_config({"engines": {"fakecode": {"pseudo_dir": str(tmp_path / "none")}}})
    with pytest.raises(CalcConfigError, match="pseudopotential folder does not exist"):
        check_spec(make_spec("fakecode", "static", ag), cfg)
    cfg = parse_config({"engines": {"fakecode": {}}})
    with pytest.raises(CalcConfigError, match="no folder is configured.*pseudo_dir"):
        check_spec(make_spec("fakecode", "static", ag), cfg)
    cfg = parse_config(
        {
            "engines": {
                "fakecode": {"pseudo_dir": str(tmp_path / "pseudo"), "pseudopotentials": {"Ag": "Ag.upf"}}
            }
        }
    )
    with pytest.raises(CalcConfigError, match="pseudopotential of Ag does not exist.*Ag.upf"):
        check_spec(make_spec("fakecode", "static", ag), cfg)
