"""Precision, recall and F1 of the extractor against the gold corpora, by exact and by overlapping spans.

Matching criteria (both reported):

* **exact** — a predicted span counts when its ``[start, end)`` character offsets equal a gold span's in the same
  document; for MSPT values, when the number's and the unit's offsets both equal those of a gold number and its
  linked unit;
* **overlap** — a predicted span counts when it shares at least one character with a gold span not yet matched
  (one-to-one: each gold and each predicted span is used once, matched left to right); for MSPT values, when
  the numbers overlap and the units overlap.

Only spans inside the document's annotated regions (:attr:`~matinfo.literature.corpora.AnnotatedDocument.regions`)
are scored, predicted and gold alike.

>>> score_spans([("d", 0, 4), ("d", 10, 12)], [("d", 0, 4), ("d", 9, 12), ("d", 20, 22)])
Score(tp=1, fp=2, fn=1)
>>> score_spans([("d", 0, 4), ("d", 10, 12)], [("d", 0, 4), ("d", 9, 12), ("d", 20, 22)], match="overlap").f1
0.8
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from matinfo.errors import ParameterError
from matinfo.literature.corpora import AnnotatedDocument, region_of

if TYPE_CHECKING:  # pragma: no cover
    from matinfo.literature.tagger import MaterialTagger

__all__ = [
    "Score",
    "score_spans",
    "score_pairs",
    "evaluate_materials",
    "evaluate_values",
    "evaluate_corpus",
    "predict_materials",
    "predict_values",
    "Match",
]

Match = Literal["exact", "overlap"]
#: A span key: (document id, start, end).
SpanKey = tuple[str, int, int]
#: A value key: (document id, number start, number end, unit start, unit end).
PairKey = tuple[str, int, int, int, int]


@dataclass(frozen=True)
class Score:
    """Counts of true positives, false positives and false negatives, with P/R/F1 derived from them."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        """``tp / (tp + fp)``; 0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """``tp / (tp + fn)``; 0 when there is no gold span."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """``tp``, ``fp``, ``fn``, ``precision``, ``recall``, ``f1`` (rounded to 4 decimals)."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def _check_match(match: str) -> None:
    if match not in ("exact", "overlap"):
        raise ParameterError(f"match must be 'exact' or 'overlap', not {match!r}")


def score_spans(gold: Iterable[SpanKey], predicted: Iterable[SpanKey], *, match: Match = "exact") -> Score:
    """Score predicted spans against gold spans (criteria in the module docstring).

    Parameters
    ----------
    gold, predicted : iterable of (doc_id, start, end)
        Duplicates count once.
    match : {'exact', 'overlap'}

    Returns
    -------
    Score
    """
    _check_match(match)
    g, p = set(gold), set(predicted)
    if match == "exact":
        tp = len(g & p)
        return Score(tp, len(p) - tp, len(g) - tp)
    tp = _overlap_matches(g, p, lambda a, b: a[1] < b[2] and b[1] < a[2])
    return Score(tp, len(p) - tp, len(g) - tp)


def score_pairs(gold: Iterable[PairKey], predicted: Iterable[PairKey], *, match: Match = "exact") -> Score:
    """Score (number, unit) pairs: both parts must match (exactly, or by overlap).

    >>> score_pairs([("d", 0, 2, 3, 5)], [("d", 0, 2, 3, 6)]), score_pairs([("d", 0, 2, 3, 5)], [("d", 0, 2, 3, 6)], match="overlap")
    (Score(tp=0, fp=1, fn=1), Score(tp=1, fp=0, fn=0))
    """
    _check_match(match)
    g, p = set(gold), set(predicted)
    if match == "exact":
        tp = len(g & p)
        return Score(tp, len(p) - tp, len(g) - tp)

    def both(a: PairKey, b: PairKey) -> bool:
        return a[1] < b[2] and b[1] < a[2] and a[3] < b[4] and b[3] < a[4]

    tp = _overlap_matches(g, p, both)
    return Score(tp, len(p) - tp, len(g) - tp)


def _overlap_matches(gold: set, predicted: set, overlaps: Callable[[tuple, tuple], bool]) -> int:
    """Greedy one-to-one matching in text order within each document."""
    by_doc: dict[str, list] = defaultdict(list)
    for p in predicted:
        by_doc[p[0]].append(p)
    for spans in by_doc.values():
        spans.sort()
    used: set = set()
    tp = 0
    for g in sorted(gold):
        for p in by_doc.get(g[0], ()):
            if p not in used and overlaps(g, p):
                used.add(p)
                tp += 1
                break
    return tp


def _in_region(doc: AnnotatedDocument, start: int, end: int) -> bool:
    return region_of(doc, start, end) is not None


def evaluate_materials(
    docs: Sequence[AnnotatedDocument], predicted: dict[str, Iterable[tuple[int, int]]]
) -> dict[str, Score]:
    """Score material mentions: ``predicted`` maps document id → ``(start, end)`` spans in its text.

    Returns ``{"exact": Score, "overlap": Score}`` over the documents' regions.
    """
    gold, pred = _keys(docs, predicted, lambda d: [(s.start, s.end) for s in d.materials])
    return {m: score_spans(gold, pred, match=m) for m in ("exact", "overlap")}


