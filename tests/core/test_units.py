"""Tests of matinfo.core.units: lazy registry, paper-notation parsing, formatting, conversion."""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from matinfo.core import units
from matinfo.core.units import (
    ascii_superscripts,
    convert,
    convert_difference,
    describe_dimension,
    format_unit,
    get_registry,
    is_dimensionless,
    normalise_unit_text,
    parse_unit,
)
from matinfo.errors import MatinfoError, UnitError

SRC = Path(__file__).resolve().parents[2] / "src"


def test_importing_core_modules_does_not_import_pint():
    code = (
        "import sys\n"
        "import matinfo.core.units, matinfo.core.quantities, matinfo.core.values\n"
        "from matinfo.core.values import parse_condition\n"
        "assert 'pint' not in sys.modules, 'pint imported at module import'\n"
        "from matinfo.core.units import format_unit\n"
        "assert format_unit('S cm-1') == 'S/cm'\n"
        "assert 'pint' in sys.modules\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_registry_is_one_lazily_created_object():
    ureg = get_registry()
    assert ureg is get_registry()
    assert "mAh" in ureg and "atom" in ureg and "formula_unit" in ureg


# ------------------------------------------------------------------------------------------- parse_unit


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("S/cm", "S/cm"),
        ("S cm-1", "S/cm"),
        ("S cm^-1", "S/cm"),
        ("S cm -1", "S/cm"),
        ("S·cm⁻¹", "S/cm"),
        ("S⋅cm−1", "S/cm"),
        ("S*cm**-1", "S/cm"),
        ("mS/cm", "mS/cm"),
        ("mS cm-1", "mS/cm"),
        ("µV/K", "uV/K"),  # micro sign U+00B5
        ("μV/K", "uV/K"),  # Greek mu U+03BC
        ("uV/K", "uV/K"),
        ("μV K-1", "uV/K"),
        ("µV·K⁻¹", "uV/K"),
        ("W m-1 K-1", "W/(m*K)"),
        ("W/mK", "W/(m*K)"),
        ("W/m K", "W/(m*K)"),
        ("W/m-K", "W/(m*K)"),
        ("W/m.K", "W/(m*K)"),
        ("W/m*K", "W/(m*K)"),
        ("W/(m·K)", "W/(m*K)"),
        ("W/(mK)", "W/(m*K)"),
        ("W/cmK", "W/(cm*K)"),
        ("mW/mK", "mW/(m*K)"),
        ("eV/atom", "eV/atom"),
        ("eV atom-1", "eV/atom"),
        ("eV per atom", "eV/atom"),
        ("eV/f.u.", "eV/fu"),
        ("eV/fu", "eV/fu"),
        ("kJ/mol", "kJ/mol"),
        ("kJ mol-1", "kJ/mol"),
        ("J/mol K", "J/(mol*K)"),
        ("J/mol/K", "J/(mol*K)"),
        ("Ohm cm", "Ohm*cm"),
        ("ohm cm", "Ohm*cm"),
        ("Ω·cm", "Ohm*cm"),
        ("Ω cm", "Ohm*cm"),  # ohm sign U+2126
        ("Ωcm", "Ohm*cm"),
        ("ohm.cm", "Ohm*cm"),
        ("g/cm3", "g/cm^3"),
        ("g cm-3", "g/cm^3"),
        ("g/cm³", "g/cm^3"),
        ("°C", "degC"),
        ("℃", "degC"),
        ("º C", "degC"),
        ("deg C", "degC"),
        ("degC", "degC"),
        ("K", "K"),
        ("°K", "K"),
        ("mK", "mK"),  # millikelvin outside a denominator
        ("mA h g-1", "mA*h/g"),
        ("mAh/g", "mAh/g"),
        ("mAh g⁻¹", "mAh/g"),
        ("at.%", "at%"),
        ("at%", "at%"),
        ("at. %", "at%"),
        ("wt%", "wt%"),
        ("wt.%", "wt%"),
        ("mol%", "mol%"),
        ("%", "%"),
        ("Å", "Å"),
        ("Å^3", "Å^3"),
        ("Å3", "Å^3"),
        ("Å³", "Å^3"),
        ("angstrom**3", "Å^3"),
        ("GPa", "GPa"),
        ("uW/cm K^2", "uW/(cm*K^2)"),
        ("µW cm⁻¹ K⁻²", "uW/(cm*K^2)"),
        ("mA/cm2", "mA/cm^2"),
        ("mA cm-2", "mA/cm^2"),
        ("cm2/Vs", "cm^2/(V*s)"),
        ("cm^2 V^-1 s^-1", "cm^2/(V*s)"),
        ("1/cm", "1/cm"),
        ("cm-1", "1/cm"),
        ("h", "h"),
        ("Hz", "Hz"),
        ("nm", "nm"),
        ("V", "V"),
        ("mA", "mA"),
    ],
)
def test_parse_unit_paper_notations(text, canonical):
    unit = parse_unit(text)
    assert format_unit(unit) == canonical
    assert parse_unit(canonical) == unit  # the canonical spelling reads back to the same unit


