"""The extractor end to end: files in, records out, records into the store; and the tagger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matinfo.core.records import MaterialIn, PropertyIn
from matinfo.literature.pipeline import Extraction, extract, extract_text, to_records
from matinfo.literature.tagger import MaterialTagger, bio_labels, spans_from_labels, train_tagger
from matinfo.literature.tokens import tokenize

DATA = Path(__file__).parent / "data"
CONTRACT = (
    "source",
    "material",
    "formula",
    "property",
    "value",
    "unit",
    "raw_value",
    "conditions",
    "sentence",
)


def test_text_file_gives_the_issue_values_with_canonical_units():
    recs = extract(DATA / "garnet_note.txt")
    got = {(r.material, r.property): (r.value, r.unit, r.raw_value) for r in recs}
    assert got[("LLZO", "ionic_conductivity")] == (1.2e-3, "S/cm", "1.2 × 10−3 S cm−1")
    assert got[("LLZO", "activation_energy")] == (0.32, "eV", "0.32 ± 0.02 eV")
    assert got[("Li1.3Al0.3Ti1.7(PO4)3", "ionic_conductivity")] == (5e-4, "S/cm", "0.5 mS cm-1")
    assert got[("LiTi2(PO4)3", "ionic_conductivity")] == (1e-4, "S/cm", "10-4 S/cm")
    assert got[("LiFePO4", "specific_capacity")] == (160.0, "mAh/g", "160 mAh g−1")
    assert got[("LiFePO4", "average_voltage")] == (3.2, "V", "~3.2 V")
    assert got[("LiFePO4", "coulombic_efficiency")] == (0.995, "", "99.5%")
    llzo = next(r for r in recs if r.property == "ionic_conductivity")
    assert (llzo.formula, llzo.material_long_form, llzo.conditions) == ("Li7La3Zr2O12", "Li7La3Zr2O12",
                                                                        {"temperature": 298.15})  # fmt: skip
    assert llzo.source == str(DATA / "garnet_note.txt") and llzo.doi == "10.5555/matinfo.test.0001"
    ea = next(r for r in recs if r.property == "activation_energy")
    assert ea.uncertainty == pytest.approx(0.02)
    lfp = next(r for r in recs if r.property == "specific_capacity")
    assert lfp.conditions == {"c_rate": 0.1}


def test_records_are_mappings_with_the_cli_contract_and_serialise_to_json():
    rec = extract_text("LiFePO4 delivers 160 mAh g−1 at 25 °C.", "note.txt")[0]
    assert isinstance(rec, Extraction)
    assert set(CONTRACT) <= set(rec)
    assert dict(rec)["conditions"] == {"temperature": 298.15} and rec["sentence"].startswith("LiFePO4")
    assert json.loads(json.dumps(rec.as_dict()))["value"] == 160.0
    with pytest.raises(KeyError):
        rec["no_such_field"]


def test_html_jats_and_text_of_one_paper_agree():
    html = extract(DATA / "ni_fe_sofc.html")
    jats = extract(DATA / "ni_fe_sofc.xml")
    key = [(r.property, r.value, r.unit, r.raw_value) for r in html]
    assert key == [(r.property, r.value, r.unit, r.raw_value) for r in jats]
    assert ("power_density", 1200.0, "mW/cm^2", "1.20 W cm−2") in key
    assert ("current_density", 2830.0, "mA/cm^2", "2.83 A cm−2") in key
    pd = next(r for r in html if r.raw_value == "1.20 W cm−2")
    assert pd.conditions["temperature"] == 923.15 and pd.doi == "10.1038/srep35981" and pd.year == 2016


def test_store_records_and_import(tmp_path):
    from matinfo.store import connect

    recs = extract(DATA / "garnet_note.txt")
    materials = to_records(recs)
    assert all(isinstance(m, MaterialIn) for m in materials)
    props = [p for m in materials for p in m.properties]
    assert all(isinstance(p, PropertyIn) and p.method == "literature-extraction" for p in props)
    llzo = next(m for m in materials if m.name == "LLZO")
    assert llzo.formula == "Li7La3Zr2O12" and llzo.reference.doi == "10.5555/matinfo.test.0001"
    db = connect(f"sqlite:///{tmp_path / 'lit.db'}")
    try:
        report = db.write(materials, dataset="literature-test")
        assert report.materials == len(materials)
        assert db.stats()["properties"] == len(props)
    finally:
        db.close()


def test_bounds_go_to_the_store_as_printed_bounds():
    rec = extract_text("The LiTi2(PO4)3 pellet showed an ionic conductivity below 10-6 S cm−1.")[0]
    assert (rec.bound, rec.value) == ("<", 1e-6)
    assert rec.to_property_in().value == "<1e-06"


def test_bio_round_trip_and_shipped_tagger():
    toks = tokenize("dense Ni-YSZ anode and GDC")
    labels = bio_labels(toks, [(6, 12), (23, 26)])
    assert labels == ["O", "B-MAT", "I-MAT", "I-MAT", "O", "O", "B-MAT"]
    assert spans_from_labels(toks, labels) == [(6, 12), (23, 26)]
    text = "The Li7La3Zr2O12 (LLZO) pellet was sintered in air."
    assert [text[a:b] for a, b in MaterialTagger().tag_text(text)] == ["Li7La3Zr2O12", "LLZO", "air"]


def test_missing_model_says_what_to_do(tmp_path):
    from matinfo.errors import ParameterError

    with pytest.raises(ParameterError, match="train one with train_tagger"):
        MaterialTagger(tmp_path / "none.crfsuite").tag_text("LiCoO2")


@pytest.mark.slow
def test_training_learns_from_a_few_gold_documents(tmp_path):
    """A tagger trained on 20 MSPT train procedures finds the materials of one of them."""
    from matinfo.literature.corpora import read_mspt
    from tests.conftest import shared_data

    docs = read_mspt(shared_data("literature"), "train")[:20]
    model = train_tagger(docs, tmp_path / "small.crfsuite", max_iterations=60)
    assert model.stat().st_size > 1000
    doc = docs[0]
    gold = {(s.start, s.end) for s in doc.materials}
    found = set(MaterialTagger(model).tag_regions(doc.text, doc.regions))
    assert len(gold & found) / len(gold) > 0.8  # training data: recalled almost completely
