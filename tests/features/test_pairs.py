"""PairFeatures: electrode|electrolyte pairs from OBELiX compositions, order and symmetry, pair-level features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matinfo.core.keys import composition_distance
from matinfo.errors import FeaturizeError
from matinfo.features import ElementFraction, ElementStats, MoleculeFeatures, PairFeatures
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def electrolytes() -> list[str]:
    df = pd.read_csv(shared_data("obelix", "obelix_train.csv"))
    return df["Reduced Composition"].tolist()[:120]


def _blocks(f: PairFeatures, X: np.ndarray) -> dict[str, np.ndarray]:
    names = list(f.get_feature_names_out())
    n = len(f.featurizer_.get_feature_names_out())
    return {names[k * n].split(": ")[0]: X[:, k * n : (k + 1) * n] for k in range(4)}


def test_ordered_pairs_sides_difference_ratio(electrolytes):
    pairs = [f"LiCoO2|{e}" for e in electrolytes]
    f = PairFeatures(featurizer=ElementStats(preset="magpie")).fit(pairs)
    X = f.transform(pairs)
    inner = ElementStats(preset="magpie")
    base = list(inner.get_feature_names_out())
    names = list(f.get_feature_names_out())
    assert names == [p + n for p in ("A: ", "B: ", "A-B: ", "A/B: ") for n in base] + [
        "composition distance",
        "shared elements",
    ]
    assert set(f.get_feature_categories_out()) == {"interface"}
    a = inner.transform(["LiCoO2"] * len(pairs))
    b = inner.transform(electrolytes)
    blocks = _blocks(f, X)
    np.testing.assert_array_equal(blocks["A"], a)
    np.testing.assert_array_equal(blocks["B"], b)
    np.testing.assert_allclose(blocks["A-B"], a - b, rtol=0, atol=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(b == 0, np.nan, a / b)
    np.testing.assert_array_equal(blocks["A/B"], ratio)
    assert not np.isinf(X).any()
    dist = [composition_distance("LiCoO2", e) for e in electrolytes]
    np.testing.assert_allclose(X[:, -2], dist, rtol=1e-12)
    shared = [len({"Li", "Co", "O"} & set(ElementFraction()._prepare(e))) for e in electrolytes]
    assert X[:, -1].tolist() == shared


def test_ordered_order_matters_and_swapping_negates_the_difference():
    f = PairFeatures(featurizer=ElementStats(preset="magpie")).fit(["Al2O3|Si"])
    ab, ba = f.transform(["Al2O3|Si", "Si|Al2O3"])
    n = len(f.featurizer_.get_feature_names_out())
    np.testing.assert_array_equal(ab[:n], ba[n : 2 * n])
    np.testing.assert_array_equal(ab[2 * n : 3 * n], -ba[2 * n : 3 * n])
    assert not np.array_equal(ab, ba, equal_nan=True)
    assert ab[-2] == ba[-2] == 1.0 and ab[-1] == 0.0  # no element in common


def test_zero_denominators_give_nan_not_inf():
    f = PairFeatures(featurizer=ElementFraction(max_z=8)).fit(["Li2O|Li"])
    row = dict(zip(f.get_feature_names_out(), f.transform(["Li2O|Li"])[0], strict=True))
    assert np.isnan(row["A/B: O"])  # x/0
    assert np.isnan(row["A/B: He"])  # 0/0
    assert row["A/B: Li"] == pytest.approx(2 / 3)


def test_unordered_is_symmetric(electrolytes):
    f = PairFeatures(ordered=False).fit(["Al2O3|Si"])
    forward = f.transform([f"LiCoO2|{e}" for e in electrolytes] + ["GaN|SiC"])
    backward = f.transform([(e, "LiCoO2") for e in electrolytes] + [("SiC", "GaN")])
    np.testing.assert_array_equal(forward, backward)
    names = list(f.get_feature_names_out())
    assert names[0].startswith("min: ") and any(n.startswith("|A-B|: ") for n in names)
    assert any(n.startswith("max/min: ") for n in names)
    blocks = _blocks(f, forward)
    assert (blocks["min"] <= blocks["max"]).all()
    assert (blocks["|A-B|"] >= 0).all()
    np.testing.assert_allclose(blocks["|A-B|"], blocks["max"] - blocks["min"], atol=1e-9)


def test_input_forms_agree_and_dataframe_labels_errors():
    f = PairFeatures(featurizer=ElementFraction()).fit(["Al2O3|Si"])
    strings = f.transform(["Al2O3|Si", "GaN | SiC"])
    tuples = f.transform([("Al2O3", "Si"), ("GaN", "SiC")])
    frame = f.transform(pd.DataFrame({"film": ["Al2O3", "GaN"], "substrate": ["Si", "SiC"]}))
    array = f.transform(np.array([["Al2O3", "Si"], ["GaN", "SiC"]], dtype=object))
    for other in (tuples, frame, array):
        np.testing.assert_array_equal(other, strings)
    bad = pd.DataFrame({"film": ["Al2O3", "Xx2O3"], "substrate": ["Si", "Si"]}, index=["s1", "s2"])
    with pytest.raises(FeaturizeError) as info:
        f.transform(bad)
    assert info.value.source == "row s2" and info.value.field == "A" and "Xx" in info.value.problem
    with pytest.raises(ValueError, match="two columns"):
        f.transform(pd.DataFrame({"a": ["Si"], "b": ["Si"], "c": ["Si"]}))


@pytest.mark.parametrize(
    ("pair", "expected"),
    [
        ("Al2O3", "separated by '|'"),
        ("Cu|Al|Si", "3 non-empty"),
        ("Al2O3|", "empty side"),
        ("Si|Qq", "side B"),
    ],
)
def test_bad_pairs_name_the_row(pair, expected):
    f = PairFeatures(featurizer=ElementFraction()).fit(["Al2O3|Si"])
    with pytest.raises(FeaturizeError) as info:
        f.transform(["Al2O3|Si", pair])
    assert info.value.source == "row 1" and expected in str(info.value)
    lenient = PairFeatures(featurizer=ElementFraction(), on_error="nan").fit(["Al2O3|Si"])
    X = lenient.transform(["Al2O3|Si", pair])
    assert np.isnan(X[1]).all() and not np.isnan(X[0]).all()


def test_fit_clones_the_inner_featurizer_and_citations():
    inner = ElementFraction(max_z=20)
    f = PairFeatures(featurizer=inner).fit(["Al2O3|Si"])
    assert f.featurizer_ is not inner and not hasattr(inner, "feature_names_out_")
    cites = f.citations()
    assert cites[:-1] == inner.citations()
    assert "Predicting interfacial thermal resistance by machine learning" in cites[-1]
    assert "10.1038/s41524-019-0193-0" in cites[-1]


def test_molecule_pairs_have_no_composition_features():
    hopv = pd.read_csv(shared_data("hopv15", "hopv.csv"))
    donors = hopv["smiles"].tolist()[:6]
    pairs = list(zip(donors[:3], donors[3:], strict=True))
    f = PairFeatures(featurizer=MoleculeFeatures(n_bits=0), ordered=False).fit(pairs)
    X = f.transform(pairs)
    names = list(f.get_feature_names_out())
    assert names[0] == "min: MolWt" and "composition distance" not in names
    assert X.shape == (3, 4 * len(MoleculeFeatures(n_bits=0).get_feature_names_out()))
    np.testing.assert_array_equal(X, f.transform([(b, a) for a, b in pairs]))


def test_a_missing_side_gives_a_missing_row():
    f = PairFeatures(featurizer=ElementFraction()).fit(["Al2O3|Si"])
    X = f.transform(pd.DataFrame({"film": ["Al2O3", None, "GaN"], "substrate": ["Si", "Si", np.nan]}))
    assert not np.isnan(X[0]).all() and np.isnan(X[1:]).all()
    assert f.report_.missing == [1, 2] and f.report_.n_failed == 0
