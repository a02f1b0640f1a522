"""ElementStats equals matminer's ElementProperty value for value (Magpie, Deml, NaN policy)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from matinfo.errors import FeaturizeError
from matinfo.features import ElementStats
from matinfo.features.element_stats import PRESETS, weighted_stats

matminer = pytest.importorskip("matminer.featurizers.composition")
Composition = pytest.importorskip("pymatgen.core").Composition


def _formulas(n: int, step: int = 1) -> list[str]:
    from importlib.resources import files

    with (files("matinfo.data") / "matbench_v0.1" / "matbench_expt_gap.csv.gz").open("rb") as f:
        formulas = pd.read_csv(f, compression="gzip")["composition"].tolist()
    return formulas[::step][:n]


def _matminer(featurizer, formulas: list[str]) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.array([featurizer.featurize(Composition(f)) for f in formulas], dtype=float)


@pytest.fixture(scope="module")
def magpie_pair():
    formulas = _formulas(1200, step=3)
    ref = matminer.ElementProperty.from_preset("magpie")
    return formulas, ref, _matminer(ref, formulas)


def test_magpie_equals_matminer_on_1200_compositions(magpie_pair):
    formulas, ref, expected = magpie_pair
    est = ElementStats(preset="magpie")
    assert list(est.get_feature_names_out()) == ref.feature_labels()
    assert len(set(formulas)) >= 1000
    got = est.transform(formulas)
    assert got.shape == (len(formulas), 132)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    assert np.nanmax(np.abs(got - expected)) <= 1e-6


def test_composition_inputs_give_the_same_values(magpie_pair):
    formulas, _, expected = magpie_pair
    comps = [Composition(f) for f in formulas[:300]]
    got = ElementStats().transform(comps)
    assert np.nanmax(np.abs(got - expected[:300])) <= 1e-6


def test_deml_equals_matminer():
    formulas = _formulas(300, step=13)
    ref = matminer.ElementProperty.from_preset("deml")
    expected = _matminer(ref, formulas)
    est = ElementStats(preset="deml")
    assert list(est.get_feature_names_out()) == ref.feature_labels()
    got = est.transform(formulas)
    assert np.allclose(got, expected, rtol=1e-9, atol=1e-6)


def test_nan_policy_without_imputation_matches_matminer():
    """Missing element data propagate exactly as in matminer's PropertyStats (impute_nan=False)."""
    props = ["BulkModulus", "HeatCapacityMass", "MeltingT", "GSmagmom"]
    stats = ["minimum", "maximum", "range", "mean", "avg_dev", "mode", "std_dev"]
    # He, Ne, Ar, Kr: no bulk modulus; Fr/At: no heat capacity; ties in the mode involve missing values too
    formulas = ["HeNe", "ArO2", "Fe2O3", "KrF2", "FrAt", "NaCl", "He", "Xe2Fe", "Cu3Au", "AtFe2"]
    ref = matminer.ElementProperty("magpie", props, stats, impute_nan=False)
    expected = _matminer(ref, formulas)
    est = ElementStats(properties=props, stats=stats, impute_nan=False)
    assert list(est.get_feature_names_out()) == ref.feature_labels()
    got = est.transform(formulas)
    assert np.isnan(expected).any() and not np.isnan(expected).all()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def test_imputed_values_match_matminer_default_for_elements_without_data():
    props = ["BulkModulus", "HeatCapacityMass"]
    formulas = ["HeNe", "KrF2", "FrAt"]
    expected = _matminer(matminer.ElementProperty("magpie", props, ["mean", "mode"]), formulas)
    got = ElementStats(properties=props, stats=["mean", "mode"], impute_nan=True).transform(formulas)
    assert not np.isnan(got).any()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def test_matinfo_preset_has_physical_properties_and_nan_for_missing():
    est = ElementStats(preset="matinfo")
    names = list(est.get_feature_names_out())
    assert "ElementData mean HeatCapacityMass" in names and "ElementData mean MeltingT" in names
    X = est.set_output(transform="pandas").transform(["Al2O3", "Kr"])
    assert X.loc[0, "ElementData mean MeltingT"] == pytest.approx((2 * 933.47 + 3 * 54.8) / 5)
    assert np.isnan(X.loc[1, "ElementData mean BulkModulus"])  # Kr: no value, no guess
    assert len(est.citations()) == 2  # Magpie and pymatgen columns


def test_weighted_mode_ties_take_the_smallest_value():
    table = np.array([[5.0], [2.0], [9.0]])
    out = weighted_stats(table, np.array([[0, 1, 2]]), np.array([[1.0, 1.0 + 1e-9, 0.5]]), ["mode"])
    assert out[0, 0, 0] == 2.0


def test_bad_inputs_name_row_and_value():
    with pytest.raises(FeaturizeError) as info:
        ElementStats().transform(["Fe2O3", "Xx2O3"])
    assert info.value.source == "row 1" and "Xx" in str(info.value)
    with pytest.raises(FeaturizeError, match="row 2"):
        ElementStats().transform(pd.Series(["Fe2O3", "LiCoO2", "Li1+xAlxTi2-x(PO4)3"]))
    out = ElementStats(on_error="nan").transform(["Fe2O3", "Xx2O3"])
    assert np.isnan(out[1]).all() and not np.isnan(out[0]).any()


def test_bad_settings_are_explained():
    with pytest.raises(ValueError, match="preset"):
        ElementStats(preset="nope").get_feature_names_out()
    with pytest.raises(ValueError, match="statistic"):
        ElementStats(stats=["median"]).get_feature_names_out()
    with pytest.raises(KeyError, match="did you mean"):
        ElementStats(properties=["MeltingTT"]).get_feature_names_out()


def test_presets_are_complete():
    assert len(ElementStats(preset="magpie").get_feature_names_out()) == 132
    assert len(ElementStats(preset="deml").get_feature_names_out()) == 80
    assert set(PRESETS) == {"magpie", "deml", "matinfo"}
