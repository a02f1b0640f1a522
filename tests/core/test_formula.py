"""Unit tests of matinfo.core.formula: every printed notation, the affine machinery and the error messages."""

from __future__ import annotations

import math
from dataclasses import FrozenInstanceError

import numpy as np
import pytest
from pymatgen.core import Composition

from matinfo.core.formula import Amount, ParsedFormula, parse_formula
from matinfo.errors import FormulaError


def amounts_text(p: ParsedFormula) -> dict[str, str]:
    return {el: str(a) for el, a in p.amounts.items()}


def assert_comp(p: ParsedFormula, expected: dict[str, float]) -> None:
    assert p.is_resolved, p.reason
    assert p.composition.almost_equals(Composition(expected), rtol=0, atol=1e-9), (p.composition, expected)
    assert p.composition.get_el_amt_dict().keys() == expected.keys()


# --- concrete notations ----------------------------------------------------------------------------------
CONCRETE = [
    ("LiNbO3", {"Li": 1, "Nb": 1, "O": 3}, set()),
    ("Li7La3Zr2O12", {"Li": 7, "La": 3, "Zr": 2, "O": 12}, set()),
    ("Li6.4La3Zr1.4Ta0.6O12", {"Li": 6.4, "La": 3, "Zr": 1.4, "Ta": 0.6, "O": 12}, set()),
    ("[Li0.95Nb0.01]NbO3", {"Li": 0.95, "Nb": 1.01, "O": 3}, {"bracket-site"}),
    ("[Li0.95Nb0.03]Nb0.98O3", {"Li": 0.95, "Nb": 1.01, "O": 3}, {"bracket-site"}),
    ("CuSO4·5H2O", {"Cu": 1, "S": 1, "O": 9, "H": 10}, {"hydrate"}),
    ("CuSO4•5H2O", {"Cu": 1, "S": 1, "O": 9, "H": 10}, {"hydrate"}),
    ("CuSO4∙5H2O", {"Cu": 1, "S": 1, "O": 9, "H": 10}, {"hydrate"}),
    ("CuSO4*5H2O", {"Cu": 1, "S": 1, "O": 9, "H": 10}, {"hydrate"}),
    ("CuSO4.5H2O", {"Cu": 1, "S": 1, "O": 9, "H": 10}, {"hydrate"}),
    ("CuSO4 . 5H2O", {"Cu": 1, "S": 1, "O": 9, "H": 10}, {"hydrate"}),
    ("CaSO4.0.5H2O", {"Ca": 1, "S": 1, "O": 4.5, "H": 1}, {"hydrate"}),
    ("LiOH.H2O", {"Li": 1, "O": 2, "H": 3}, {"hydrate"}),
    ("Mg(ClO4)2·6H2O", {"Mg": 1, "Cl": 2, "O": 14, "H": 12}, {"hydrate", "parentheses"}),
    ("Ca3(PO4)2", {"Ca": 3, "P": 2, "O": 8}, {"parentheses"}),
    ("K3{Fe(CN)6}", {"K": 3, "Fe": 1, "C": 6, "N": 6}, {"parentheses"}),
    ("Ca10(PO4)6(OH)2", {"Ca": 10, "P": 6, "O": 26, "H": 2}, {"parentheses"}),
    ("Pb0.975 Ga0.025 Te1", {"Pb": 0.975, "Ga": 0.025, "Te": 1}, set()),
    ("Li₂O", {"Li": 2, "O": 1}, set()),
    ("  LiNbO3\t", {"Li": 1, "Nb": 1, "O": 3}, set()),
    ("CO", {"C": 1, "O": 1}, set()),
    ("Co", {"Co": 1}, set()),
    ("Sn", {"Sn": 1}, set()),
    ("Li.5Co.5O", {"Li": 0.5, "Co": 0.5, "O": 1}, set()),
    ("Ti3/2O3", {"Ti": 1.5, "O": 3}, set()),
]


@pytest.mark.parametrize(("text", "expected", "tags"), CONCRETE, ids=[c[0] for c in CONCRETE])
def test_concrete_notations(text, expected, tags):
    p = parse_formula(text)
    assert_comp(p, expected)
    assert p.notation == frozenset(tags)
    assert p.variables == () and p.reason is None and p.original == text


