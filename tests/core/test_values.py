"""Tests of matinfo.core.values: measured values and conditions read from table and paper notations."""

from __future__ import annotations

import dataclasses
import math

import pytest

from matinfo.core.values import (
    ATMOSPHERIC_PRESSURE_GPA,
    ROOM_TEMPERATURE_K,
    Condition,
    Measured,
    parse_condition,
    parse_measured,
)
from matinfo.errors import QuantityError, UnitError

# text, value, uncertainty, bound, unit
CASES = [
    ("1.58489e-06", 1.58489e-06, None, None, None),
    ("1.58489E-06", 1.58489e-06, None, None, None),
    ("42", 42.0, None, None, None),
    ("-3.2", -3.2, None, None, None),
    ("−3.2", -3.2, None, None, None),  # unicode minus
    ("+7", 7.0, None, None, None),
    (".5", 0.5, None, None, None),
    ("5.", 5.0, None, None, None),
    ("1.2e+03", 1200.0, None, None, None),
    ("  3.0  ", 3.0, None, None, None),
    ("5,000", 5000.0, None, None, None),
    ("1,234,567.5", 1234567.5, None, None, None),
    ("<1e-8", 1e-8, None, "<", None),
    ("<1E-8", 1e-8, None, "<", None),
    ("< 1e-8", 1e-8, None, "<", None),
    ("<=1e-8", 1e-8, None, "<=", None),
    ("≤1e-8", 1e-8, None, "<=", None),
    (">300", 300.0, None, ">", None),
    (">=300", 300.0, None, ">=", None),
    ("≥ 300", 300.0, None, ">=", None),
    ("~5", 5.0, None, "~", None),
    ("≈5", 5.0, None, "~", None),
    ("ca. 5", 5.0, None, "~", None),
    ("approx. 5", 5.0, None, "~", None),
    ("1.2(3)", 1.2, 0.3, None, None),
    ("1.234(5)", 1.234, 0.005, None, None),
    ("12(3)", 12.0, 3.0, None, None),
    ("1.2(13)", 1.2, 1.3, None, None),
    ("1.2(3)e-4", 1.2e-4, 0.3e-4, None, None),
    ("5.431(2) Å", 5.431, 0.002, None, "Å"),
    ("1.2 ± 0.3", 1.2, 0.3, None, None),
    ("1.2±0.3", 1.2, 0.3, None, None),
    ("1.2+/-0.3", 1.2, 0.3, None, None),
    ("1.2 +- 0.3", 1.2, 0.3, None, None),
    ("(1.2 ± 0.3)e-4", 1.2e-4, 0.3e-4, None, None),
    ("(1.2 ± 0.3)×10^-4 S/cm", 1.2e-4, 0.3e-4, None, "S/cm"),
    ("1.2 ± 0.3 ×10⁻⁴", 1.2e-4, 0.3e-4, None, None),
    ("1.2e-4 ± 3e-5 S/cm", 1.2e-4, 3e-5, None, "S/cm"),
    ("~1.2 ± 0.3", 1.2, 0.3, "~", None),
    ("1.2×10^-3", 1.2e-3, None, None, None),
    ("1.2 × 10^-3", 1.2e-3, None, None, None),
    ("1.2x10-3", 1.2e-3, None, None, None),
    ("1.2x10^3", 1.2e3, None, None, None),
    ("1.2*10^-3", 1.2e-3, None, None, None),
    ("1.2·10⁻³", 1.2e-3, None, None, None),
    ("1.2×10−3", 1.2e-3, None, None, None),
    ("10^-4", 1e-4, None, None, None),
    ("~10^-4 S/cm", 1e-4, None, "~", "S/cm"),
    ("3.4e-4 S/cm", 3.4e-4, None, None, "S/cm"),
    ("3.4e-4 S cm-1", 3.4e-4, None, None, "S/cm"),
    ("0.1 mS cm-1", 0.1, None, None, "mS/cm"),
    ("1.2·10⁻³ S·cm⁻¹", 1.2e-3, None, None, "S/cm"),
    ("25 °C", 25.0, None, None, "degC"),
    ("25°C", 25.0, None, None, "degC"),
    ("300K", 300.0, None, None, "K"),
    ("300 K", 300.0, None, None, "K"),
    ("-120 µV/K", -120.0, None, None, "uV/K"),
    ("1.5 W/mK", 1.5, None, None, "W/(m*K)"),
    ("-0.52 eV/atom", -0.52, None, None, "eV/atom"),
    ("-250 kJ/mol", -250.0, None, None, "kJ/mol"),
    ("10 Ω·cm", 10.0, None, None, "Ohm*cm"),
    ("5.2 g/cm3", 5.2, None, None, "g/cm^3"),
    ("170 mAh/g", 170.0, None, None, "mAh/g"),
    ("170 mA h g-1", 170.0, None, None, "mA*h/g"),
    ("2 at.%", 2.0, None, None, "at%"),
    ("5 wt%", 5.0, None, None, "wt%"),
    ("<1e-8 S/cm", 1e-8, None, "<", "S/cm"),
    ("5e-3eV", 5e-3, None, None, "eV"),
]


