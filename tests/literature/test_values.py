"""Values with units as printed: the notations of issue 6, ranges, lists, bounds, and real corpus sentences."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matinfo.literature.values import find_quantities


def one(text: str):
    found = find_quantities(text)
    assert len(found) == 1, [q.text for q in found]
    return found[0]


@pytest.mark.parametrize(
    ("text", "printed", "value", "unit"),
    [
        ("1.2 × 10−3 S cm−1", "1.2 × 10−3 S cm−1", 1.2e-3, "S/cm"),
        ("10-4 S/cm", "10-4 S/cm", 1e-4, "S/cm"),
        ("0.5 mS cm-1", "0.5 mS cm-1", 0.5, "mS/cm"),
        ("~3.2 V vs Li/Li+", "~3.2 V", 3.2, "V"),
        ("σ of 2.3 × 10⁻⁴ S·cm⁻¹", "2.3 × 10⁻⁴ S·cm⁻¹", 2.3e-4, "S/cm"),
        ("1.2e-3 S/cm", "1.2e-3 S/cm", 1.2e-3, "S/cm"),
        ("10−4 S cm−1", "10−4 S cm−1", 1e-4, "S/cm"),
        ("60 Scm−1", "60 Scm−1", 60.0, "S/cm"),
        ("1,037 mW/cm2", "1,037 mW/cm2", 1037.0, "mW/cm^2"),
        ("0.197 Ω cm2", "0.197 Ω cm2", 0.197, "Ohm*cm^2"),
        ("673K", "673K", 673.0, "K"),
        ("at 700 oC in air", "700 oC", 700.0, "degC"),
        ("κ = 1.5 W/(m·K)", "1.5 W/(m·K)", 1.5, "W/(m*K)"),
        ("160 mAh g−1", "160 mAh g−1", 160.0, "mAh/g"),
        ("S = -150 μV K−1", "-150 μV K−1", -150.0, "uV/K"),
        ("a 40-nm-thick film", "40-nm-thick", 40.0, "nm"),
        ("3 wt.% of NTO", "3 wt.%", 3.0, "wt%"),
        ("in 5 vol.% H2", "5 vol.%", 5.0, "vol%"),
    ],
)
def test_issue_and_paper_notations(text, printed, value, unit):
    q = one(text)
    assert (q.text, q.unit) == (printed, unit)
    assert math.isclose(q.value, value, rel_tol=1e-12)


def test_offsets_point_at_the_printed_value():
    text = "LLZO reaches 1.2 × 10−3 S cm−1 at 25 °C."
    for q in find_quantities(text, offset=100):
        assert text[q.start - 100 : q.end - 100] == q.text
        a, b = q.unit_span
        assert text[a - 100 : b - 100] == q.unit_text


def test_uncertainties():
    assert (one("Ea = 0.32 ± 0.02 eV").uncertainty, one("0.63±0.08 Ω cm2").uncertainty) == (0.02, 0.08)
    assert one("a = 1.234(5) Å").uncertainty == pytest.approx(0.005)
    q = one("(1.2 ± 0.3) × 10−4 S cm−1")
    assert (q.value, q.uncertainty) == (pytest.approx(1.2e-4), pytest.approx(3e-5))
    q = one("1.2 ± 0.3 × 10^-4 S/cm")  # a power after the uncertainty applies to both
    assert (q.value, q.uncertainty) == (pytest.approx(1.2e-4), pytest.approx(3e-5))


def test_ranges_are_midpoint_plus_half_width():
    q = one("between 475 and 525 °C")
    assert (q.kind, q.low, q.high, q.value, q.uncertainty, q.text) == (
        "range", 475.0, 525.0, 500.0, 25.0, "between 475 and 525 °C"
    )  # fmt: skip
    assert one("from 0.8 to 1.5 A cm−2").text == "from 0.8 to 1.5 A cm−2"
    assert (one("400–800 °C").low, one("10-20 nm").high) == (400.0, 20.0)
    assert one("−20 to −10 °C").low == -20.0
    assert one("temperatures (600 °C–800 °C). Since").text == "600 °C–800 °C"
    q = one("10−4–10−3 S cm−1")
    assert (q.low, q.high) == (1e-4, 1e-3)


def test_ten_dash_n_is_a_power_only_where_a_range_cannot_be_meant():
    assert one("10-4 S/cm").value == 1e-4  # 10 → 4 would descend
    assert one("10-12 S/cm").value == 1e-12  # conductivities: powers of ten
    assert one("10-12 h").kind == "range"  # durations: a range


def test_lists_share_the_unit_written_last():
    found = find_quantities(
        "The maximum power densities were 25, 51, 97, 158, and 224 mW·cm–2 at 500, 550 °C."
    )
    assert [q.text for q in found] == ["25", "51", "97", "158", "224 mW·cm–2", "500", "550 °C"]
    assert {q.unit for q in found[:5]} == {"mW/cm^2"}
    assert [(q.text, q.bound) for q in find_quantities("∼1.2 and ∼0.7 W cm−2")] == [
        ("∼1.2", "~"),
        ("∼0.7 W cm−2", "~"),
    ]
    assert [q.text for q in find_quantities("10 or 15 M NaOH")] == ["10", "15 M"]


def test_bounds_symbols_and_comparatives_are_in_the_span_adverbs_are_not():
    assert (one("below 600 °C").text, one("below 600 °C").bound) == ("below 600 °C", "<")
    assert (one(">700°C").text, one(">700°C").bound) == (">700°C", ">")
    assert (one("sub-500-nm-thick").text, one("sub-500-nm-thick").bound) == ("sub-500-nm-thick", "<")
    q = one("approximately 1.07 V")
    assert (q.text, q.bound) == ("1.07 V", "~")
    assert one("up to 96 h").bound == "<="


def test_special_mentions():
    q = one("stirred at room temperature")
    assert (q.kind, q.value, q.unit) == ("room-temperature", 298.15, "K")
    q = one("stirred for two days")
    assert (q.value, q.unit) == (2.0, "d")
    q = one("adjusted to pH = 12.5 with NaOH")
    assert (q.value, q.unit) == (12.5, "pH")
    assert one("~3.2 V vs Li/Li+").reference == "Li/Li+"


def test_what_is_not_a_value():
    assert find_quantities("Li7La3Zr2O12 and 8YSZ and Ni-40CGO") == []  # numbers inside words
    assert find_quantities("as shown in Fig. 3 A and Table 2 V, ref. 12 K") == []
    assert find_quantities("in 2019 the 3 samples") == []  # no unit
    assert find_quantities("a 1:1 ratio, 2 M KOH")[0].text == "2 M"  # M, not M + K
    assert [q.text for q in find_quantities("2 M NaOH and 0.1 M LiPF6")] == ["2 M", "0.1 M"]


def test_glued_citations_are_not_exponents():
    assert one("at 400 °C10 and").text == "400 °C"
    assert one("at 400–600 oC9.").text == "400–600 oC"


@settings(max_examples=150, deadline=None)
@given(
    mantissa=st.decimals(min_value="0.01", max_value="999", places=2, allow_nan=False),
    exponent=st.integers(min_value=-9, max_value=-1),
    unit=st.sampled_from(["S cm−1", "S/cm", "mS cm-1", "eV", "mAh g−1", "W m−1 K−1", "µV/K", "°C", "K"]),
    times=st.sampled_from(["×", "x", "·"]),
    minus=st.sampled_from(["−", "-", "^-"]),
)
def test_powers_of_ten_round_trip(mantissa, exponent, unit, times, minus):
    """Any printed mantissa × 10^exponent with any unit notation reads back as the number."""
    text = f"It reaches {mantissa} {times} 10{minus}{-exponent} {unit} here."
    q = one(text)
    assert q.value == pytest.approx(float(mantissa) * 10.0**exponent, rel=1e-9)
    assert text[q.start : q.end] == q.text


def test_real_sofc_exp_sentences():
    """Sentences of SOFC-Exp train papers (CC BY): the gold VALUE spans are read exactly."""
    s = (
        "Fueled wet CH4 at 100 mL min−1, the cell with 3 wt.% of NTO demonstrates a peak power density of "
        "1.20 W cm−2 and a high limiting current density of 2.83 A cm−2 at 650 °C."
    )
    assert [q.text for q in find_quantities(s)] == [
        "100 mL min−1",
        "3 wt.%",
        "1.20 W cm−2",
        "2.83 A cm−2",
        "650 °C",
    ]
    s = (
        "Shim et al. demonstrated that a fuel cell employing a 40-nm-thick yttria-stabilized zirconia (YSZ) can "
        "generate a power density of 270 mW/cm2 at 350°C [11], while Kerman et al. demonstrated 1,037 mW/cm2 at "
        "500°C from a 100-nm-thick YSZ-based fuel cell [12]."
    )
    assert [q.text for q in find_quantities(s)] == [
        "40-nm-thick", "270 mW/cm2", "350°C", "1,037 mW/cm2", "500°C", "100-nm-thick"
    ]  # fmt: skip
