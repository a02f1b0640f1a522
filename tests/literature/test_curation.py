"""The curation queue: draft -> reviewed -> published, audit trail, no double extraction (both backends)."""

from __future__ import annotations

import pytest

from matinfo.errors import NotFoundError, ParameterError
from matinfo.literature.curation import Curation, CurationError

PAPER = (
    "Ta-doped Li7La3Zr2O12 (LLZO) garnets were sintered at 1200 °C. Li6.4La3Zr1.4Ta0.6O12 shows a total ionic "
    "conductivity of 1.0 × 10−3 S cm−1 at 25 °C with an activation energy of 0.35 eV."
)
SENTENCE = PAPER.split(". ")[1]
RECORDS = [
    {
        "source": "llzo.txt",
        "material": "Li6.4La3Zr1.4Ta0.6O12",
        "formula": "Li6.4La3Zr1.4Ta0.6O12",
        "property": "ionic_conductivity",
        "value": 1.0e-3,
        "unit": "S/cm",
        "raw_value": "1.0 × 10−3 S cm−1",
        "conditions": {"temperature": [298.15, "K"]},
        "sentence": SENTENCE,
    },
    {
        "source": "llzo.txt",
        "material": "Li6.4La3Zr1.4Ta0.6O12",
        "formula": "Li6.4La3Zr1.4Ta0.6O12",
        "property": "activation_energy",
        "value": 0.35,
        "unit": "eV",
        "raw_value": "0.35 eV",
        "conditions": {},
        "sentence": SENTENCE,
    },
]


@pytest.fixture
def cur(db):
    return Curation(db)


def _submit(cur):
    doc = cur.add_document("llzo.txt", PAPER, doi="10.1000/llzo.2020", title="Ta-doped LLZO", year=2020)
    return doc, cur.submit(RECORDS, document=doc, extractor="matinfo-rules-1")


def test_documents_are_identified_by_content_and_records_are_never_queued_twice(cur):
    doc, rep = _submit(cur)
    assert len(rep.added) == 2 and rep.skipped == 0
    assert cur.add_document("copy-of-llzo.txt", PAPER) == doc
    again = cur.submit(RECORDS, document=doc, extractor="matinfo-rules-1")
    assert again.added == () and again.skipped == 2
    assert cur.counts()["draft"] == 2


def test_drafts_are_invisible_until_published_then_linked_to_the_substance(cur, db):
    _doc, rep = _submit(cur)
    assert db.stats()["properties"] == 0
    sigma, ea = rep.added
    cur.accept(sigma, actor="editor-a")
    cur.edit(ea, {"value": 0.36}, actor="editor-b", note="value from Table 2, not the abstract")
    assert [q.status for q in cur.queue(None)] == ["reviewed", "reviewed"]
    assert cur.publish(actor="editor-a") == [sigma, ea]
    items = {q.id: q for q in cur.queue("published")}
    mat = db.get_material(items[sigma].material_id)
    assert items[sigma].material_id == items[ea].material_id  # same material as written, same paper
    sub = db.get_substance(mat.substance_id)
    assert sub.chemical_system == "La-Li-O-Zr"  # Ta (2.5 at.%) is a dopant: linked to the LLZO host phase
    props = {p.quantity: p for p in sub.properties if p.material_id == mat.id}
    assert props["activation_energy"].value == pytest.approx(0.36)
    assert props["ionic_conductivity"].value == pytest.approx(1e-3)
    assert props["ionic_conductivity"].method == "literature-extraction"
    assert props["ionic_conductivity"].produced_by == "matinfo-rules-1"
    assert props["ionic_conductivity"].location == SENTENCE
    assert mat.dataset == "literature"


def test_audit_trail_keeps_who_when_before_and_after(cur):
    _doc, rep = _submit(cur)
    rid = rep.added[1]
    cur.edit(rid, {"value": 0.36}, actor="editor-b", note="Table 2")
    cur.publish([rid], actor="chief")
    h = cur.history(rid)
    assert [a.action for a in h] == ["extract", "edit", "publish"]
    assert [a.actor for a in h] == ["matinfo-rules-1", "editor-b", "chief"]
    assert h[1].before["value"] == 0.35 and h[1].after["value"] == 0.36 and h[1].note == "Table 2"
    assert h[2].after["status"] == "published"
    assert cur.get(rid).extracted["value"] == 0.35  # what the extractor said is never overwritten


def test_state_rules_and_validation_errors_name_the_field(cur):
    _doc, rep = _submit(cur)
    a, b = rep.added
    with pytest.raises(CurationError, match="is draft; publish needs it to be reviewed"):
        cur.publish([a], actor="x")
    with pytest.raises(ParameterError, match="note"):
        cur.reject(a, actor="x", note=" ")
    cur.reject(a, actor="x", note="value belongs to the undoped sample")
    with pytest.raises(CurationError, match="is rejected"):
        cur.accept(a, actor="x")
    cur.reopen(a, actor="x")
    assert cur.get(a).status == "draft"
    with pytest.raises(CurationError, match="field 'unit' = 'eV' is not a unit of ionic_conductivity"):
        cur.edit(a, {"unit": "eV"}, actor="x")
    with pytest.raises(CurationError, match="field 'formula'"):
        cur.edit(b, {"formula": "Li6.4La3Zr1.4Ta0.6O12)("}, actor="x")
    with pytest.raises(ParameterError, match="cannot edit field"):
        cur.edit(b, {"status": "published"}, actor="x")
    # a failed edit changed nothing
    assert cur.get(a).status == "draft" and cur.get(b).data["formula"] == "Li6.4La3Zr1.4Ta0.6O12"
    with pytest.raises(NotFoundError):
        cur.accept(10_000, actor="x")
    with pytest.raises(ParameterError, match="actor"):
        cur.accept(a, actor="")


def test_one_bad_record_in_a_batch_changes_nothing(cur, db):
    doc = cur.add_document("b.txt", "other paper")
    rep = cur.submit(
        [dict(RECORDS[0], sentence="s1"), dict(RECORDS[0], sentence="s2", property="not_a_quantity")],
        document=doc,
        extractor="t",
    )
    good, bad = rep.added
    with pytest.raises(CurationError, match="record 2: field 'property' = 'not_a_quantity'"):
        cur.accept([good, bad], actor="x")
    assert cur.get(good).status == "draft"  # the whole batch is one transaction
    assert [a.action for a in cur.history(good)] == ["extract"]
    cur.edit(bad, {"property": "ionic_conductivity", "value": 2e-3}, actor="x")
    cur.accept([good], actor="x")
    assert cur.publish(actor="x") == [good, bad]
    assert db.stats()["properties"] == 2


def test_a_record_without_a_formula_cannot_be_reviewed_until_one_is_set(cur):
    doc = cur.add_document("sofc.txt", "YSZ paper")
    rid = cur.submit(
        [dict(RECORDS[0], material="YSZ", formula=None, sentence="YSZ conducts 0.1 S/cm at 1000 °C.")],
        document=doc,
        extractor="t",
    ).added[0]
    with pytest.raises(CurationError, match="no formula for material 'YSZ'.*--set formula="):
        cur.accept(rid, actor="x")
    cur.edit(rid, {"formula": "Zr0.92Y0.08O1.96"}, actor="x", note="8YSZ per the experimental section")
    assert cur.get(rid).status == "reviewed"
