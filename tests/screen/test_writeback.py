"""Predictions go back into the store as predictions (method, model ID, conditions), never as measurements."""

from __future__ import annotations

import math

import pytest

from matinfo.errors import ParameterError
from matinfo.screen import GridSpace, PairSpace, screen, write_predictions
from matinfo.screen.writeback import prediction_quantity
from tests.screen._models import TEMPERATURE


def test_hits_are_written_as_predictions(db, models):
    res = screen(
        GridSpace("Bi-Sb-Te", step=0.1), models, top=3, constants={TEMPERATURE: 300}, uncertainty=True
    )
    report = write_predictions(db, res)
    hits = res.hits()
    assert report.materials == len(hits) and report.properties == 3 * len(hits)
    from matinfo.store import Query

    found = db.search(Query(dataset="screen-predictions", limit=None))
    assert len(found) == len(hits)
    sub = db.get_substance(found[0].substance_id)
    props = sub.properties
    assert {p.method for p in props} == {"prediction"}
    assert {p.produced_by for p in props} <= {m.model_id for m in models}
    assert all(p.quantity == "thermal_conductivity" and p.conditions["temperature"] == 300.0 for p in props)
    gp = next(p for p in props if p.produced_by.startswith("gp:"))
    row = hits[hits["candidate"] == sub.materials[0].formula].iloc[0]
    assert gp.value == pytest.approx(row["gp_prediction"])
    assert gp.uncertainty == pytest.approx(math.log(10) * row["gp_prediction"] * row["gp_log10_std"])
    again = write_predictions(db, res)
    assert again.materials == 0 and again.duplicates == len(hits)


def test_what_cannot_be_written(db, models):
    pairs = screen(
        PairSpace(["Bi", "Si", "Ge"]), models, top=2, constants={TEMPERATURE: 300}, columns={"formula": "A"}
    )
    with pytest.raises(ParameterError, match="no interface records"):
        write_predictions(db, pairs)
    assert prediction_quantity("Total Thermal Conductivity (W/mK)") == ("thermal_conductivity", "W/(m*K)")
    with pytest.raises(ParameterError, match="not a known quantity"):
        prediction_quantity("my score")
