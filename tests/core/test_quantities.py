"""Tests of matinfo.core.quantities: the registry of known quantities and conversion to canonical units."""

from __future__ import annotations

import dataclasses

import pytest

from matinfo.core import quantities
from matinfo.core.quantities import (
    QuantityDef,
    find_quantity,
    get_quantity,
    list_quantities,
    quantity_key,
    register_quantity,
    to_canonical,
)
from matinfo.core.units import format_unit, parse_unit
from matinfo.errors import QuantityError, UnitError


@pytest.fixture
def registry_snapshot():
    """Restore the global registry after a test that registers quantities."""
    by_name, by_key = dict(quantities._by_name), dict(quantities._by_key)
    yield
    quantities._by_name.clear()
    quantities._by_name.update(by_name)
    quantities._by_key.clear()
    quantities._by_key.update(by_key)


EXPECTED = {
    "ionic_conductivity": "S/cm",
    "electrical_conductivity": "S/cm",
    "electrical_resistivity": "Ohm*cm",
    "seebeck_coefficient": "uV/K",
    "thermal_conductivity": "W/(m*K)",
    "lattice_thermal_conductivity": "W/(m*K)",
    "electronic_thermal_conductivity": "W/(m*K)",
    "power_factor": "uW/(cm*K^2)",
    "zt": "",
    "band_gap": "eV",
    "formation_energy_per_atom": "eV/atom",
    "formation_enthalpy": "eV/atom",
    "gibbs_formation_energy": "eV",
    "activation_energy": "eV",
    "density": "g/cm^3",
    "volume": "Å^3",
    "bulk_modulus": "GPa",
    "shear_modulus": "GPa",
    "melting_point": "K",
    "heat_capacity": "J/(mol*K)",
    "specific_capacity": "mAh/g",
    "lattice_constant": "Å",
    "is_metal": None,
    "glass_forming": None,
    "temperature": "K",
    "pressure": "GPa",
    "voltage": "V",
    "current": "mA",
    "current_density": "mA/cm^2",
    "time": "h",
    "sintering_temperature": "K",
    "sintering_time": "h",
    "atmosphere": None,
    "frequency": "Hz",
    "thickness": "nm",
    "doping": None,
}
CONDITIONS = {
    "temperature",
    "pressure",
    "voltage",
    "current",
    "current_density",
    "time",
    "specific_current",
    "sintering_temperature",
    "sintering_time",
    "atmosphere",
    "frequency",
    "thickness",
    "doping",
}


@pytest.mark.parametrize(("name", "unit"), sorted(EXPECTED.items()))
def test_builtin_quantities(name, unit):
    q = get_quantity(name)
    assert q.name == name
    assert q.canonical_unit == unit
    assert q.kind == ("condition" if name in CONDITIONS else "property")
    assert q.description


@pytest.mark.parametrize("q", list_quantities(), ids=lambda q: q.name)
def test_canonical_units_are_in_canonical_spelling(q):
    if q.canonical_unit is None:
        assert q.dtype in ("bool", "text")
        assert q.unit is None
    else:
        assert q.dtype == "number"
        assert format_unit(parse_unit(q.canonical_unit)) == q.canonical_unit
        assert q.unit == parse_unit(q.canonical_unit)


def test_house_style_units():
    assert {get_quantity(n).canonical_unit for n in ("band_gap", "activation_energy")} == {"eV"}
    assert get_quantity("lattice_constant").canonical_unit == "Å"
    assert get_quantity("temperature").canonical_unit == "K"
    assert get_quantity("bulk_modulus").canonical_unit == "GPa"
    assert get_quantity("ionic_conductivity").canonical_unit == "S/cm"


def test_gibbs_energy_is_documented_per_formula_unit():
    q = get_quantity("gibbs_formation_energy")
    assert q.per == "formula_unit" and "formula unit" in q.description


