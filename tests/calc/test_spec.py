from __future__ import annotations

import dataclasses

import pytest

from matinfo.calc.engines import make_spec
from matinfo.calc.spec import CalcResult, CalcSpec, Dos
from matinfo.errors import ParameterError


def test_key_is_engine_task_parameters_structure(cu, cu3au):
    a = make_spec("emt", "relax", cu)
    assert a.key == make_spec("emt", "relax", cu, {"fmax": 0.05}).key  # a default written out: same spec
    assert a.key == make_spec("EMT", "relax", cu).key
    assert a.key != make_spec("emt", "relax", cu, {"fmax": 0.01}).key
    assert a.key != make_spec("emt", "static", cu).key
    assert a.key != make_spec("emt", "relax", cu3au).key
    assert a.key == CalcSpec("emt", "relax", cu, dict(a.parameters), label="x", structure_id=3).key


def test_spec_is_frozen_and_round_trips(cu):
    spec = make_spec("emt", "relax", cu, {"steps": 10}, label="Cu")
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.task = "static"
    with pytest.raises(TypeError):
        spec.parameters["steps"] = 3
    again = CalcSpec.from_dict(spec.to_dict())
    assert again == spec and again.key == spec.key and again.label == "Cu"
    assert hash(again) == hash(spec)


def test_bad_specs(cu):
    with pytest.raises(ParameterError, match="unknown parameter.*'fmaks'.*fmax"):
        make_spec("emt", "relax", cu, {"fmaks": 0.1})
    with pytest.raises(ParameterError, match="task 'md'"):
        make_spec("emt", "md", cu)
    with pytest.raises(ParameterError, match="cannot do task 'bands'"):
        make_spec("emt", "bands", cu)
    with pytest.raises(ParameterError, match="unknown calculation engine 'vasp5'"):
        make_spec("vasp5", "static", cu)
    with pytest.raises(ParameterError, match="JSON"):
        CalcSpec("emt", "static", cu, {"x": object()})


def test_result_round_trip(cu):
    r = CalcResult(
        spec_key="k" * 64,
        engine="emt",
        engine_version="ase-emt 3",
        task="static",
        parameter_hash="p" * 64,
        energy=-1.0,
        forces=((0.0, 0.0, 3.0),),
        stress=(1.0, 1.0, 1.0, 0.0, 0.0, 0.0),
        cell=cu,
        converged=True,
        band_gap=0.5,
        dos=Dos((-1.0, 0.0), (0.1, 0.2)),
        provenance={"host": "h"},
    )
    assert r.energy_per_atom == -1.0 and r.max_force == 3.0 and r.pressure == -1.0
    assert CalcResult.from_dict(r.to_dict()) == r
