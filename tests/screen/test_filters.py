"""Feasibility filters on real formulas: elements, charge balance, known phases, pairs, user predicates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matinfo.errors import ParameterError
from matinfo.screen import ChargeBalanced, Elements, KnownPhases, NoSharedElements, Predicate
from matinfo.screen.filters import as_filter

CHUNK = pd.DataFrame(
    {"formula": ["PbTe", "Bi0.4Sb1.6Te3", "AgSbTe2", "Cu2Se", "NaCl2", "Xx2O", "Mg2Si0.3Sn0.7"]}
)
COLS = ("formula",)


def test_elements_filter():
    assert Elements(exclude=["Pb", "Cd"]).mask(CHUNK, COLS).tolist() == [
        False,
        True,
        True,
        True,
        True,
        True,
        True,
    ]
    assert Elements(allowed=["Bi", "Sb", "Te", "Pb"]).mask(CHUNK, COLS).tolist() == [
        True,
        True,
        False,
        False,
        False,
        True,
        False,
    ]
    assert Elements(required=["Te"], max_elements=2).mask(CHUNK, COLS).tolist() == [
        True,
        False,
        False,
        False,
        False,
        True,
        False,
    ]
    # "Xx2O" cannot be read: kept for the featurizer to report, never dropped silently
    assert Elements(min_elements=3).mask(CHUNK, COLS).tolist() == [
        False,
        True,
        True,
        False,
        False,
        True,
        True,
    ]
    assert "without Pb" in Elements(exclude=["Pb"]).name
    with pytest.raises(ParameterError, match="'Qq' is not an element symbol"):
        Elements(exclude=["Qq"])


def test_charge_balance_scales_fractional_amounts():
    # Bi0.4Sb1.6Te3 -> Bi2Sb8Te15 (x5): Bi3+ Sb3+ Te2- balances; NaCl2 cannot; Mg2Si0.3Sn0.7 -> Mg20Si3Sn7.
    # Cu2Se fails: pymatgen's *common* oxidation states of Cu are (2,) only - the test is a screen, not a verdict
    assert ChargeBalanced().mask(CHUNK, COLS).tolist() == [True, True, True, False, False, True, True]
    odd = pd.DataFrame({"formula": ["Bi0.3333Te0.6667", "LiFePO4"]})
    assert ChargeBalanced(max_denominator=3).mask(odd, COLS).tolist() == [
        False,
        True,
    ]  # Bi1Te2 does not balance
    assert ChargeBalanced(max_denominator=2, unknown="drop").mask(odd, COLS).tolist() == [False, True]
    assert ChargeBalanced(max_denominator=2, unknown="keep").mask(odd, COLS).tolist() == [True, True]
    with pytest.raises(ParameterError, match="unknown='maybe'"):
        ChargeBalanced(unknown="maybe")


def test_known_phases_compare_by_fractions(db):
    known = KnownPhases(["Bi2Te3", "PbTe", "Si"])
    chunk = pd.DataFrame(
        {"formula": ["Bi4Te6", "Bi2Te2", "TePb"], "pair": ["Si|PbTe", "Si|SnTe", "Bi4Te6|Pb1Te1"]}
    )
    assert known.mask(chunk, ("formula",)).tolist() == [True, False, True]
    assert known.mask(chunk, ("pair",)).tolist() == [True, False, True]
    assert KnownPhases(["Bi2Te3"], keep="novel").mask(chunk, ("formula",)).tolist() == [False, True, True]
    for f in ("PbTe", "SnSe"):
        db.add_material(f)
    from_db = KnownPhases.from_store(db)
    assert from_db.mask(pd.DataFrame({"formula": ["Pb2Te2", "SnTe"]}), ("formula",)).tolist() == [True, False]
    with pytest.raises(ParameterError, match="at least one readable formula"):
        KnownPhases(["Xx"])


def test_pairs_are_filtered_side_by_side():
    pairs = pd.DataFrame({"pair": ["Bi|Si", "Bi2Te3|Te", "PbTe|SiO2", "Al2O3|Xx"]})
    assert NoSharedElements().mask(pairs, ("pair",)).tolist() == [True, False, True, True]
    assert Elements(exclude=["Pb"]).mask(pairs, ("pair",)).tolist() == [True, True, False, True]
    with pytest.raises(ParameterError, match="applies to pairs"):
        NoSharedElements().mask(CHUNK, COLS)
    with pytest.raises(ParameterError, match="no column 'pair'"):
        Elements(exclude=["Pb"]).mask(CHUNK, ("pair",))


def test_predicate():
    short = as_filter(lambda c: (c["formula"].str.len() <= 4).to_numpy())
    assert short.mask(CHUNK, COLS).tolist() == [True, False, False, False, False, True, False]
    with pytest.raises(ParameterError, match="one bool per row"):
        Predicate(lambda c: np.ones(2, dtype=bool), name="two").mask(CHUNK, COLS)
    with pytest.raises(ParameterError, match="must have mask"):
        as_filter(42)