def test_aliases_are_unique_and_match_no_other_name():
    seen: dict[str, str] = {}
    for q in list_quantities():
        for key in {quantity_key(q.name), *map(quantity_key, q.aliases)}:
            assert seen.setdefault(key, q.name) == q.name, key


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("ionic_conductivity", "ionic_conductivity"),
        ("Ionic conductivity", "ionic_conductivity"),
        ("ionic-conductivity", "ionic_conductivity"),
        ("  IONIC   CONDUCTIVITY ", "ionic_conductivity"),
        ("sigma_ion", "ionic_conductivity"),
        ("Seebeck coefficient", "seebeck_coefficient"),
        ("thermopower", "seebeck_coefficient"),
        ("kappa_L", "lattice_thermal_conductivity"),
        ("zT", "zt"),
        ("ZT", "zt"),
        ("Band gap", "band_gap"),
        ("bandgap", "band_gap"),
        ("Eg", "band_gap"),
        ("formation energy", "formation_energy_per_atom"),
        ("T", "temperature"),
        ("Temperature", "temperature"),
        ("P", "pressure"),
        ("Sintering time", "sintering_time"),
        ("current-density", "current_density"),
        ("melting temperature", "melting_point"),
        ("Cp", "heat_capacity"),
        ("lattice parameter", "lattice_constant"),
        ("is-metal", "is_metal"),
    ],
)
def test_lookup_is_case_space_and_hyphen_insensitive(text, name):
    assert get_quantity(text).name == name
    assert find_quantity(text) is get_quantity(name)


def test_get_quantity_passes_a_definition_through():
    q = get_quantity("band_gap")
    assert get_quantity(q) is q


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("ionic_conductance", "ionic_conductivity"),
        ("band gapp", "band_gap"),
        ("temprature", "temperature"),
        ("seebeck coeff", "seebeck_coefficient"),
    ],
)
def test_unknown_quantity_lists_close_matches(text, suggestion):
    with pytest.raises(QuantityError) as info:
        get_quantity(text, source="x.csv", line=2, field="quantity")
    msg = str(info.value)
    assert repr(text) in msg and "unknown quantity" in msg
    assert f"did you mean {suggestion!r}" in msg or repr(suggestion) in msg
    assert "x.csv:2" in msg
    assert "register_quantity" in info.value.hint


def test_unknown_quantity_without_close_match_still_hints():
    with pytest.raises(QuantityError) as info:
        get_quantity("zzzzzzzz")
    assert "did you mean" not in str(info.value)
    assert "list_quantities()" in info.value.hint


def test_find_quantity_returns_none_for_unknown():
    assert find_quantity("no such quantity") is None


def test_list_quantities_by_kind():
    conditions = {q.name for q in list_quantities("condition")}
    properties = {q.name for q in list_quantities("property")}
    assert conditions == CONDITIONS
    assert not conditions & properties
    assert [q.name for q in list_quantities()] == sorted(conditions | properties)


def test_quantity_def_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_quantity("band_gap").canonical_unit = "J"  # type: ignore[misc]


# ------------------------------------------------------------------------------------------- registration


def test_register_quantity(registry_snapshot):
    q = QuantityDef("hall_mobility", "cm^2/(V*s)", "Hall mobility", ("mu_H", "Hall-mobility"), positive=True)
    assert register_quantity(q) is q
    assert get_quantity("mu_h") is q
    assert get_quantity("Hall mobility") is q
    assert to_canonical("hall_mobility", 1.0, "m2/Vs") == pytest.approx(1e4)


def test_register_quantity_refuses_duplicates(registry_snapshot):
    with pytest.raises(QuantityError, match="already registered") as info:
        register_quantity(QuantityDef("band_gap", "eV", "again"))
    assert "replace=True" in info.value.hint
    with pytest.raises(QuantityError, match="already refers to quantity 'temperature'"):
        register_quantity(QuantityDef("tau", "s", "lifetime", ("T",)))
    assert find_quantity("tau") is None