def test_amounts_keep_written_order_and_merge_repeats():
    p = parse_formula("CuSO4·5H2O")
    assert list(p.amounts) == ["Cu", "S", "O", "H"] == list(p.elements)
    assert p.amounts["O"] == Amount(9.0)


def test_bracket_sites_are_recorded():
    p = parse_formula("[Li0.95Nb0.03]Nb0.98O3")
    assert len(p.sites) == 1
    assert {k: float(v) for k, v in p.sites[0].items()} == {"Li": 0.95, "Nb": 0.03}
    q = parse_formula("[Li1-x]2[Nb]O3")
    assert [amounts_text_map(g) for g in q.sites] == [{"Li": "2-2x"}, {"Nb": "1"}]


def amounts_text_map(g):
    return {k: str(v) for k, v in g.items()}


def test_hydrate_dot_and_decimal_dot_are_told_apart():
    assert parse_formula("Li6.4La3").notation == frozenset()
    assert parse_formula("CuSO4.5H2O").notation == frozenset({"hydrate"})


# --- variable formulas -----------------------------------------------------------------------------------
VARIABLE = [
    ("Li1+xAlxTi2-x(PO4)3", {"Li": "1+x", "Al": "x", "Ti": "2-x", "P": "3", "O": "12"}, ("x",)),
    ("LiyNb1-yTizO2.5-2y+2z", {"Li": "y", "Nb": "1-y", "Ti": "z", "O": "2.5-2y+2z"}, ("y", "z")),
    ("La1-xSrxMnO3-δ", {"La": "1-x", "Sr": "x", "Mn": "1", "O": "3-delta"}, ("x", "delta")),
    ("La1−xSrxMnO3−δ", {"La": "1-x", "Sr": "x", "Mn": "1", "O": "3-delta"}, ("x", "delta")),
    ("La1–xSrxMnO3-d", {"La": "1-x", "Sr": "x", "Mn": "1", "O": "3-d"}, ("x", "d")),
    ("CaSO4·xH2O", {"Ca": "1", "S": "1", "O": "4+x", "H": "2x"}, ("x",)),
    ("CaSO4·x H2O", {"Ca": "1", "S": "1", "O": "4+x", "H": "2x"}, ("x",)),
    ("Ti1-x/2O2", {"Ti": "1-0.5x", "O": "2"}, ("x",)),
    ("La(1-x)Sr(x)MnO3", {"La": "1-x", "Sr": "x", "Mn": "1", "O": "3"}, ("x",)),
    ("Nby", {"Nb": "y"}, ("y",)),
    ("(1-x)Li2O·xB2O3", {"Li": "2-2x", "O": "1+2x", "B": "2x"}, ("x",)),
    ("Li3x(PO4)", {"Li": "3x", "P": "1", "O": "4"}, ("x",)),
]


@pytest.mark.parametrize(("text", "amounts", "names"), VARIABLE, ids=[v[0] for v in VARIABLE])
def test_variable_formulas(text, amounts, names):
    p = parse_formula(text)
    assert amounts_text(p) == amounts
    assert p.variables == names
    assert "variable" in p.notation
    assert not p.is_resolved and p.composition is None
    assert all(n in p.reason for n in names) and "variables=" in p.reason


def test_resolved_with_values():
    p = parse_formula("Li1+xAlxTi2-x(PO4)3", variables={"x": 0.3})
    assert_comp(p, {"Li": 1.3, "Al": 0.3, "Ti": 1.7, "P": 3, "O": 12})
    assert p.is_resolved and p.reason is None and "variable" in p.notation
    assert dict(p.values) == {"x": 0.3}


def test_delta_value_by_either_name_and_unknown_names_ignored():
    a = parse_formula("La1-xSrxMnO3-δ", variables={"x": 0.2, "δ": 0.1, "q": 5})
    b = parse_formula("La1-xSrxMnO3-δ", variables={"x": 0.2, "delta": 0.1})
    assert a.composition.almost_equals(b.composition)
    assert_comp(a, {"La": 0.8, "Sr": 0.2, "Mn": 1, "O": 2.9})
    assert dict(a.values) == {"x": 0.2, "delta": 0.1}


