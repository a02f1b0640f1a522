"""Candidate pools and parameter spaces: encoding, and clear errors for every kind of bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from matinfo.errors import ImportDataError, NotFoundError, ParameterError
from matinfo.optimize import Categorical, DiscreteSpace, Integer, ParameterSpace, Real
from matinfo.optimize.warping import OutputWarping


def test_discrete_space_from_real_candidates(cu_gb):
    space = DiscreteSpace.from_frame(cu_gb, features=["dx", "gb", "dz"], id_col="id")
    assert len(space) == len(cu_gb) and space.encoded.min() == 0.0 and space.encoded.max() == 1.0
    pos = space.positions(["t7196"])
    assert space.record(int(pos[0])) == {"dx": 3.2, "gb": 1.2, "dz": 1.8}
    with pytest.raises(NotFoundError, match="candidate 'nope' is not in the space"):
        space.positions(["nope"])


@pytest.mark.parametrize(
    ("frame", "kw", "error", "match"),
    [
        (pd.DataFrame({"id": [], "x": []}), {}, ParameterError, "candidate pool .* is empty"),
        (pd.DataFrame({"id": ["a", "b"], "x": [1.0, np.nan]}), {}, ImportDataError, "not finite numbers"),
        (pd.DataFrame({"id": ["a", "a"], "x": [1.0, 2.0]}), {}, ImportDataError, "IDs must be unique"),
        (
            pd.DataFrame({"id": ["a", "b"], "x": [1.0, 2.0]}),
            {"features": ["y"]},
            ImportDataError,
            "no column 'y'",
        ),
        (
            pd.DataFrame({"id": ["a", "b"], "x": [1.0, 2.0], "c": [1.0, 0.0]}),
            {"cost_col": "c"},
            ImportDataError,
            "positive",
        ),
        (pd.DataFrame({"id": ["a", "b"], "x": ["1", "two"]}), {}, ImportDataError, "not finite numbers"),
    ],
)
def test_bad_pools_are_clear_errors(frame, kw, error, match):
    kw = {"features": ["x"], "id_col": "id", **kw}
    with pytest.raises(error, match=match):
        DiscreteSpace.from_frame(frame, **kw)


def test_pool_from_a_csv_file_and_the_store(tmp_path, cu_slice):
    path = tmp_path / "hits.csv"
    cu_slice.head(50).to_csv(path, index=False)
    space = DiscreteSpace.from_csv(path, features=["dx", "dz"], id_col="id")
    assert len(space) == 50 and space.ids[0] == "t" + str(cu_slice["id"].iloc[0])[1:]
    with pytest.raises(ImportDataError, match="no such file"):
        DiscreteSpace.from_csv(tmp_path / "missing.csv", features=["dx"])

    from matinfo.features import ElementStats
    from matinfo.store import connect

    db = connect(f"sqlite:///{tmp_path / 's.db'}")
    for f, s in (("LiCoO2", 0.5), ("LiFePO4", 0.01), ("Li7La3Zr2O12", 0.3)):
        db.add_material(f, properties=[("ionic_conductivity", s, "mS/cm")])
    space = DiscreteSpace.from_store(db, featurizer=ElementStats(preset="magpie"))
    assert len(space) == 3 and len(space.features) == 132 and all(f.startswith("f:") for f in space.features)


def test_parameter_space_round_trip_and_snapping():
    space = ParameterSpace(
        [
            Real("T", 400, 900, unit="K"),
            Real("flux", 0.5, 4.0, log=True),
            Integer("t", 1, 24),
            Categorical("gas", ["Ar", "O2"]),
        ]
    )
    pts = [{"T": 650.0, "flux": 2.0, "t": 12, "gas": "O2"}, {"T": 400, "flux": 0.5, "t": 1, "gas": "Ar"}]
    back = space.decode(space.encode(pts))
    assert back[1] == {"T": 400.0, "flux": 0.5, "t": 1, "gas": "Ar"} and back[0]["flux"] == pytest.approx(2.0)
    Z = space.sample(64, np.random.default_rng(0))
    assert Z.shape == (64, 5) and np.array_equal(Z, space.snap(Z))
    assert np.array_equal(Z, space.sample(64, np.random.default_rng(0)))  # seeded
    decoded = space.decode(Z)
    assert all(1 <= p["t"] <= 24 and isinstance(p["t"], int) and p["gas"] in ("Ar", "O2") for p in decoded)
    assert space.spec() == ParameterSpace.from_spec(space.spec()).spec()


@pytest.mark.parametrize(
    ("point", "match"),
    [
        ({"T": 350.0, "t": 3, "gas": "Ar"}, r"value 350 of 'T' is outside the space \[400, 900\] K"),
        ({"T": 500.0, "t": 2.5, "gas": "Ar"}, "not an integer"),
        ({"T": 500.0, "t": 30, "gas": "Ar"}, "outside the space"),
        ({"T": 500.0, "t": 3, "gas": "N2"}, "not in the space .one of Ar, O2"),
        ({"T": 500.0, "gas": "Ar"}, r"no value for \['t'\]"),
        ({"T": float("nan"), "t": 3, "gas": "Ar"}, "not a finite number"),
    ],
)
def test_points_outside_the_space_are_clear_errors(point, match):
    space = ParameterSpace(
        [Real("T", 400, 900, unit="K"), Integer("t", 1, 24), Categorical("gas", ["Ar", "O2"])]
    )
    with pytest.raises(ParameterError, match=match):
        space.validate(point)


def test_parameter_files_and_cost_expressions(tmp_path):
    toml = tmp_path / "p.toml"
    toml.write_text(
        'cost = "1 + time / 24"\n[[param]]\nname = "T"\ntype = "real"\nlow = 300\nhigh = 800\n'
        '[[param]]\nname = "time"\ntype = "integer"\nlow = 1\nhigh = 48\n'
    )
    space = ParameterSpace.from_file(toml)
    assert space.names == ["T", "time"]
    np.testing.assert_allclose(space.cost_of([{"T": 300, "time": 24}, {"T": 300, "time": 48}]), [2.0, 3.0])
    js = tmp_path / "p.json"
    js.write_text(json.dumps({"params": [{"name": "x", "type": "magic", "low": 0, "high": 1}]}))
    with pytest.raises(ParameterError, match="unknown type 'magic'"):
        ParameterSpace.from_file(js)
    with pytest.raises(ParameterError, match="cannot evaluate the cost expression"):
        ParameterSpace([Real("x", 0, 1)], cost="1 + y")
    with pytest.raises(ParameterError, match="non-positive"):
        ParameterSpace([Real("x", 0, 1)], cost="x - 2")


@pytest.mark.parametrize("kind", ["power", "rank", "none"])
def test_output_warping_is_monotone_and_invertible(kind, cu_gb):
    y = -cu_gb["gb_energy"].to_numpy()[::97]  # heavy tail: spikes of 2.9 J/m² among values near 1.0
    w = OutputWarping(kind).fit(y)
    grid = np.sort(y)
    assert (np.diff(w(grid)) >= 0).all()
    np.testing.assert_allclose(w.inverse(w(grid)), grid, rtol=1e-7, atol=1e-9)
    if kind == "power":  # the spikes (the lowest values, maximise convention) no longer dominate the spread
        z = w(y)
        assert (np.median(z) - z.min()) / z.std() < 0.5 * (np.median(y) - y.min()) / y.std()