@pytest.mark.parametrize(
    "group",
    [
        ["S/cm", "S cm-1", "S·cm⁻¹", "S cm^-1", "siemens/centimeter"],
        ["W/(m*K)", "W/mK", "W m-1 K-1", "W/m K", "W/m-K", "W·m⁻¹·K⁻¹"],
        ["uV/K", "µV/K", "μV K-1", "microvolt/kelvin"],
        ["Ohm*cm", "Ω·cm", "Ohm cm", "ohm*centimeter"],
        ["mAh/g", "mA h g-1", "mA*h/g"],
        ["degC", "°C", "℃"],
    ],
)
def test_spellings_of_one_unit_are_equal(group):
    for text in group[1:]:
        assert convert(1.0, text, group[0]) == pytest.approx(1.0, rel=1e-14)
    same_spelling = [t for t in group if "h" not in t]  # mAh is one unit, mA*h two: equal but not ==
    assert all(parse_unit(t) == parse_unit(same_spelling[0]) for t in same_spelling)


def test_mk_heuristic_only_applies_in_a_denominator():
    assert parse_unit("mK") == parse_unit("millikelvin")
    assert parse_unit("W/mK") != parse_unit("W/millikelvin")
    assert parse_unit("W/mK") == parse_unit("W/(m*K)")
    assert normalise_unit_text("W/mK") == "W/(m*K)"


def test_everything_after_a_slash_is_the_denominator():
    # pint alone reads "W/m*K" left to right as W*K/m; papers mean W/(m*K)
    assert parse_unit("W/m*K").dimensionality == parse_unit("W/(m*K)").dimensionality


@pytest.mark.parametrize("text", ["", "1", "-", "dimensionless", "unitless", " "])
def test_dimensionless_spellings(text):
    assert parse_unit(text).dimensionless
    assert format_unit(text) == ""


def test_parse_unit_accepts_a_pint_unit():
    unit = parse_unit("S/cm")
    assert parse_unit(unit) is unit


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("bananas", "'bananas' is not a unit"),
        ("foo bar", "'foo' is not a unit"),
        ("S/(", "unreadable unit"),
        ("1e-3 S/cm", "cannot contain a number"),
        ("Siemens/cm", "is not a unit"),
    ],
)
def test_parse_unit_errors_name_the_value_and_give_a_hint(text, fragment):
    with pytest.raises(UnitError) as info:
        parse_unit(text, source="data.csv", line=7, field="unit")
    msg = str(info.value)
    assert repr(text) in msg
    assert fragment in msg
    assert "data.csv:7" in msg and "field 'unit'" in msg
    assert info.value.hint
    assert info.value.value == text


def test_unknown_unit_error_suggests_close_spellings():
    with pytest.raises(UnitError) as info:
        parse_unit("ev")
    assert "did you mean 'eV'" in str(info.value)
    with pytest.raises(UnitError) as info:
        parse_unit("uv/k")
    assert "'uV/K'" in str(info.value)


def test_unit_error_is_also_value_error():
    with pytest.raises(ValueError):
        parse_unit("bananas")
    assert issubclass(UnitError, MatinfoError)


def test_parse_unit_rejects_non_text():
    with pytest.raises(UnitError, match="must be text"):
        parse_unit(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("cm⁻¹", "cm^-1"), ("cm³", "cm^3"), ("10⁻³", "10^-3"), ("K⁺²", "K^+2"), ("no exponent", "no exponent")],
)
def test_ascii_superscripts(text, expected):
    assert ascii_superscripts(text) == expected


def test_is_dimensionless():
    assert is_dimensionless(None) and is_dimensionless("") and is_dimensionless("%")
    assert is_dimensionless("atom/fu")
    assert not is_dimensionless("K")


# ------------------------------------------------------------------------------------------- format_unit


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("siemens/centimeter", "S/cm"),
        ("microvolt/kelvin", "uV/K"),
        ("watt/meter/kelvin", "W/(m*K)"),
        ("electron_volt/atom", "eV/atom"),
        ("kelvin", "K"),
        ("gigapascal", "GPa"),
        ("angstrom**3", "Å^3"),
        ("ohm*centimeter", "Ohm*cm"),
        ("1/centimeter", "1/cm"),
        ("meter**0.5", "m^0.5"),
        ("dimensionless", ""),
    ],
)
def test_format_unit(unit, expected):
    assert format_unit(unit) == expected
    assert format_unit(parse_unit(unit)) == expected