def test_partial_values_leave_reason_for_the_rest():
    p = parse_formula("LiyNb1-yTizO2.5-2y+2z", variables={"y": 0.5})
    assert not p.is_resolved
    assert p.reason == "variable formula: z has no value; give it with variables={'z': ...}"
    els, free, const, coef = p.affine_arrays()
    assert free == ("z",)
    np.testing.assert_allclose(const, [0.5, 0.5, 0.0, 1.5])
    np.testing.assert_allclose(coef[:, 0], [0, 0, 1, 2])


def test_evaluate():
    p = parse_formula("LiyNb1-yTizO2.5-2y+2z")
    c = p.evaluate(y=0.5, z=0.25)
    assert c.almost_equals(Composition({"Li": 0.5, "Nb": 0.5, "Ti": 0.25, "O": 2.0}))
    assert p.evaluate(y=1, z=0).get_el_amt_dict() == {"Li": 1.0, "O": 0.5}  # zero amounts are dropped
    with pytest.raises(FormulaError, match=r"z has no value.*evaluate\(z=\.\.\.\)"):
        p.evaluate(y=0.5)
    with pytest.raises(FormulaError, match=r"amount of Nb '1-y' is -1 < 0 for y=2"):
        p.evaluate(y=2, z=0)


def test_affine_arrays():
    els, names, const, coef = parse_formula("Li1+xAlxTi2-x(PO4)3").affine_arrays()
    assert els == ("Li", "Al", "Ti", "P", "O") and names == ("x",)
    assert const.shape == (5,) and coef.shape == (5, 1)
    v = np.array([0.3])
    np.testing.assert_allclose(const + coef @ v, [1.3, 0.3, 1.7, 3, 12])
    els, names, const, coef = parse_formula("LiNbO3").affine_arrays()
    assert names == () and coef.shape == (3, 0)


@pytest.mark.parametrize(
    ("text", "required"),
    [
        ("Li1+xAlxTi2-x(PO4)3", ("Li", "P", "O")),
        ("LiyNb1-yTizO2.5-2y+2z", ("O",)),
        ("La1-xSrxMnO3-δ", ("Mn",)),  # O can reach 0 at delta = 3
        ("LiNbO3", ("Li", "Nb", "O")),
        ("Li1+x-xO", ("Li", "O")),
        ("Li2-x-yNbO3", ("Nb", "O")),
    ],
)
def test_required_elements(text, required):
    assert parse_formula(text).required_elements == required


def test_closest_fractions():
    p = parse_formula("La1-xSrxMnO3-δ")
    d, v = p.closest_fractions({"La": 0.7, "Sr": 0.3, "Mn": 1, "O": 2.9})
    assert d == pytest.approx(0, abs=1e-9)
    assert v["x"] == pytest.approx(0.3) and v["delta"] == pytest.approx(0.1)
    d, v = parse_formula("CaSO4·xH2O").closest_fractions({"Ca": 1, "S": 1, "O": 6, "H": 4})
    assert d == pytest.approx(0, abs=1e-9) and v["x"] == pytest.approx(2)
    # resolved formula: plain total-variation distance; Ta is not in the formula
    d, v = parse_formula("LiNbO3").closest_fractions({"Li": 1, "Nb": 1, "O": 3, "Ta": 0.1})
    assert v == {} and d == pytest.approx(0.1 / 5.1)
    d, _ = parse_formula("LixNayCl").closest_fractions({"K": 1})
    assert d == pytest.approx(1.0)
    # unbounded improvement: the value sits at max_value
    d, v = parse_formula("NbTizO2.5+2z").closest_fractions({"Ti": 1, "O": 2}, max_value=10)
    assert v["z"] == pytest.approx(10) and 0 < d < 0.05


def test_closest_fractions_rejects_bad_targets():
    p = parse_formula("Li1-xNbO3")
    for bad in ({}, {"Li": -1, "O": 2}, {"Li": 0}):
        with pytest.raises(FormulaError, match="target amounts"):
            p.closest_fractions(bad)


def test_parsed_formula_is_frozen_and_hashable():
    p = parse_formula("Li1-xNbO3", variables={"x": 0.1})
    with pytest.raises(FrozenInstanceError):
        p.original = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        p.amounts["Li"] = Amount(1.0)  # type: ignore[index]
    assert hash(p) == hash(parse_formula("Li1-xNbO3", variables={"x": 0.1}))
    assert p == parse_formula("Li1-xNbO3", variables={"x": 0.1})
    assert "Li1-xNbO3" in repr(p)


