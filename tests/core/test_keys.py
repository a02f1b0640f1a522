"""Tests of matinfo.core.keys: canonical keys are exact, stable under float noise, and distance is named."""

from __future__ import annotations

import pytest
from pymatgen.core import Composition

from matinfo.core.formula import parse_formula
from matinfo.core.keys import (
    anonymous_formula,
    atomic_fractions,
    chemical_system,
    composition_distance,
    formula_hash,
    reduced_formula,
)
from matinfo.errors import FormulaError


def test_reduced_formula():
    assert reduced_formula(Composition("Li2Nb2O6")) == "LiNbO3"
    assert reduced_formula(Composition("Li7La3Zr2O12")) == "Li7La3Zr2O12"
    assert reduced_formula(parse_formula("CuSO4·5H2O")) == "CuH10SO9"
    assert reduced_formula("Ca3(PO4)2") == "Ca3(PO4)2"


def test_reduced_formula_is_stable_under_float_noise():
    noisy = Composition({"Li": 0.1 + 0.2, "Nb": 1.0000000001, "O": 3})
    clean = Composition({"Li": 0.3, "Nb": 1, "O": 3})
    assert reduced_formula(noisy) == reduced_formula(clean)
    evaluated = parse_formula("Li1+xAlxTi2-x(PO4)3", variables={"x": 0.1 + 0.2})
    assert reduced_formula(evaluated) == reduced_formula(Composition("Li1.3Al0.3Ti1.7P3O12"))


def test_chemical_system_and_anonymous_formula():
    assert chemical_system(Composition("NbLiO3")) == "Li-Nb-O"
    assert chemical_system(parse_formula("Li6.4La3Zr1.4Ta0.6O12")) == "La-Li-O-Ta-Zr"
    assert anonymous_formula(Composition("Fe2O3")) == anonymous_formula(Composition("Al4O6")) == "A2B3"
    assert anonymous_formula(Composition("LiNbO3")) == "ABC3"


def test_atomic_fractions():
    fr = atomic_fractions(Composition("LiNbO3"))
    assert fr == pytest.approx({"Li": 0.2, "Nb": 0.2, "O": 0.6})
    assert sum(fr.values()) == pytest.approx(1)
    assert atomic_fractions({"Li": 2, "O": 1}) == pytest.approx({"Li": 2 / 3, "O": 1 / 3})
    species = Composition({"Fe3+": 2, "O2-": 3})  # oxidation states are merged per element
    assert atomic_fractions(species) == pytest.approx({"Fe": 0.4, "O": 0.6})


def test_composition_distance():
    a, b = Composition("Li6.4La3Zr1.4Ta0.6O12"), Composition("Li7La3Zr2O12")
    d = composition_distance(a, b)
    assert d == pytest.approx(composition_distance(b, a))
    assert d == pytest.approx(
        0.5
        * sum(
            abs(atomic_fractions(a).get(e, 0) - atomic_fractions(b).get(e, 0))
            for e in ("Li", "La", "Zr", "Ta", "O")
        )
    )
    assert composition_distance("LiNbO3", "Li2Nb2O6") == 0.0
    assert composition_distance("NaCl", "LiF") == pytest.approx(1.0)
    assert composition_distance(Composition("Li2O"), Composition("Li2O2")) == pytest.approx(1 / 6)


def test_formula_hash_is_exact_identity():
    key = formula_hash(Composition("LiNbO3"))
    assert key == formula_hash(Composition("Li2Nb2O6")) == "Li:0.2;Nb:0.2;O:0.6"
    assert formula_hash(Composition("CO")) == formula_hash(Composition("OC"))
    assert formula_hash(Composition({"Li": 0.1 + 0.2, "O": 0.3})) == formula_hash(Composition("LiO"))
    # a dopant-level change is a different key (tolerant comparison is composition_distance's job)
    assert formula_hash(Composition("Pb0.975Ga0.025Te")) != formula_hash(Composition("PbTe"))
    assert formula_hash(parse_formula("Co")) != formula_hash(parse_formula("CO"))


def test_unresolved_and_empty_inputs_raise():
    with pytest.raises(FormulaError, match="no single composition: variable formula: x has no value"):
        reduced_formula(parse_formula("Li1-xNbO3"))
    with pytest.raises(FormulaError, match="no atoms"):
        atomic_fractions({})
    with pytest.raises(FormulaError, match="negative"):
        atomic_fractions({"Li": -1})
    with pytest.raises(TypeError):
        formula_hash(42)  # type: ignore[arg-type]
