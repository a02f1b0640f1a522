"""Robust outliers, duplicates and same-paper series (matinfo.literature.qc)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matinfo.errors import ParameterError
from matinfo.literature.qc import find_duplicates, flag_outliers, same_paper_series


def test_log_scale_is_chosen_for_values_spanning_decades_and_catches_a_unit_slip():
    rng = np.random.default_rng(1)
    sigma = 10 ** rng.uniform(-6, -2, 60)  # S/cm, four decades
    sigma[7] = 3e2  # mS/cm value stored as S/cm and then some: an entry error
    out = flag_outliers(pd.DataFrame({"property": "ionic_conductivity", "value": sigma}))
    assert out["log_scale"].all()
    assert out.loc[7, "outlier"]
    assert out["outlier"].sum() == 1


def test_groups_are_judged_separately_and_small_groups_are_not_judged():
    t = pd.DataFrame(
        {
            "property": ["band_gap"] * 8 + ["band_gap"] * 3,
            "family": ["oxide"] * 8 + ["nitride"] * 3,
            "value": [3.1, 3.3, 3.0, 3.4, 3.2, 3.25, 3.15, 9.9, 1.0, 5.0, 50.0],
        }
    )
    out = flag_outliers(t, by=("property", "family"))
    assert out["outlier"].tolist() == [False] * 7 + [True] + [False] * 3
    assert not out.loc[:7, "log_scale"].any()
    assert out.loc[8:, "qc_note"].str.contains("too small").all()
    assert out.loc[8:, "robust_z"].isna().all()


def test_identical_values_and_non_numeric_values_are_reported_not_judged():
    out = flag_outliers(pd.DataFrame({"property": ["Tc"] * 6, "value": [90, 90, 90, 90, 91, "n/a"]}))
    assert (out.loc[:4, "qc_note"] == "MAD is 0 (most values identical): not judged").all()
    assert out.loc[5, "qc_note"] == "no numeric value"
    with pytest.raises(ParameterError, match="'family'"):
        flag_outliers(out, by=("property", "family"))


def test_duplicates_match_reordered_formulas_within_tolerance_and_tell_the_kind():
    t = pd.DataFrame(
        {
            "formula": ["Li7La3Zr2O12", "La3Li7Zr2O12", "Li7La3Zr2O12", "LiCoO2", "LiCoO2", "LiCoO2"],
            "property": ["ionic_conductivity"] * 3 + ["capacity"] * 3,
            "value": [3.0e-4, 3.0001e-4, 5e-4, 140.0, 140.0, 274.0],
            "temperature": [298, 298, 298, 298, 298, 298],
            "doi": ["a", "b", "c", "d", "d", "d"],
        }
    )
    dup = find_duplicates(t, conditions=("temperature",))
    kinds = dup.groupby("duplicate_group")["duplicate_kind"].first().tolist()
    assert sorted(kinds) == ["cross-paper", "same-paper"]
    assert set(dup.index) == {0, 1, 3, 4}
    # a different condition breaks the match
    t.loc[1, "temperature"] = 373
    assert set(find_duplicates(t, conditions=("temperature",)).index) == {3, 4}


def test_series_in_one_paper_name_the_varying_elements():
    xs = [0.0, 0.25, 0.5, 0.75]
    t = pd.DataFrame(
        {
            "formula": [f"Li{7 - x}La3Zr{2 - x}Ta{x}O12" for x in xs] + ["LiCoO2"],
            "property": ["ionic_conductivity"] * 5,
            "doi": ["p1"] * 4 + ["p1"],
        }
    )
    s = same_paper_series(t)
    assert len(s) == 1
    row = s.iloc[0]
    assert row["chemical_system"] == "La-Li-O-Ta-Zr" and row["compositions"] == 4
    # put on O = 12, the series variable x shows in Li, Zr and Ta; La stays 3
    assert set(row["varying"].split(", ")) == {
        "Li 6.25–7",
        "Zr 1.25–2",
        "Ta 0–0.75",
    }
    assert same_paper_series(t, min_members=5).empty