def test_register_quantity_replace(registry_snapshot):
    new = QuantityDef("band_gap", "meV", "band gap in meV", ("gap_mev",), positive=True)
    register_quantity(new, replace=True)
    assert get_quantity("gap_mev") is new
    assert find_quantity("eg") is None  # the old aliases went with the old definition
    assert to_canonical("band_gap", 1.0, "eV") == 1000.0


def test_register_quantity_checks_the_unit(registry_snapshot):
    with pytest.raises(UnitError, match="bananas"):
        register_quantity(QuantityDef("fruitiness", "bananas", "how fruity"))
    with pytest.raises(QuantityError, match="expected a QuantityDef"):
        register_quantity("fruitiness")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"name": "Hall Mobility", "canonical_unit": "cm^2/(V*s)"}, "snake_case"),
        ({"name": "x", "canonical_unit": None}, "needs a canonical unit"),
        ({"name": "x", "canonical_unit": "K", "dtype": "text"}, "needs a canonical unit"),
        ({"name": "x", "canonical_unit": "K", "kind": "setting"}, "kind must be"),
        ({"name": "x", "canonical_unit": "K", "dtype": "float"}, "dtype must be"),
        ({"name": "x", "canonical_unit": "K", "aliases": "y"}, "tuple"),
    ],
)
def test_invalid_definitions(kwargs, fragment):
    with pytest.raises(QuantityError, match=fragment):
        QuantityDef(description="d", **kwargs)


# ------------------------------------------------------------------------------------------- to_canonical


@pytest.mark.parametrize(
    ("quantity", "value", "unit", "expected"),
    [
        ("ionic_conductivity", 0.1, "mS/cm", 1e-4),
        ("ionic_conductivity", 1e-4, "S/cm", 1e-4),
        ("ionic_conductivity", 3.4e-4, "S cm-1", 3.4e-4),
        ("ionic_conductivity", 1.0, "S/m", 0.01),
        ("electrical_resistivity", 1.0, "Ω·m", 100.0),
        ("electrical_resistivity", 1.0, "mOhm cm", 1e-3),
        ("seebeck_coefficient", -120.0, "µV/K", -120.0),
        ("seebeck_coefficient", 0.2, "mV/K", 200.0),
        ("thermal_conductivity", 1.5, "W/mK", 1.5),
        ("lattice_thermal_conductivity", 15.0, "mW/(cm*K)", 1.5),
        ("power_factor", 1.0, "mW/(m*K^2)", 10.0),
        ("zt", 1.2, None, 1.2),
        ("zt", 1.2, "", 1.2),
        ("band_gap", 1.1, "eV", 1.1),
        ("band_gap", 1100.0, "meV", 1.1),
        ("formation_energy_per_atom", -0.5, "eV/atom", -0.5),
        ("formation_energy_per_atom", -0.5, "eV", -0.5),
        ("formation_enthalpy", -0.5, "eV/atom", -0.5),
        ("gibbs_formation_energy", -2.0, "eV/fu", -2.0),
        ("gibbs_formation_energy", -2.0, "eV", -2.0),
        ("activation_energy", 0.3, "eV", 0.3),
        ("density", 5.0, "g/cm3", 5.0),
        ("density", 5000.0, "kg/m^3", 5.0),
        ("volume", 1.0, "nm^3", 1000.0),
        ("lattice_constant", 0.4, "nm", 4.0),
        ("lattice_constant", 4.0, "Å", 4.0),
        ("bulk_modulus", 100.0, "GPa", 100.0),
        ("shear_modulus", 5e10, "Pa", 50.0),
        ("melting_point", 1000.0, "degC", 1273.15),
        ("heat_capacity", 25.0, "J/mol K", 25.0),
        ("specific_capacity", 170.0, "mA h g-1", 170.0),
        ("temperature", 25.0, "°C", 298.15),
        ("temperature", 300.0, "K", 300.0),
        ("pressure", 1.0, "atm", 1.01325e-4),
        ("pressure", 1.0, "MPa", 1e-3),
        ("voltage", 4200.0, "mV", 4.2),
        ("current", 1.0, "A", 1000.0),
        ("current_density", 1.0, "A/m^2", 0.1),
        ("time", 30.0, "min", 0.5),
        ("sintering_temperature", 900.0, "°C", 1173.15),
        ("frequency", 1.0, "MHz", 1e6),
        ("thickness", 1.0, "um", 1000.0),
    ],
)
def test_to_canonical(quantity, value, unit, expected):
    assert to_canonical(quantity, value, unit) == pytest.approx(expected, rel=1e-12)