# ------------------------------------------------------------------------------------------- convert


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        (25.0, "degC", "K", 298.15),
        (25.0, "°C", "K", 298.15),
        (0.0, "degC", "K", 273.15),
        (298.15, "K", "degC", 25.0),
        (32.0, "degF", "K", 273.15),
        (0.1, "mS/cm", "S/cm", 1e-4),
        (0.1, "mS cm-1", "S/cm", 1e-4),
        (1.0, "S/m", "S/cm", 0.01),
        (100.0, "uV/K", "V/K", 1e-4),
        (1.0, "atm", "GPa", 1.01325e-4),
        (1.0, "bar", "GPa", 1e-4),
        (1000.0, "MPa", "GPa", 1.0),
        (1.0, "nm", "Å", 10.0),
        (1.0, "nm^3", "Å^3", 1000.0),
        (1.0, "eV", "meV", 1000.0),
        (1.0, "Ohm*m", "Ohm*cm", 100.0),
        (1.0, "W/mK", "W/(m*K)", 1.0),
        (1.0, "mW/(cm*K)", "W/(m*K)", 0.1),
        (1.0, "A h/kg", "mAh/g", 1.0),
        (1.0, "day", "h", 24.0),
        (30.0, "min", "h", 0.5),
        (5.0, "%", "", 0.05),
        (2.0, "at%", "", 0.02),
        (1.0, "eV/atom", "eV", 1.0),  # a bare eV counts nothing: goes with either
        (1.0, "kJ/mol", "eV/particle", 0.0103642696562622),
        (1.0, "g/cm3", "kg/m^3", 1000.0),
        (1.0, "W/(m*degC)", "W/(m*K)", 1.0),
    ],
)
def test_convert(value, src, dst, expected):
    result = convert(value, src, dst)
    assert isinstance(result, float)
    assert result == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_convert_is_exact_for_house_examples():
    assert convert(0.1, "mS/cm", "S/cm") == 1e-4
    assert convert(1.0, "atm", "GPa") == 1.01325e-4
    assert convert(25.0, "degC", "K") == 298.15


def test_convert_round_trip():
    for src, dst in [("degC", "K"), ("mS/cm", "S/cm"), ("uV/K", "mV/K"), ("atm", "GPa"), ("mAh/g", "A*h/kg")]:
        for value in (-12.5, 0.0, 1e-7, 3.3, 1234.5):
            assert convert(convert(value, src, dst), dst, src) == pytest.approx(value, rel=1e-12, abs=1e-12)


def test_convert_arrays_keep_shape():
    arr = np.array([[0.0, 25.0], [100.0, -273.15]])
    out = convert(arr, "degC", "K")
    assert isinstance(out, np.ndarray) and out.shape == (2, 2)
    np.testing.assert_allclose(out, [[273.15, 298.15], [373.15, 0.0]], atol=1e-12)
    out = convert(np.array([1.0, 2.0]), "mS/cm", "S/cm")
    np.testing.assert_allclose(out, [1e-3, 2e-3])


def test_convert_accepts_pint_units():
    assert convert(1.0, parse_unit("mS/cm"), parse_unit("S/cm")) == 1e-3


def test_convert_incompatible_dimensions():
    with pytest.raises(UnitError) as info:
        convert(1.0, "eV", "S/cm")
    msg = str(info.value)
    assert "cannot convert 'eV' to 'S/cm'" in msg
    assert "has dimension energy" in msg
    assert "electrical conductivity" in msg
    assert info.value.hint


@pytest.mark.parametrize(
    ("src", "dst"), [("eV/fu", "eV/atom"), ("eV/atom", "eV/fu"), ("at%", "wt%"), ("wt%", "mol%")]
)
def test_convert_refuses_different_counts(src, dst):
    with pytest.raises(UnitError, match="count different things") as info:
        convert(1.0, src, dst)
    assert "composition" in info.value.hint


def test_convert_unknown_unit():
    with pytest.raises(UnitError, match="bananas"):
        convert(1.0, "bananas", "K")


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [(0.5, "degC", "K", 0.5), (1.8, "degF", "K", 1.0), (1.0, "K", "degC", 1.0), (2.0, "mS/cm", "S/cm", 2e-3)],
)
def test_convert_difference_ignores_offsets(value, src, dst, expected):
    assert convert_difference(value, src, dst) == pytest.approx(expected, rel=1e-12)


def test_convert_difference_names_the_given_units():
    with pytest.raises(UnitError, match="cannot convert 'degC' to 'eV'"):
        convert_difference(1.0, "degC", "eV")


@pytest.mark.parametrize(
    ("unit", "start"),
    [
        ("eV", "energy"),
        ("K", "temperature"),
        ("GPa", "pressure"),
        ("S/cm", "electrical conductivity"),
        ("%", "dimensionless"),
        ("1/cm", "1/[length]"),
    ],
)
def test_describe_dimension(unit, start):
    assert describe_dimension(unit).startswith(start)


@pytest.mark.parametrize("module", ["units", "quantities", "values"])
def test_doctests(module):
    import importlib

    from matinfo.core import quantities

    mod = importlib.import_module(f"matinfo.core.{module}")
    saved = dict(quantities._by_name), dict(quantities._by_key)  # the register_quantity example registers one
    try:
        result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    finally:
        for current, old in zip((quantities._by_name, quantities._by_key), saved, strict=True):
            current.clear()
            current.update(old)
    assert result.attempted > 0
    assert result.failed == 0


def test_module_exports_exist():
    for name in units.__all__:
        assert hasattr(units, name)
