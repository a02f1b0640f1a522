"""The element data table: sources, units and values equal to what matminer reads."""

from __future__ import annotations

import csv
import io
import warnings
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from matinfo.core.elements import ELEMENTS, element_property, element_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "explanation" / "element-data.md"


def test_loaded_once_and_read_only():
    t = element_table()
    assert element_table() is t
    assert t.values.shape == (118, len(t.columns)) and t.symbols == ELEMENTS
    with pytest.raises(ValueError):
        t.values[0, 0] = 1.0


def test_every_column_has_source_unit_description_and_missing_policy():
    t = element_table()
    assert set(t.info) == set(t.columns)
    for name, info in t.info.items():
        assert info.source in {"magpie", "pymatgen", "deml"}, name
        assert info.unit and info.description and info.reference and info.missing, name


def test_every_column_is_documented():
    text = DOC.read_text(encoding="utf-8")
    missing = [c for c in element_table().columns if f"`{c}`" not in text]
    assert not missing, f"columns not in {DOC.name}: {missing}"


def test_magpie_columns_equal_matminer_raw_and_imputed():
    data = pytest.importorskip("matminer.utils.data")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw, imputed = data.MagpieData(impute_nan=False), data.MagpieData()
    t = element_table()
    for name in (c for c in t.columns if t.info[c].source == "magpie"):
        a = np.array([raw.all_elemental_props[name][s] for s in ELEMENTS], dtype=float)
        b = np.array([imputed.all_elemental_props[name][s] for s in ELEMENTS], dtype=float)
        np.testing.assert_array_equal(t.column(name), a, err_msg=name)
        np.testing.assert_allclose(t.imputed(name), b, rtol=0, atol=1e-9, err_msg=name)
    assert t.lists["OxidationStates"][Z("Fe")] == (2.0, 3.0)


def Z(symbol: str) -> int:
    return ELEMENTS.index(symbol)


def test_magpie_copy_agrees_with_the_element_properties_csv():
    """Two shipped compilations of the same Magpie numbers must not drift apart."""
    text = (files("matinfo.data") / "element_properties" / "element_properties.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    t = element_table()
    pairs = {"magpie_MeltingT_K": "MeltingT", "magpie_HeatCapacityMass_J_per_gK": "HeatCapacityMass",
             "magpie_Density_g_per_L": "Density", "magpie_BulkModulus_GPa": "BulkModulus"}  # fmt: skip
    for csv_name, col in pairs.items():
        for row in rows:
            value = float(row[csv_name]) if row[csv_name] else np.nan
            assert np.isclose(value, t.column(col)[int(row["Z"]) - 1], equal_nan=True), (col, row["symbol"])


def test_deml_columns_equal_matminer_imputed():
    data = pytest.importorskip("matminer.utils.data")
    from pymatgen.core import Element

    deml = data.DemlData()
    t = element_table()
    for name in (c for c in t.columns if t.info[c].source == "deml"):
        key = name[5:].replace("FERE_correction", "FERE correction")
        ref = np.array([deml.get_elemental_property(Element(s), key) for s in ELEMENTS], dtype=float)
        np.testing.assert_allclose(t.imputed(name), ref, rtol=1e-12, atol=1e-9, err_msg=name)


def test_lookup_helpers():
    assert element_property("Cu", "HeatCapacityMass") == 0.385
    assert element_property(26, "MeltingT") == 1811.0
    assert np.isnan(element_property("Kr", "BulkModulus"))
    assert element_property("Kr", "BulkModulus", imputed=True) > 0
    with pytest.raises(KeyError, match="did you mean"):
        element_table().column("MeltingTemp")
    with pytest.raises(KeyError, match="unknown element"):
        element_property("Xx", "MeltingT")