def test_threshold_in_other_unit_equals_canonical_threshold():
    sigma = "ionic_conductivity"
    assert to_canonical(sigma, 0.1, "mS/cm") == to_canonical(sigma, 1e-4, "S/cm")
    assert to_canonical("Ionic conductivity", 0.1, "mS cm⁻¹") == 1e-4


def test_to_canonical_accepts_a_definition_and_a_pint_unit():
    q = get_quantity("band_gap")
    assert to_canonical(q, 1000.0, parse_unit("meV")) == 1.0


@pytest.mark.parametrize(
    ("quantity", "value", "unit", "error", "fragments"),
    [
        ("band_gap", 1.1, "S/cm", UnitError, ["unit does not fit band_gap", "cannot convert 'S/cm' to 'eV'"]),
        ("ionic_conductivity", 1.0, "eV", UnitError, ["has dimension energy"]),
        ("ionic_conductivity", 1.0, None, UnitError, ["needs a unit", "'S/cm'"]),
        ("band_gap", 1.0, "", UnitError, ["needs a unit"]),
        ("zt", 1.0, "%", UnitError, ["dimensionless and takes no unit"]),
        ("zt", 1.0, "K", UnitError, ["dimensionless"]),
        ("formation_energy_per_atom", -1.0, "eV/fu", UnitError, ["per atom", "per formula unit"]),
        ("gibbs_formation_energy", -1.0, "eV/atom", UnitError, ["per formula unit", "per atom"]),
        ("formation_energy_per_atom", -1.0, "kJ/mol", UnitError, ["cannot convert"]),
        ("band_gap", -0.1, "eV", QuantityError, ["cannot be negative"]),
        ("temperature", -300.0, "degC", QuantityError, ["cannot be negative", "K"]),
        ("is_metal", 1.0, None, QuantityError, ["bool quantity"]),
        ("atmosphere", 1.0, None, QuantityError, ["text quantity"]),
        ("band_gap", "1.1", "eV", QuantityError, ["must be a number", "parse_measured"]),
        ("band_gap", True, "eV", QuantityError, ["must be a number"]),
        ("bandgapp", 1.0, "eV", QuantityError, ["unknown quantity"]),
    ],
)
def test_to_canonical_errors(quantity, value, unit, error, fragments):
    with pytest.raises(error) as info:
        to_canonical(quantity, value, unit, source="t.csv", line=5, field="value")
    msg = str(info.value)
    for fragment in fragments:
        assert fragment in msg
    assert "t.csv:5" in msg
    assert info.value.hint


def test_negative_values_allowed_where_physical():
    assert to_canonical("seebeck_coefficient", -50.0, "uV/K") == -50.0
    assert to_canonical("formation_energy_per_atom", -3.0, "eV/atom") == -3.0
    assert to_canonical("bulk_modulus", -5.0, "GPa") == -5.0
    assert to_canonical("temperature", 0.0, "K") == 0.0  # zero is allowed for positive quantities


def test_nan_passes_through():
    import math

    assert math.isnan(to_canonical("band_gap", float("nan"), "eV"))


@pytest.mark.parametrize(
    ("name", "key"),
    [(" Ionic-conductivity ", "ionic_conductivity"), ("a.b/c  d", "a_b_c_d"), ("__x__", "x"), ("Δ H", "δ_h")],
)
def test_quantity_key(name, key):
    assert quantity_key(name) == key