def test_amount_algebra():
    x = Amount.var("x")
    a = Amount(2.5) - 2 * Amount.var("y") + Amount.var("z", 2)
    assert str(a) == "2.5-2y+2z" and a.variables == ("y", "z")
    assert (x - x).is_constant and str(x - x) == "0"
    assert Amount(1.0) + x == x + 1.0
    assert float(Amount(3.0)) == 3.0
    with pytest.raises(TypeError):
        float(x)
    with pytest.raises(ValueError, match="not affine"):
        _ = x * Amount.var("y")
    assert a.substitute({"y": 1.0}) == Amount(0.5, (("z", 2.0),))


# --- errors ----------------------------------------------------------------------------------------------
ERRORS = [
    ("", "empty formula", "LiNbO3"),
    ("   ", "empty formula", "LiNbO3"),
    ("Xx2O", "unknown element 'Xx' at position 0", "case-sensitive"),
    ("D2O", "unknown element 'D'", "write 'H'"),
    ("Ca3(PO4", "')' expected but the end found at position 7", "close every bracket"),
    ("Ca3PO4)2", "unbalanced ')' at position 6", "remove it"),
    ("[Li(O]", "')' expected but ']' found", "close every bracket"),
    ("Li()", "empty group '()'", "remove it"),
    ("Ti2-3O2", "amount '2-3' = -1 is negative at position 2", "non-negative"),
    ("Fe3+", "'+' is not followed by an amount at position 3", "charges are not supported"),
    ("O2-", "'-' is not followed by an amount", "charges are not supported"),
    ("Ti-xO2", "unexpected sign '-' at position 2", "Ti2-x"),
    ("LixyO", "'xy' is not a variable at position 2", "products of variables are not affine"),
    ("li2o", "'li' is not a variable", "did you mean 'Li'"),
    (
        "[Li1-x]yO",
        "amount 'y' multiplies a group whose amounts contain variables at position 7",
        "not affine",
    ),
    ("Ti1-x/yO2", "division by a variable is not affine", "non-zero number"),
    ("Li1/0O", "divisor '0O' is not a non-zero number", "non-zero number"),
    ("LiNbO3.", "stray '.' at position 6", "CuSO4·5H2O"),
    ("Li2 3O", "number '3' does not follow an element or group at position 4", "without spaces"),
    ("5", "multiplier '5' is not followed by a formula", "5H2O"),
    ("CuSO4·", "empty hydrate part at position 6", "both sides"),
    ("Li$O", "unexpected character '$' at position 2", "element symbols"),
    ("Li0", "every amount is zero", "needs atoms"),
    ("Li" + "9" * 400, "too large", "ordinary numbers"),
]


@pytest.mark.parametrize(("text", "problem", "hint"), ERRORS, ids=[e[0] or "empty" for e in ERRORS])
def test_errors_name_value_position_and_fix(text, problem, hint):
    with pytest.raises(FormulaError) as info:
        parse_formula(text)
    msg = str(info.value)
    assert problem in msg and hint in msg
    assert repr(text) in msg  # the bad value is named
    assert info.value.value == text and info.value.hint


def test_errors_carry_source_line_field():
    with pytest.raises(FormulaError) as info:
        parse_formula("Xx2O", source="table2.csv", line=7, field="formula")
    err = info.value
    assert (err.source, err.line, err.field) == ("table2.csv", 7, "formula")
    assert str(err).startswith("table2.csv:7, field 'formula', value 'Xx2O': unknown element 'Xx'")
    assert isinstance(err, ValueError)


def test_errors_for_values():
    with pytest.raises(FormulaError, match=r"amount of Li '1-x' is -1 < 0 for x=2") as info:
        parse_formula("Li1-xO", variables={"x": 2}, source="s.csv", line=2)
    assert info.value.line == 2
    with pytest.raises(FormulaError, match="no value of y keeps every amount non-negative with x=2"):
        parse_formula("Li1-x-yO", variables={"x": 2})
    with pytest.raises(FormulaError, match="not a finite number"):
        parse_formula("Li1-xO", variables={"x": "abc"})
    with pytest.raises(FormulaError, match="not a finite number"):
        parse_formula("Li1-xO", variables={"x": math.nan})
    with pytest.raises(FormulaError, match="must be a string"):
        parse_formula(None)  # type: ignore[arg-type]