@pytest.mark.parametrize(("text", "value", "unc", "bound", "unit"), CASES)
def test_parse_measured(text, value, unc, bound, unit):
    m = parse_measured(text)
    assert m.value == pytest.approx(value, rel=1e-12)
    if unc is None:
        assert m.uncertainty is None
    else:
        assert m.uncertainty == pytest.approx(unc, rel=1e-12)
    assert m.bound == bound
    assert m.unit == unit
    assert m.text == text


def test_parsed_numbers_are_exact_decimal_readings():
    assert parse_measured("1.2x10-3").value == 1.2e-3  # not 1.2 * 0.001 = 0.0012000000000000001
    assert parse_measured("1.2(3)e-4").uncertainty == 3e-5
    assert parse_measured("1.234(5)").uncertainty == 0.005


@pytest.mark.parametrize(("text", "value", "unc", "bound", "unit"), CASES)
def test_str_round_trip(text, value, unc, bound, unit):
    m = parse_measured(text)
    again = parse_measured(str(m))
    fields = ("value", "uncertainty", "bound", "unit")
    assert [getattr(again, f) for f in fields] == [getattr(m, f) for f in fields]


@pytest.mark.parametrize("text", ["", "  ", "nan", "NaN", "n/a", "N/A", "NA", "-", "—", "?", "null", "None"])
def test_missing_values(text):
    m = parse_measured(text, default_unit="S/cm")
    assert m.value is None and m.uncertainty is None and m.bound is None
    assert m.unit == "S/cm"
    assert str(m) == "n/a"


def test_default_unit_is_used_and_normalised():
    assert parse_measured("3.4e-4", default_unit="S cm-1").unit == "S/cm"
    assert parse_measured("25", default_unit="°C").unit == "degC"
    # a unit in the text wins over the column default
    assert parse_measured("0.1 mS/cm", default_unit="S/cm").unit == "mS/cm"


def test_bad_default_unit_is_located():
    with pytest.raises(UnitError) as info:
        parse_measured("1", default_unit="bananas", source="f.csv", line=4)
    assert "f.csv:4" in str(info.value) and "bananas" in str(info.value)


@pytest.mark.parametrize(("number", "value"), [(1, 1.0), (2.5, 2.5), (-1e-9, -1e-9)])
def test_numbers_are_accepted(number, value):
    m = parse_measured(number, default_unit="eV")
    assert m.value == value and m.unit == "eV" and m.bound is None and m.uncertainty is None


def test_nan_number_is_missing():
    assert parse_measured(float("nan")).value is None


@pytest.mark.parametrize(
    ("text", "error", "fragment", "hint"),
    [
        ("abc", QuantityError, "not a number", "± uncertainty"),
        ("high", QuantityError, "not a number", "<1e-8"),
        ("--5", QuantityError, "not a number", "± uncertainty"),
        ("x10^3", QuantityError, "not a number", "± uncertainty"),
        ("1,5", QuantityError, "decimal comma", "decimal point"),
        ("1.2-1.5", QuantityError, "range", "midpoint"),
        ("1.2 to 1.5", QuantityError, "range", "midpoint"),
        ("1.2, 1.3", QuantityError, "not one value", "decimal point"),
        ("<1 ± 0.1", QuantityError, "cannot have an uncertainty", "either"),
        ("1.2 ± -0.3", QuantityError, "negative uncertainty", "1.2 ± 0.3"),
        ("1.2(3) ± 0.1", QuantityError, "two uncertainties", "one of them"),
        ("5 bananas", UnitError, "cannot read the unit 'bananas'", "S/cm"),
        ("5 S/(", UnitError, "cannot read the unit", "S/cm"),
    ],
)
def test_parse_measured_errors(text, error, fragment, hint):
    with pytest.raises(error) as info:
        parse_measured(text, source="table.csv", line=12, field="conductivity")
    msg = str(info.value)
    assert repr(text) in msg
    assert fragment in msg
    assert "table.csv:12" in msg and "field 'conductivity'" in msg
    assert hint in info.value.hint
    assert isinstance(info.value, ValueError)


