"""Formula validation, abbreviations defined in the text, and material mentions with their formulas."""

from __future__ import annotations

import pytest

from matinfo.literature.abbreviations import abbreviation_map, find_abbreviations
from matinfo.literature.formulas import clean_formula, formula_of, formula_shape, printed_formula
from matinfo.literature.materials import find_materials


@pytest.mark.parametrize(
    ("word", "shape"),
    [
        ("LiCoO2", "formula"), ("H2", "formula"), ("[Li0.95Nb0.01]NbO3", "formula"),
        ("La1-xSrxMnO3-δ", "variable"), ("LiyNb1-yTizO2.5-2y+2z", "variable"), ("Sr2Fe1.5Mo0.5O6−δ1213", "variable"),
        ("Ni", "element"), ("Pt", "element"), ("OCV", "caps"), ("CO", "caps"), ("zirconia", "name"),
        ("nickel", "name"), ("YSZ", None), ("The", None), ("SOFCs", None), ("No", None), ("Ni-YSZ", None),
    ],
)  # fmt: skip
def test_formula_shapes(word, shape):
    assert formula_shape(word) == shape


def test_printed_formula_normalises_notation_but_keeps_the_formula():
    assert printed_formula("Li₇La₃Zr₂O₁₂") == "Li7La3Zr2O12"
    assert printed_formula("La0.6Sr0.4CoO3−δ12") == "La0.6Sr0.4CoO3-δ"  # citation glued after δ
    assert printed_formula("Li1+xAlxTi2−x(PO4)3") == "Li1+xAlxTi2-x(PO4)3"  # (PO4)3 is not a citation
    assert printed_formula("ceria") == "CeO2"
    assert printed_formula("YSZ") is None
    assert clean_formula("(La0.8,Sr0.2)(Cr0.98,V0.02)O3") == "(La0.8Sr0.2)(Cr0.98V0.02)O3"
    assert formula_of(clean_formula("(La0.8,Sr0.2)(Cr0.98,V0.02)O3")).composition.reduced_formula


def test_abbreviation_definitions_both_ways():
    text = (
        "The garnet Li7La3Zr2O12 (LLZO) and yttria-stabilized zirconia (YSZ) were compared with "
        "LSCF (La0.6Sr0.4Co0.2Fe0.8O3−δ) cathodes and gadolinium-doped ceria (denoted as GDC)."
    )
    found = {a.short: a.long for a in find_abbreviations(text)}
    assert found == {
        "LLZO": "Li7La3Zr2O12",
        "YSZ": "yttria-stabilized zirconia",
        "LSCF": "La0.6Sr0.4Co0.2Fe0.8O3−δ",
        "GDC": "gadolinium-doped ceria",
    }
    for a in find_abbreviations(text):
        assert text[a.short_span[0] : a.short_span[1]] == a.short
        assert text[a.long_span[0] : a.long_span[1]] == a.long


def test_no_abbreviation_from_units_numbers_or_unrelated_words():
    assert abbreviation_map("sintered at 1200 °C (12 h) and cooled (Fig. 2) in air (RT)") == {}


def test_materials_resolve_abbreviations_to_formulas():
    text = (
        "The cubic garnet Li7La3Zr2O12 (LLZO) was sintered at 1200 °C. "
        "The LLZO pellet conducts 0.5 mS cm−1, more than yttria-stabilized zirconia (YSZ)."
    )
    found = [(m.text, m.formula, m.long_form, m.specific) for m in find_materials(text)]
    assert ("Li7La3Zr2O12", "Li7La3Zr2O12", None, True) in found
    assert ("LLZO", "Li7La3Zr2O12", "Li7La3Zr2O12", True) in found
    assert ("YSZ", None, "yttria-stabilized zirconia", True) in found
    assert not any(t in ("0.5", "mS", "1200") for t, *_ in found)


def test_rules_add_formulas_the_tagger_misses_and_skip_values():
    text = "It was mixed with LiNi0.8Co0.15Al0.05O2 and heated to 900 °C under O2 flow."
    mentions = find_materials(text)
    assert "LiNi0.8Co0.15Al0.05O2" in [m.text for m in mentions]
    assert all("°C" not in m.text for m in mentions)
