"""Tokens and sentences: formulas, numbers and abbreviations stay whole."""

from __future__ import annotations

from matinfo.literature.sentences import paragraph_spans, split_sentences
from matinfo.literature.tokens import tokenize


def words(text: str) -> list[str]:
    return [t.text for t in tokenize(text)]


def test_formulas_stay_one_token():
    for formula in ("Ca3(PO4)2", "[Li0.95Nb0.01]NbO3", "(Sr,A)Ti0.65Fe0.35O3−δ", "La1-xSrxMnO3-δ",
                    "Li1+xAlxTi2-x(PO4)3", "CuSO4·5H2O", "YSZ-based"):  # fmt: skip
        assert words(f"the {formula}, here") == ["the", formula, ",", "here"]


def test_brackets_punctuation_and_joined_materials_split():
    assert words("Li7La3Zr2O12 (LLZO), i.e. garnet.") == [
        "Li7La3Zr2O12",
        "(",
        "LLZO",
        ")",
        ",",
        "i.e.",
        "garnet",
        ".",
    ]
    assert words("Pt/GDC/Pt and Ni-YSZ") == ["Pt", "/", "GDC", "/", "Pt", "and", "Ni", "-", "YSZ"]
    assert words("H2:H2O = 1:1") == ["H2", ":", "H2O", "=", "1:1"]
    assert words("La1.7Ca0.3Ni0.75Cu0.25O4–δ,16 and") == ["La1.7Ca0.3Ni0.75Cu0.25O4–δ", ",", "16", "and"]


def test_offsets_index_the_text():
    text = "  The Ni0.9Fe0.1-support (NFS) reached 1.20 W cm−2."
    for t in tokenize(text, offset=7):
        assert text[t.start - 7 : t.end - 7] == t.text


def test_sentences_do_not_break_formulas_numbers_or_abbreviations():
    text = (
        "LLZO conducts 1.2 × 10−3 S cm−1 at r.t. (ca. 25 °C). Fig. 2 shows Li0.33La0.56TiO3 and CuSO4.5H2O. "
        "Smith et al. reported 0.5 mS cm−1 (Ref. 12). J. Smith measured it. The e.g. case stays."
    )
    assert [s.text for s in split_sentences(text)] == [
        "LLZO conducts 1.2 × 10−3 S cm−1 at r.t. (ca. 25 °C).",
        "Fig. 2 shows Li0.33La0.56TiO3 and CuSO4.5H2O.",
        "Smith et al. reported 0.5 mS cm−1 (Ref. 12).",
        "J. Smith measured it.",
        "The e.g. case stays.",
    ]


def test_paragraphs_and_headings_end_sentences():
    text = "Results\n\nThe pellet was sintered\nat 1200 °C. It was dense.\n\n  Conclusions"
    sents = split_sentences(text)
    assert [s.text for s in sents] == [
        "Results",
        "The pellet was sintered\nat 1200 °C.",
        "It was dense.",
        "Conclusions",
    ]
    assert all(text[s.start : s.end] == s.text for s in sents)
    assert len(paragraph_spans(text)) == 3


def test_unclosed_bracket_does_not_swallow_the_paragraph():
    text = "A value (see below. Then more) stays. An unclosed ( bracket here. Next sentence follows."
    assert [s.text for s in split_sentences(text)][-1] == "Next sentence follows."


def test_real_sofc_exp_paragraph():
    """Abstract sentences of SOFC-Exp train paper PMC5075869 (CC BY), joined into one paragraph."""
    text = (
        "The infiltrated NiTiO3 is reduced to TiO2-supported Ni particles in H2 at 650 °C. The reforming activity "
        "of the Ni0.9Fe0.1-support is increased by the presence of the TiO2-supported Ni particles; 3 wt.% is the "
        "optimal value of the added NTO. Fueled wet CH4 at 100 mL min−1, the cell with 3 wt.% of NTO demonstrates "
        "a peak power density of 1.20 W cm−2 and a high limiting current density of 2.83 A cm−2 at 650 °C."
    )
    sents = split_sentences(text)
    assert len(sents) == 3
    assert sents[2].text.startswith("Fueled wet CH4") and sents[2].text.endswith("at 650 °C.")