def test_parse_measured_rejects_other_types():
    with pytest.raises(QuantityError, match="expected text or a number"):
        parse_measured(True)  # type: ignore[arg-type]
    with pytest.raises(QuantityError, match="expected text or a number"):
        parse_measured([1.0])  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------- Measured


def test_measured_is_frozen_and_validated():
    m = Measured(1.0, 0.1, None, "eV")
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.value = 2.0  # type: ignore[misc]
    with pytest.raises(QuantityError, match="bound"):
        Measured(1.0, bound="!")  # type: ignore[arg-type]
    with pytest.raises(QuantityError, match="uncertainty"):
        Measured(1.0, uncertainty=-0.1)
    assert Measured(1.0).is_exact and not Measured(1.0, bound="<").is_exact


@pytest.mark.parametrize(
    ("text", "unit", "value", "unc"),
    [
        ("1.2 ± 0.3 mS/cm", "S/cm", 1.2e-3, 3e-4),
        ("25 ± 0.5 °C", "K", 298.15, 0.5),
        ("298.15 K", "degC", 25.0, None),
        ("77 ± 1.8 degF", "K", 298.15, 1.0),
        ("0.4(1) nm", "Å", 4.0, 1.0),
        ("1 atm", "GPa", 1.01325e-4, None),
        ("5 %", "", 0.05, None),
    ],
)
def test_measured_to(text, unit, value, unc):
    m = parse_measured(text).to(unit)
    assert m.value == pytest.approx(value, rel=1e-9)
    assert m.uncertainty == (None if unc is None else pytest.approx(unc, rel=1e-9))
    assert m.text == text


def test_measured_to_keeps_bounds_and_missing_values():
    assert parse_measured("<0.1 mS/cm").to("S/cm") == Measured(1e-4, None, "<", "S/cm", "<0.1 mS/cm")
    assert parse_measured("n/a", default_unit="mS/cm").to("S/cm").value is None


def test_measured_to_errors():
    with pytest.raises(UnitError, match="no unit"):
        parse_measured("5").to("K")
    with pytest.raises(UnitError, match="cannot convert 'eV' to 'K'"):
        parse_measured("5 eV").to("K")
    with pytest.raises(UnitError, match="cannot convert"):
        parse_measured("n/a", default_unit="eV").to("K")


def test_measured_to_round_trip():
    m = parse_measured("1.2(3)e-4 S/cm")
    back = m.to("mS/cm").to("S/cm")
    assert back.value == pytest.approx(m.value) and back.uncertainty == pytest.approx(m.uncertainty)


@pytest.mark.parametrize(
    ("text", "quantity", "expected"),
    [
        (">= 0.1 mS/cm", "ionic_conductivity", Measured(1e-4, None, ">=", "S/cm", ">= 0.1 mS/cm")),
        ("1.1(1) eV", "band_gap", Measured(1.1, 0.1, None, "eV", "1.1(1) eV")),
        ("0.8", "zt", Measured(0.8, None, None, "", "0.8")),
        ("25 °C", "temperature", Measured(298.15, None, None, "K", "25 °C")),
        ("n/a", "band_gap", Measured(None, None, None, "eV", "n/a")),
    ],
)
def test_measured_canonical(text, quantity, expected):
    assert parse_measured(text).canonical(quantity) == expected


@pytest.mark.parametrize(
    ("text", "quantity", "error", "fragment"),
    [
        ("5 eV", "ionic_conductivity", UnitError, "does not fit ionic_conductivity"),
        ("-1 eV", "band_gap", QuantityError, "cannot be negative"),
        ("1.2 eV/fu", "formation_energy_per_atom", UnitError, "per formula unit"),
        ("5 %", "zt", UnitError, "takes no unit"),
        ("3", "band_gap", UnitError, "needs a unit"),
    ],
)
def test_measured_canonical_errors_name_the_text(text, quantity, error, fragment):
    with pytest.raises(error) as info:
        parse_measured(text).canonical(quantity)
    assert fragment in str(info.value)
    assert info.value.value == text


# ------------------------------------------------------------------------------------------- conditions


