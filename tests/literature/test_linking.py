"""Property words, units that fit, and the links value ↔ property ↔ conditions ↔ material."""

from __future__ import annotations

import pytest

from matinfo.core.quantities import get_quantity
from matinfo.literature.linking import assign_properties
from matinfo.literature.pipeline import extract_text
from matinfo.literature.properties import (
    LITERATURE_QUANTITIES,
    canonical_value,
    ensure_quantities,
    find_terms,
    fits,
)
from matinfo.literature.values import find_quantities


def props(sentence: str) -> list[tuple[str, str, dict]]:
    return [
        (v.quantity.text, v.property, v.conditions)
        for v in assign_properties(sentence, find_quantities(sentence))
    ]


def records(text: str) -> list[tuple]:
    return [(r.material, r.formula, r.property, r.value, r.unit, r.conditions) for r in extract_text(text)]


def test_literature_quantities_are_registered_with_their_units():
    ensure_quantities()
    for q in LITERATURE_QUANTITIES:
        assert get_quantity(q.name).canonical_unit == q.canonical_unit
    ensure_quantities()  # twice is fine


def test_terms_and_units_that_fit():
    found = [
        (t.quantity, m.group())
        for t, m in find_terms("the Li-ion conductivity, Ea, band gap (Eg), Tc and ASR")
    ]
    assert found == [("ionic_conductivity", "Li-ion conductivity"), ("activation_energy", "Ea"),
                     ("band_gap", "band gap"), ("band_gap", "Eg"), ("critical_temperature", "Tc"),
                     ("area_specific_resistance", "ASR")]  # fmt: skip
    assert fits("ionic_conductivity", "mS/cm") and not fits("ionic_conductivity", "eV")
    assert fits("coulombic_efficiency", "%") and fits("activation_energy", "kJ/mol")
    assert canonical_value("coulombic_efficiency", 99.5, "%") == 0.995
    assert canonical_value("activation_energy", 96.48533212, "kJ/mol") == pytest.approx(1.0)
    assert canonical_value("ionic_conductivity", 0.5, "mS/cm") == 5e-4


def test_each_value_takes_the_nearest_property_that_fits_its_unit():
    got = props(
        "LLZO shows an ionic conductivity of 0.5 mS cm−1 at 25 °C and an activation energy of 0.32 eV."
    )
    assert got == [("0.5 mS cm−1", "ionic_conductivity", {"temperature": 298.15}),
                   ("0.32 eV", "activation_energy", {})]  # fmt: skip
    assert props("a 1.2 mS cm−1 ionic conductivity")[0][1] == "ionic_conductivity"  # word after the value
    assert props("it delivers 160 mAh g−1")[0][1] == "specific_capacity"  # the unit alone names it
    assert props("~3.2 V vs Li/Li+")[0][1:] == ("average_voltage", {"reference_electrode": "Li/Li+"})
    assert props("sintered at 1200 °C for 12 h") == []  # conditions only


def test_conditions_respectively_and_ownership():
    got = props("The peak power densities were 25, 51 and 97 mW·cm–2 at 500, 550 and 600 °C, respectively.")
    assert [(v, c["temperature"]) for v, _, c in got] == [
        ("25", 773.15),
        ("51", 823.15),
        ("97 mW·cm–2", 873.15),
    ]
    got = props(
        "At 600 °C, the cathode showed an ASR of 0.1 Ω cm2 and a power density of 1.2 W cm−2 at 0.7 V in air."
    )
    assert got[0][2] == {"temperature": 873.15, "atmosphere": "air"}
    assert got[1][2] == {"temperature": 873.15, "voltage": 0.7, "atmosphere": "air"}


def test_issue_examples_end_to_end():
    text = (
        "The cubic garnet Li7La3Zr2O12 (LLZO) was sintered at 1200 °C. At room temperature, LLZO shows an ionic "
        "conductivity of 1.2 × 10−3 S cm−1. The NASICON Li1.3Al0.3Ti1.7(PO4)3 reaches 0.5 mS cm-1 at 25 °C, "
        "whereas LiTi2(PO4)3 conducts only 10-4 S/cm. The LiFePO4 cathode shows an average voltage of "
        "~3.2 V vs Li/Li+."
    )
    assert records(text) == [
        ("LLZO", "Li7La3Zr2O12", "ionic_conductivity", 1.2e-3, "S/cm", {"temperature": 298.15}),
        (
            "Li1.3Al0.3Ti1.7(PO4)3",
            "Li1.3Al0.3Ti1.7(PO4)3",
            "ionic_conductivity",
            5e-4,
            "S/cm",
            {"temperature": 298.15},
        ),
        ("LiTi2(PO4)3", "LiTi2(PO4)3", "ionic_conductivity", 1e-4, "S/cm", {}),
        ("LiFePO4", "LiFePO4", "average_voltage", 3.2, "V", {"reference_electrode": "Li/Li+"}),
    ]


def test_materials_by_position_between_and_previous_sentence():
    assert [r[0] for r in records("LiCoO2 and LiMn2O4 deliver 140 and 120 mAh/g, respectively.")] == [
        "LiCoO2",
        "LiMn2O4",
    ]
    got = records("The band gap of TiO2 is 3.2 eV, while Bi2Te3 has ZT of 1.2 at 300 K.")
    assert got[0][:4] == ("TiO2", "TiO2", "band_gap", 3.2) and got[0][5] == {}
    assert got[1][:5] == ("Bi2Te3", "Bi2Te3", "zt", 1.2, "") and got[1][5] == {"temperature": 300.0}
    got = extract_text("We prepared Li6PS5Cl by ball milling. Its conductivity reaches 2.5 mS cm−1 at 25 °C.")
    assert [(r.material, r.link) for r in got] == [("Li6PS5Cl", "previous-sentence")]
    assert (
        extract_text("The cell reached 1.2 W cm−2 at 700 °C.") == []
    )  # no material in reach: nothing reported


def test_more_properties_and_canonical_units():
    got = records(
        "YBa2Cu3O7 has Tc = 92 K. The Seebeck coefficient of SnSe reaches 500 μV K−1 at 800 K and its κ is "
        "0.5 W m−1 K−1. The LiFePO4 cells kept a coulombic efficiency of 99.5% and an energy density of 120 Wh kg−1."
    )
    assert [(m, p, v, u) for m, _, p, v, u, _ in got] == [
        ("YBa2Cu3O7", "critical_temperature", 92.0, "K"),
        ("SnSe", "seebeck_coefficient", 500.0, "uV/K"),
        ("SnSe", "thermal_conductivity", 0.5, "W/(m*K)"),
        ("LiFePO4", "coulombic_efficiency", 0.995, ""),
        ("LiFePO4", "energy_density", 120.0, "Wh/kg"),
    ]


def test_real_sofc_exp_sentence_with_abbreviation_from_the_document():
    """SOFC-Exp train paper PMC3564701 (CC BY): OCV of a YSZ-protected cell, material defined earlier."""
    text = (
        "A 500-nm-thick gadolinium-doped ceria (GDC) electrolyte was protected by yttria-stabilized zirconia (YSZ). "
        "The resulting bilayered thin-film fuel cell generated a significantly higher open circuit voltage of "
        "approximately 1.07 V compared with a thin-film fuel cell with a single-layered GDC electrolyte "
        "(approximately 0.3 V)."
    )
    got = extract_text(text)
    ocv = [
        (r.material, r.material_long_form, r.value, r.bound)
        for r in got
        if r.property == "open_circuit_voltage"
    ]
    assert ocv[0][2:] == (1.07, "~")
    assert ocv[0][0] in ("GDC", "YSZ")
