"""ConditionFeatures on real tables: OBELiX (Li-ion conductors), sysTEm/ESTM thermoelectrics, HOPV15 devices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from matinfo.errors import FeaturizeError
from matinfo.features import ConditionFeatures
from matinfo.features.conditions import split_unit_suffix
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def obelix() -> pd.DataFrame:
    return pd.read_csv(shared_data("obelix", "obelix_train.csv")).set_index("ID")


@pytest.fixture(scope="module")
def thermo() -> pd.DataFrame:
    return pd.read_csv(shared_data("thermoelectrics", "sysTEm_dataset.csv"))


@pytest.fixture(scope="module")
def hopv() -> pd.DataFrame:
    return pd.read_csv(shared_data("hopv15", "hopv.csv"))


def test_celsius_and_kelvin_columns_give_the_same_features(thermo):
    kelvin = thermo[["Temperature (K)"]]
    celsius = pd.DataFrame({"Temperature [°C]": thermo["Temperature (K)"] - 273.15})
    in_cells = pd.DataFrame({"Temperature": [f"{float(t) - 273.15!r} °C" for t in thermo["Temperature (K)"]]})
    outs = []
    for df in (kelvin, celsius, in_cells):
        f = ConditionFeatures(columns={df.columns[0]: "measurement"}).fit(df)
        assert list(f.get_feature_names_out()) == ["measurement: Temperature [K]"]
        assert list(f.get_feature_categories_out()) == ["measurement"]
        outs.append(f.transform(df))
    assert outs[0].shape == (len(thermo), 1)
    np.testing.assert_allclose(outs[1], outs[0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(outs[2], outs[0], rtol=0, atol=1e-9)
    assert outs[0].min() >= 10.0  # sysTEm temperatures are in K, the lowest 10 K


def test_estm_header_without_space_and_output_unit(thermo):
    estm = pd.read_csv(shared_data("thermoelectrics", "original_estm.csv")).head(200)
    f = ConditionFeatures(columns={"temperature(K)": {"category": "measurement", "unit": "degC"}}).fit(estm)
    assert list(f.get_feature_names_out()) == ["measurement: temperature [degC]"]
    np.testing.assert_allclose(f.transform(estm)[:, 0], estm["temperature(K)"] - 273.15, atol=1e-9)


def test_obelix_family_one_hot_and_lattice_in_nm(obelix):
    f = ConditionFeatures(
        columns={
            "Family": {"kind": "categorical", "category": "processing"},
            "a": {"category": "measurement", "input_unit": "Å", "unit": "nm", "name": "lattice a"},
        }
    )
    train, test = obelix.iloc[:300], obelix.iloc[300:]
    X = f.fit(train).transform(test)
    names = list(f.get_feature_names_out())
    families = sorted(train["Family"].dropna().unique())
    assert names == [f"processing: Family={c}" for c in families] + ["measurement: lattice a [nm]"]
    np.testing.assert_allclose(X[:, -1], test["a"].to_numpy() / 10, rtol=1e-12)
    block = X[:, :-1]
    missing = test["Family"].isna().to_numpy()
    unseen = (~missing) & ~test["Family"].isin(families).to_numpy()
    assert missing.any() and unseen.any()  # the real data have both
    assert np.isnan(block[missing]).all()
    assert (block[unseen] == 0).all()  # a family not seen in fit is none of the known ones
    seen = ~missing & ~unseen
    assert (block[seen].sum(axis=1) == 1).all()
    col = {c: i for i, c in enumerate(families)}
    for label, fam in test["Family"][seen].items():
        assert block[test.index.get_loc(label), col[fam]] == 1


def test_missing_indicator(obelix):
    f = ConditionFeatures(
        columns={"Family": {"kind": "categorical", "category": "processing", "missing": "indicator"}}
    )
    X = f.fit_transform(obelix)
    assert f.get_feature_names_out()[-1] == "processing: Family=missing"
    missing = obelix["Family"].isna().to_numpy()
    assert (X[missing, -1] == 1).all() and (X[missing, :-1] == 0).all()
    assert (X[~missing, -1] == 0).all() and not np.isnan(X).any()


def test_censored_value_names_row_field_and_value(obelix):
    f = ConditionFeatures(columns={"Ionic conductivity (S cm-1)": "measurement"}).fit(obelix.iloc[:3])
    assert list(f.get_feature_names_out()) == ["measurement: Ionic conductivity [S/cm]"]
    with pytest.raises(FeaturizeError) as info:
        f.transform(obelix)
    err = info.value
    assert (err.source, err.field, err.value) == ("row 47i", "Ionic conductivity (S cm-1)", "<1E-10")
    assert "bound" in err.problem and "S/cm" in str(err)
    lenient = clone(f).set_params(on_error="nan").fit(obelix.iloc[:3])
    X = lenient.transform(obelix)
    censored = obelix["Ionic conductivity (S cm-1)"].astype(str).str.match(r"^[<>]").to_numpy()
    assert [e.row for e in lenient.report_.errors] == obelix.index[censored].tolist()
    assert np.isnan(X[censored]).all()
    plain = pd.to_numeric(obelix["Ionic conductivity (S cm-1)"], errors="coerce").to_numpy()
    np.testing.assert_allclose(X[~censored, 0], plain[~censored], rtol=1e-12)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("hot", "not a number"), ("12 parsecs", "'pc' is a unit of length, not of time"), ("2", "has no unit")],
)
def test_bad_cells_name_row_field_value_and_expected_unit(cell, expected):
    df = pd.DataFrame(
        {"sintering_time": ["12 h", cell], "sintering_temperature [°C]": [1200, 1100]}, index=["s1", "s2"]
    )
    f = ConditionFeatures(
        columns={"sintering_time": "processing", "sintering_temperature [°C]": "processing"}
    )
    f.fit(df.iloc[:1])
    assert list(f.get_feature_names_out()) == [
        "processing: sintering_time [h]",
        "processing: sintering_temperature [K]",
    ]
    with pytest.raises(FeaturizeError) as info:
        f.transform(df)
    err = info.value
    assert (err.source, err.field, err.value) == ("row s2", "sintering_time", cell)
    assert expected in err.problem and "in h or another time unit" in err.problem


def test_units_from_cells_unit_column_header_and_room_temperature():
    df = pd.DataFrame(
        {
            "anneal": [600, "873.15 K", 1112, "RT"],
            "anneal_unit": ["°C", None, "°F", None],
            "time (min)": [30, "0.5 h", "1800 s", None],
        }
    )
    f = ConditionFeatures(
        columns={
            "anneal": {"category": "processing", "unit_column": "anneal_unit", "unit": "K"},
            "time (min)": {"category": "processing", "name": "anneal time", "unit": "h"},
        }
    )
    X = f.fit_transform(df)
    assert list(f.get_feature_names_out()) == ["processing: anneal [K]", "processing: anneal time [h]"]
    np.testing.assert_allclose(X[:, 0], [873.15, 873.15, 873.15, 298.15])
    np.testing.assert_allclose(X[:3, 1], [0.5, 0.5, 0.5])
    assert np.isnan(X[3, 1])


def test_output_unit_learned_from_first_unit_in_fit():
    rows = [{"probe conductivity": "1.2 mS/cm"}, {"probe conductivity": "3e-4 S/cm"}]
    f = ConditionFeatures(columns={"probe conductivity": "measurement"}).fit(rows)
    assert list(f.get_feature_names_out()) == ["measurement: probe conductivity [mS/cm]"]
    np.testing.assert_allclose(f.transform(rows)[:, 0], [1.2, 0.3])


def test_infer_on_hopv_device_columns(hopv):
    f = ConditionFeatures.infer(hopv, category="processing", columns=["architecture", "complement", "PCE"])
    assert f.columns == {
        "architecture": {"kind": "categorical", "category": "processing"},
        "complement": {"kind": "categorical", "category": "processing"},
        "PCE": {"kind": "numeric", "category": "processing"},
    }
    X = f.fit_transform(hopv)
    names = list(f.get_feature_names_out())
    assert names[:3] == [
        "processing: architecture=DSSC",
        "processing: architecture=bilayer",
        "processing: architecture=bulk",
    ]
    assert names[-1] == "processing: PCE"  # no unit anywhere: dimensionless
    assert np.nansum(X[:, :3], axis=0).tolist() == [64.0, 13.0, 270.0]
    assert np.isnan(X[hopv["architecture"].isna().to_numpy(), :3]).all()
    with pytest.raises(ValueError, match="'doi' has 78 distinct text values"):
        ConditionFeatures.infer(hopv, category="processing", columns=["doi"])


def test_configuration_errors(obelix):
    with pytest.raises(ValueError, match="category=None"):
        ConditionFeatures(columns={"a": {"kind": "numeric"}}).fit(obelix)
    with pytest.raises(ValueError, match="no column 'sintering_time'"):
        ConditionFeatures(columns={"sintering_time": "processing"}).fit(obelix)
    with pytest.raises(ValueError, match="kind='text'"):
        ConditionFeatures(columns={"Family": {"kind": "text", "category": "processing"}}).fit(obelix)
    with pytest.raises(ValueError, match="list must be a dict with a 'column' key"):
        ConditionFeatures(columns=["Family"]).fit(obelix)


def test_list_of_specs_and_pandas_output_keep_the_index(obelix):
    f = ConditionFeatures(columns=[{"column": "Z", "category": "measurement"}]).set_output(transform="pandas")
    out = f.fit_transform(obelix.head(5))
    assert list(out.index) == list(obelix.index[:5]) and list(out.columns) == ["measurement: Z"]
    assert out["measurement: Z"].tolist() == obelix["Z"].head(5).astype(float).tolist()


def test_split_unit_suffix():
    assert split_unit_suffix("Seebeck Coefficient (µV/K)") == ("Seebeck Coefficient", "uV/K")
    assert split_unit_suffix("Total Thermal Conductivity (W/mK)") == ("Total Thermal Conductivity", "W/(m*K)")
    assert split_unit_suffix("IC (Bulk)") == ("IC (Bulk)", None)
    assert split_unit_suffix("(K)") == ("(K)", None)