def evaluate_values(
    docs: Sequence[AnnotatedDocument],
    predicted: dict[str, Iterable[tuple[int, int, int, int, int, int]]],
) -> dict[str, Score]:
    """Score values with units.

    ``predicted`` maps document id → ``(start, end, number_start, number_end, unit_start, unit_end)``.  SOFC-Exp
    documents (no :attr:`~matinfo.literature.corpora.AnnotatedDocument.quantities`) are scored on the whole
    value span against the gold ``VALUE`` spans; MSPT documents on (number, unit) pairs.

    Returns ``{"exact": Score, "overlap": Score}``.
    """
    pair_docs = [d for d in docs if d.quantities]
    span_docs = [d for d in docs if not d.quantities]
    out = {}
    for m in ("exact", "overlap"):
        total = Score(0, 0, 0)
        if span_docs:
            gold, pred = _keys(
                span_docs,
                {k: [(v[0], v[1]) for v in vs] for k, vs in predicted.items()},
                lambda d: [(s.start, s.end) for s in d.values],
            )
            total = _add(total, score_spans(gold, pred, match=m))  # type: ignore[arg-type]
        if pair_docs:
            gold_p, pred_p = _pair_keys(pair_docs, predicted)
            total = _add(total, score_pairs(gold_p, pred_p, match=m))
        out[m] = total
    return out


def _add(a: Score, b: Score) -> Score:
    return Score(a.tp + b.tp, a.fp + b.fp, a.fn + b.fn)


def _keys(
    docs: Sequence[AnnotatedDocument],
    predicted: dict[str, Iterable[tuple[int, int]]],
    gold_of: Callable[[AnnotatedDocument], list[tuple[int, int]]],
) -> tuple[list[SpanKey], list[SpanKey]]:
    gold, pred = [], []
    for d in docs:
        gold += [(d.doc_id, a, b) for a, b in gold_of(d) if _in_region(d, a, b)]
        pred += [(d.doc_id, a, b) for a, b in predicted.get(d.doc_id, ()) if _in_region(d, a, b)]
    return gold, pred


def _pair_keys(
    docs: Sequence[AnnotatedDocument], predicted: dict[str, Iterable[tuple[int, int, int, int, int, int]]]
) -> tuple[list[PairKey], list[PairKey]]:
    gold, pred = [], []
    for d in docs:
        for q in d.quantities:
            if _in_region(d, min(q.number[0], q.unit[0]), max(q.number[1], q.unit[1])):
                gold.append((d.doc_id, *q.number, *q.unit))
        for v in predicted.get(d.doc_id, ()):
            if _in_region(d, v[0], v[1]):
                pred.append((d.doc_id, v[2], v[3], v[4], v[5]))
    return gold, pred


def predict_materials(doc: AnnotatedDocument, tagger: MaterialTagger | None = None) -> list[tuple[int, int]]:
    """Material spans the shipped finder (:func:`~matinfo.literature.materials.find_materials`) reports in
    the document's regions."""
    from matinfo.literature.materials import find_materials
    from matinfo.literature.sentences import Sentence

    regions = [Sentence(doc.text[a:b], a, b) for a, b in doc.regions]
    return [(m.start, m.end) for m in find_materials(doc.text, regions, tagger=tagger)]


def predict_values(doc: AnnotatedDocument) -> list[tuple[int, int, int, int, int, int]]:
    """Values with units (:func:`~matinfo.literature.values.find_quantities`) in the document's regions, as
    ``(start, end, number_start, number_end, unit_start, unit_end)``.

    MSPT annotates ``room temperature`` as a condition without a number (``Condition-Misc``), so room-temperature
    mentions are not scored there; SOFC-Exp annotates them as values and they are.
    """
    from matinfo.literature.values import find_quantities

    out = []
    for a, b in doc.regions:
        for q in find_quantities(doc.text[a:b], offset=a):
            if doc.corpus == "mspt" and q.kind == "room-temperature":
                continue
            out.append((q.start, q.end, *q.number_span, *q.unit_span))
    return out


def evaluate_corpus(
    corpus: str, root: str | os.PathLike[str], *, split: str = "test", tagger: MaterialTagger | None = None
) -> dict[str, dict[str, Score]]:
    """Score the shipped material finder and value reader on one split of a gold corpus.

    Parameters
    ----------
    corpus : {'sofc_exp', 'mspt'}
    root : path-like
        Folder holding the corpus (or its parent).
    split : {'train', 'dev', 'test'}
    tagger : MaterialTagger, optional
        Default: the shipped model.

    Returns
    -------
    dict
        ``{"material": {"exact": Score, "overlap": Score}, "value": {...}}``.
    """
    from matinfo.literature.corpora import read_corpus
    from matinfo.literature.tagger import MaterialTagger

    docs = read_corpus(corpus, root, split)  # type: ignore[arg-type]
    tagger = MaterialTagger() if tagger is None else tagger
    return {
        "material": evaluate_materials(docs, {d.doc_id: predict_materials(d, tagger) for d in docs}),
        "value": evaluate_values(docs, {d.doc_id: predict_values(d) for d in docs}),
    }
