"""Stoichiometry, ValenceOrbital and IonicProperty equal their matminer counterparts on real compositions."""

from __future__ import annotations

import warnings
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

from matinfo.errors import FeaturizeError
from matinfo.features import IonicProperty, Stoichiometry, ValenceOrbital
from matinfo.features.ionic import charge_balanced

matminer = pytest.importorskip("matminer.featurizers.composition")
Composition = pytest.importorskip("pymatgen.core").Composition


@pytest.fixture(scope="module")
def formulas() -> list[str]:
    with (files("matinfo.data") / "matbench_v0.1" / "matbench_expt_gap.csv.gz").open("rb") as f:
        gap = pd.read_csv(f, compression="gzip")["composition"].tolist()
    with (files("matinfo.data") / "matbench_v0.1" / "matbench_glass.csv.gz").open("rb") as f:
        glass = pd.read_csv(f, compression="gzip")["composition"].tolist()
    return gap[::25] + glass[::60]  # ~190 + ~95 real compositions, integer and fractional amounts


def _reference(featurizer, formulas):
    """matminer's values, and which rows it could featurize at all."""
    rows, ok = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in formulas:
            try:
                rows.append(featurizer.featurize(Composition(f)))
                ok.append(True)
            except ValueError:
                rows.append([np.nan] * len(featurizer.feature_labels()))
                ok.append(False)
    return np.array(rows, dtype=float), np.array(ok)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (Stoichiometry(), "Stoichiometry"),
        (ValenceOrbital(), "ValenceOrbital"),
        (ValenceOrbital(orbitals=("d", "f"), props=("frac",)), "ValenceOrbital"),
    ],
)
def test_equals_matminer(formulas, ours, theirs):
    params = {k: v for k, v in ours.get_params().items() if k in ("orbitals", "props")}
    ref = getattr(matminer, theirs)(**params)
    expected, ok = _reference(ref, formulas)
    assert ok.all() and len(formulas) >= 200
    assert list(ours.get_feature_names_out()) == ref.feature_labels()
    got = ours.transform(formulas)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    assert np.nanmax(np.abs(got - expected)) <= 1e-9


def test_ionic_property_equals_matminer(formulas):
    ref = matminer.IonProperty()
    expected, ok = _reference(ref, formulas)
    assert ok.sum() >= 150  # matminer fails on non-integer amounts
    ours = IonicProperty()
    assert list(ours.get_feature_names_out()) == ref.feature_labels()
    got = ours.transform(formulas)
    np.testing.assert_allclose(got[ok], expected[ok], rtol=0, atol=1e-12)
    assert np.isnan(got[~ok, 0]).all() and not np.isnan(got[:, 1:]).any()
    assert set(got[ok, 0]) == {0.0, 1.0}


def test_charge_balance_handles_mixed_valence_like_pymatgen():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for formula in ["Fe3O4", "Mn3O4", "Pb3O4", "NaCl2", "Fe80B20", "Cu2O", "Al2O3", "He2O"]:
            comp = Composition(formula)
            common = {e.symbol: e.common_oxidation_states for e in comp.elements}
            expected = float(len(comp.oxi_state_guesses(oxi_states_override=common)) > 0)
            assert charge_balanced(comp.get_el_amt_dict()) == expected, formula


def test_stoichiometry_rejects_negative_norms():
    with pytest.raises(ValueError, match="p >= 0"):
        Stoichiometry(p_list=(-1,)).get_feature_names_out()


@pytest.mark.parametrize("cls", [Stoichiometry, ValenceOrbital, IonicProperty])
def test_bad_rows_name_the_row(cls):
    with pytest.raises(FeaturizeError) as info:
        cls().transform(["Fe2O3", "Xx2O3"])
    assert info.value.source == "row 1"
