"""The gold corpora readers and the P/R/F1 harness (exact and overlap matching)."""

from __future__ import annotations

import pytest

from matinfo.errors import ParameterError
from matinfo.literature.corpora import in_regions, read_corpus, read_mspt, read_sofc_exp
from matinfo.literature.evaluate import Score, evaluate_corpus, score_pairs, score_spans
from tests.conftest import shared_data


def test_exact_and_overlap_scores():
    gold = [("d", 0, 4), ("d", 10, 12), ("e", 0, 3)]
    pred = [("d", 0, 4), ("d", 9, 12), ("d", 20, 22), ("e", 5, 6)]
    assert score_spans(gold, pred) == Score(tp=1, fp=3, fn=2)
    s = score_spans(gold, pred, match="overlap")
    assert (s.tp, s.fp, s.fn) == (2, 2, 1)
    assert (s.precision, s.recall, round(s.f1, 4)) == (0.5, 2 / 3, 0.5714)
    # one-to-one: two predictions overlapping one gold span count once
    assert score_spans([("d", 0, 10)], [("d", 0, 3), ("d", 5, 9)], match="overlap") == Score(1, 1, 0)
    assert Score(0, 0, 0).f1 == 0.0
    with pytest.raises(ParameterError):
        score_spans([], [], match="fuzzy")


def test_pairs_need_number_and_unit():
    gold = [("d", 0, 2, 3, 5)]
    assert score_pairs(gold, [("d", 0, 2, 3, 5)]) == Score(1, 0, 0)
    assert score_pairs(gold, [("d", 0, 2, 3, 6)]) == Score(0, 1, 1)
    assert score_pairs(gold, [("d", 0, 2, 3, 6)], match="overlap") == Score(1, 0, 0)
    assert score_pairs(gold, [("d", 0, 2, 6, 8)], match="overlap") == Score(0, 1, 1)


def test_sofc_exp_reader_splits_and_spans():
    root = shared_data("literature")
    counts = {split: len(read_sofc_exp(root, split)) for split in ("train", "dev", "test")}
    assert counts == {"train": 26, "dev": 8, "test": 11}
    doc = next(d for d in read_sofc_exp(root, "train") if d.doc_id == "PMC3564701")
    assert doc.doi == "10.1186/1556-276X-8-48"
    assert {"YSZ", "GDC", "yttria-stabilized zirconia"} <= {s.text for s in doc.materials}
    assert "1.07 V" in {s.text for s in doc.values}
    assert all(doc.text[s.start : s.end] == s.text for s in doc.materials + doc.values)
    assert len(in_regions(doc, doc.materials)) < len(
        doc.materials
    )  # stray spans outside experiment sentences


def test_mspt_reader_quantities():
    root = shared_data("literature")
    assert [len(read_mspt(root, s)) for s in ("train", "dev", "test")] == [200, 15, 15]
    doc = next(d for d in read_mspt(root, "test") if d.doc_id == "101039c6dt02166b")
    assert doc.doi == "10.1039/c6dt02166b" and doc.title.startswith("Magnetic and thermoelectric")
    assert "BaxCr5Se8" in {s.text for s in doc.materials}
    pairs = {doc.text[q.number[0] : q.unit[1]] for q in doc.quantities}
    assert {"10 g", "20 ml", "873 K"} <= pairs
    assert doc.regions[0] == (
        len("10.1039/c6dt02166b") + 1,
        doc.text.index("\n", len("10.1039/c6dt02166b") + 1),
    )


def test_unknown_corpus_and_missing_folder(tmp_path):
    with pytest.raises(ParameterError, match="unknown corpus"):
        read_corpus("conll", tmp_path)
    with pytest.raises(ParameterError, match="no mspt corpus"):
        read_mspt(tmp_path)
    with pytest.raises(ParameterError, match="split must be"):
        read_sofc_exp(tmp_path, "validation")


@pytest.mark.slow
def test_dev_split_scores_of_the_shipped_extractor():
    """The dev split (used for model selection): scores are in the range the benchmark reports."""
    root = shared_data("literature")
    for corpus, floor in (("sofc_exp", (0.6, 0.75)), ("mspt", (0.7, 0.85))):
        res = evaluate_corpus(corpus, root, split="dev")
        assert res["material"]["exact"].f1 > floor[0], corpus
        assert res["value"]["exact"].f1 > floor[1], corpus
        assert res["material"]["overlap"].f1 >= res["material"]["exact"].f1