@pytest.mark.parametrize(
    ("key", "value", "unit", "expected"),
    [
        ("temperature", "25 °C", None, Condition("temperature", 298.15, "K", "number")),
        ("temperature", "300 K", None, Condition("temperature", 300.0, "K", "number")),
        ("temperature", 300, None, Condition("temperature", 300.0, "K", "number")),
        ("temperature", 25, "degC", Condition("temperature", 298.15, "K", "number")),
        ("temperature", (25, "°C"), None, Condition("temperature", 298.15, "K", "number")),
        ("temperature", "25", "°C", Condition("temperature", 298.15, "K", "number")),
        ("temperature", "~25 °C", None, Condition("temperature", 298.15, "K", "number")),
        ("temperature", "25 ± 1 °C", None, Condition("temperature", 298.15, "K", "number")),
        ("T", "RT", None, Condition("temperature", ROOM_TEMPERATURE_K, "K", "number")),
        ("Temperature", "room temperature", None, Condition("temperature", 298.15, "K", "number")),
        ("temperature", "Room  Temperature", None, Condition("temperature", 298.15, "K", "number")),
        ("temperature", "r.t.", None, Condition("temperature", 298.15, "K", "number")),
        ("substrate temperature", "RT", None, Condition("substrate_temperature", 298.15, "K", "number")),
        ("pressure", "1 atm", None, Condition("pressure", 1.01325e-4, "GPa", "number")),
        ("pressure", "ambient", None, Condition("pressure", ATMOSPHERIC_PRESSURE_GPA, "GPa", "number")),
        ("pressure", 2, None, Condition("pressure", 2.0, "GPa", "number")),
        ("pressure", "100 MPa", None, Condition("pressure", 0.1, "GPa", "number")),
        ("voltage", "4.2 V", None, Condition("voltage", 4.2, "V", "number")),
        ("current", "0.5 A", None, Condition("current", 500.0, "mA", "number")),
        ("current density", "0.1 mA cm-2", None, Condition("current_density", 0.1, "mA/cm^2", "number")),
        ("time", "2 days", None, Condition("time", 48.0, "h", "number")),
        ("Sintering time", "30 min", None, Condition("sintering_time", 0.5, "h", "number")),
        ("sintering_temperature", "800°C", None, Condition("sintering_temperature", 1073.15, "K", "number")),
        ("frequency", "1 MHz", None, Condition("frequency", 1e6, "Hz", "number")),
        ("thickness", "1.5 µm", None, Condition("thickness", 1500.0, "nm", "number")),
        ("atmosphere", "Ar", None, Condition("atmosphere", "Ar", None, "text")),
        ("Atmosphere", " 5% H2/Ar ", None, Condition("atmosphere", "5% H2/Ar", None, "text")),
        ("doping", "2 at.% Al", None, Condition("doping", "2 at.% Al", None, "text")),
        ("is_metal", "yes", None, Condition("is_metal", True, None, "bool")),
        ("is_metal", False, None, Condition("is_metal", False, None, "bool")),
        ("glass_forming", "0", None, Condition("glass_forming", False, None, "bool")),
        ("cycle number", "5", None, Condition("cycle_number", 5.0, None, "number")),
        ("ball milling speed", "400 rpm", None, Condition("ball_milling_speed", 400.0, "rpm", "number")),
        ("method", "ball milling, 5 h", None, Condition("method", "ball milling, 5 h", None, "text")),
        ("quenched", True, None, Condition("quenched", True, None, "bool")),
    ],
)
def test_parse_condition(key, value, unit, expected):
    assert parse_condition(key, value, unit) == expected


@pytest.mark.parametrize(
    ("key", "value", "error", "fragment"),
    [
        ("temperature", ">300 K", QuantityError, "not a bound"),
        ("temperature", "5 V", UnitError, "does not fit temperature"),
        ("temperature", "-300 °C", QuantityError, "cannot be negative"),
        ("temperature", "hot", QuantityError, "not a number"),
        ("temperature", "", QuantityError, "no value"),
        ("temperature", None, QuantityError, "no value"),
        ("temperature", float("nan"), QuantityError, "no value"),
        ("pressure", "5 bananas", UnitError, "bananas"),
        ("is_metal", "maybe", QuantityError, "true or false"),
    ],
)
def test_parse_condition_errors(key, value, error, fragment):
    with pytest.raises(error) as info:
        parse_condition(key, value, source="c.csv", line=3)
    msg = str(info.value)
    assert fragment in msg
    assert "c.csv:3" in msg and f"field {key!r}" in msg
    if value not in (None, "") and not (isinstance(value, float) and math.isnan(value)):
        assert repr(value) in msg
    assert info.value.hint


def test_parse_condition_needs_a_name():
    with pytest.raises(QuantityError, match="needs a name"):
        parse_condition("  ", 1.0)


def test_condition_str_and_frozen():
    c = parse_condition("T", "25 °C")
    assert str(c) == "temperature = 298.15 K"
    assert str(parse_condition("atmosphere", "Ar")) == "atmosphere = Ar"
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.value = 1.0  # type: ignore[misc]
