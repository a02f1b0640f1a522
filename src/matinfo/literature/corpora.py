"""Readers for the two gold corpora the extractor is trained and scored on, into one shape.

* **SOFC-Exp** (Friedrich et al., ACL 2020; annotations CC BY 4.0): 45 open-access solid-oxide-fuel-cell papers
  with MATERIAL and VALUE spans.  Entity spans are annotated exhaustively only in the 876 sentences labelled as
  describing an experiment (the corpus README: "experiment sentences only"; the other 8,590 sentences carry 430
  stray spans), so those sentences are the :attr:`AnnotatedDocument.regions` that training and scoring use.
  Split: the ``set`` column of ``SOFC-Exp-Metadata.csv`` (train 26, dev 8, test 11 papers).
* **MSPT** (Mysore et al., LAW 2019; MIT): 230 synthesis procedures in brat standoff.  ``Material`` and
  ``Nonrecipe-Material`` spans are the material mentions (the corpus splits them by their role in the
  recipe; a mention finder finds both); each ``Number`` linked by ``Number_Of`` to an ``Amount-Unit``, ``Condition-Unit``,
  ``Property-Unit`` or ``Apparatus-Unit`` span is one gold value with its unit (:class:`GoldQuantity`), and
  so is a ``Number`` directly followed by a unit span (nothing but a space or hyphen between them) whose
  ``Number_Of`` relation the annotators left out (e.g. ``V2O5 (0.082 g, 0.451 mmol)`` in 10.1039/b910641c).  The title line is annotated too, so the regions are the title and the sentences of
  the procedure (split by :func:`~matinfo.literature.sentences.split_sentences`).  Split: ``ner-{train,dev,test}
  -fnames.txt`` (200 / 15 / 15 procedures).

**Development protocol.**  Both corpora ship a *dev* split disjoint from *train* and *test*; it is the development
set carved out of the non-test data: every choice of features, encoder and regularisation is made on *dev* with
models trained on *train* only (``benchmarks/literature_extraction.py --select``), the shipped models are then
trained on *train* + *dev* (``--train``), and *test* is scored once per shipped model, after the choice (the
documents of *test* are not read during development, not even their unlabelled text).

``read_corpus("mspt", "../shared/data/literature", split="test")`` reads the 15 MSPT test procedures.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from matinfo.errors import ImportDataError, ParameterError
from matinfo.literature.sentences import split_sentences

__all__ = [
    "GoldSpan",
    "GoldQuantity",
    "AnnotatedDocument",
    "read_sofc_exp",
    "read_mspt",
    "read_corpus",
    "CORPORA",
    "SPLITS",
]

Split = Literal["train", "dev", "test"]
SPLITS: tuple[str, ...] = ("train", "dev", "test")
CORPORA: tuple[str, ...] = ("sofc_exp", "mspt")
_UNIT_TYPES = frozenset(("Amount-Unit", "Condition-Unit", "Property-Unit", "Apparatus-Unit"))
#: MSPT entity types that are material mentions: recipe materials and the others (``Nonrecipe-Material``: a
#: material named but not used in the synthesis, e.g. a product phase or an impurity).
_MATERIAL_TYPES = frozenset(("Material", "Nonrecipe-Material"))


@dataclass(frozen=True)
class GoldSpan:
    """A gold span ``[start, end)`` of the document text with its label (``MATERIAL``, ``VALUE``)."""

    start: int
    end: int
    label: str
    text: str


@dataclass(frozen=True)
class GoldQuantity:
    """A gold number with its unit (MSPT): offsets of the number and of the unit span."""

    number: tuple[int, int]
    unit: tuple[int, int]
    text: str


@dataclass(frozen=True)
class AnnotatedDocument:
    """One gold document.

    Attributes
    ----------
    corpus, doc_id, split : str
        ``"sofc_exp"`` or ``"mspt"``; the paper's PMC id or the procedure's file name; its split.
    text : str
        The full text the offsets index.
    regions : tuple of (int, int)
        Sentences whose spans are annotated exhaustively; train and score only there.
    materials, values : tuple of GoldSpan
        Material mentions; value spans (SOFC ``VALUE``; MSPT number-to-unit extent when contiguous).
    quantities : tuple of GoldQuantity
        MSPT numbers with their unit spans (empty for SOFC-Exp, whose values are single spans).
    doi, title : str or None
    """

    corpus: str
    doc_id: str
    split: str
    text: str
    regions: tuple[tuple[int, int], ...]
    materials: tuple[GoldSpan, ...]
    values: tuple[GoldSpan, ...]
    quantities: tuple[GoldQuantity, ...] = ()
    doi: str | None = None
    title: str | None = None


def _check_root(root: str | Path, corpus: str, marker: str) -> Path:
    base = Path(root)
    for cand in (base, base / corpus):
        if (cand / marker).exists():
            return cand
    raise ParameterError(
        f"no {corpus} corpus under {str(base)!r}: {marker!r} not found there or in {str(base / corpus)!r}; "
        "pass the folder that holds it (e.g. ../shared/data/literature)"
    )


def _check_split(split: str | None) -> None:
    if split is not None and split not in SPLITS:
        raise ParameterError(f"split must be one of {', '.join(SPLITS)} or None, not {split!r}")


def read_sofc_exp(root: str | Path, split: Split | None = None) -> list[AnnotatedDocument]:
    """Read SOFC-Exp (all papers, or one split) from ``root`` (the corpus folder or its parent).

    Parameters
    ----------
    root : str or Path
        Folder with ``SOFC-Exp-Metadata.csv``, ``texts/`` and ``annotations/``, or its parent.
    split : {'train', 'dev', 'test'} or None

    Returns
    -------
    list of AnnotatedDocument
        In metadata order.  ``regions`` are the experiment sentences.
    """
    _check_split(split)
    base = _check_root(root, "sofc_exp", "SOFC-Exp-Metadata.csv")
    meta_path = base / "SOFC-Exp-Metadata.csv"
    with meta_path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    texts = {p.stem.split("_", 1)[-1]: p for p in (base / "texts").glob("*.txt")}
    out = []
    for line, row in enumerate(rows, start=2):
        pmc, doc_split = row.get("name"), row.get("set")
        if not pmc or doc_split not in SPLITS:
            raise ImportDataError(
                "row without a paper name or a set of train/dev/test", source=str(meta_path), line=line
            )
        if split is not None and doc_split != split:
            continue
        if pmc not in texts:
            raise ImportDataError(f"no text file for {pmc}", source=str(base / "texts"), value=pmc)
        text = texts[pmc].read_text(encoding="utf-8")
        sentences = _sofc_sentences(base / "annotations" / "sentences" / f"{pmc}.csv")
        spans = _sofc_spans(base / "annotations" / "frames" / f"{pmc}.csv", sentences, text)
        out.append(
            AnnotatedDocument(
                corpus="sofc_exp",
                doc_id=pmc,
                split=doc_split,
                text=text,
                regions=tuple((a, b) for a, b, label in sentences.values() if label == "1"),
                materials=tuple(s for s in spans if s.label == "MATERIAL"),
                values=tuple(s for s in spans if s.label == "VALUE"),
                doi=row.get("DOI") or None,
                title=row.get("Document title") or None,
            )
        )
    return out


def _sofc_sentences(path: Path) -> dict[str, tuple[int, int, str]]:
    out = {}
    for line, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = raw.split()
        if len(parts) != 4:
            raise ImportDataError("expected 'id label begin end'", source=str(path), line=line, value=raw)
        out[parts[0]] = (int(parts[2]), int(parts[3]), parts[1])
    return out


def _sofc_spans(path: Path, sentences: dict[str, tuple[int, int, str]], text: str) -> list[GoldSpan]:
    out = []
    for line, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = raw.split("\t")
        if parts[0] != "SPAN":
            continue
        label, sid = parts[2].split(":")[0], parts[3]
        if label not in ("MATERIAL", "VALUE"):
            continue
        if sid not in sentences:
            raise ImportDataError(f"span in unknown sentence {sid}", source=str(path), line=line)
        base = sentences[sid][0]
        a, b = base + int(parts[4]), base + int(parts[5])
        out.append(GoldSpan(a, b, label, text[a:b]))
    return out


def read_mspt(root: str | Path, split: Split | None = None) -> list[AnnotatedDocument]:
    """Read MSPT procedures (all 230, or the ``ner-<split>-fnames.txt`` ones) from ``root``.

    Parameters
    ----------
    root : str or Path
        Folder with ``data/`` and the split lists, or its parent.
    split : {'train', 'dev', 'test'} or None
        ``None`` reads every procedure; each document's ``split`` is then its NER split.

    Returns
    -------
    list of AnnotatedDocument
        Sorted by file name within the split lists' order.
    """
    _check_split(split)
    base = _check_root(root, "mspt", "ner-train-fnames.txt")
    which = {}
    for name in SPLITS:
        for fname in (base / f"ner-{name}-fnames.txt").read_text(encoding="utf-8").split():
            which[fname] = name
    out = []
    for fname, doc_split in which.items():
        if split is not None and doc_split != split:
            continue
        out.append(_read_brat(base / "data" / fname, doc_split))
    return out


def _read_brat(stem: Path, split: str) -> AnnotatedDocument:
    text = stem.with_suffix(".txt").read_text(encoding="utf-8")
    ann_path = stem.with_suffix(".ann")
    ents: dict[str, GoldSpan] = {}
    pairs: list[tuple[str, str]] = []
    for line, raw in enumerate(ann_path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = raw.split("\t")
        if raw.startswith("T"):
            label, *offsets = parts[1].split(" ")
            if ";" in parts[1]:
                continue  # discontinuous spans: none in the NER types used here
            a, b = int(offsets[0]), int(offsets[1])
            if text[a:b] != parts[2]:
                raise ImportDataError(
                    f"span text {parts[2]!r} does not match the document ({text[a:b]!r})",
                    source=str(ann_path),
                    line=line,
                )
            ents[parts[0]] = GoldSpan(a, b, label, parts[2])
        elif raw.startswith("R") and parts[1].startswith("Number_Of "):
            _, arg1, arg2 = parts[1].split(" ")
            pairs.append((arg1.split(":", 1)[1], arg2.split(":", 1)[1]))
    by_start = {e.start: k for k, e in ents.items() if e.label in _UNIT_TYPES}
    linked = {num_id for num_id, _ in pairs}
    for k, e in ents.items():
        if e.label == "Number" and k not in linked:
            gap = len(text[e.end : e.end + 2]) - len(text[e.end : e.end + 2].lstrip(" -"))
            unit_id = by_start.get(e.end + min(gap, 1)) if gap <= 1 else None
            if unit_id is not None:
                pairs.append((k, unit_id))
    quantities, values = [], []
    for num_id, unit_id in pairs:
        num, unit = ents.get(num_id), ents.get(unit_id)
        if num is None or unit is None or num.label != "Number" or unit.label not in _UNIT_TYPES:
            continue
        a, b = min(num.start, unit.start), max(num.end, unit.end)
        quantities.append(GoldQuantity((num.start, num.end), (unit.start, unit.end), text[a:b]))
        if unit.start >= num.end and not text[num.end : unit.start].strip(" -"):
            values.append(GoldSpan(a, b, "VALUE", text[a:b]))
    lines = text.split("\n")
    doi = lines[0].strip() or None
    title_start = len(lines[0]) + 1
    title_end = title_start + len(lines[1]) if len(lines) > 1 else title_start
    regions = [(title_start, title_end)] if title_end > title_start else []
    regions += [(s.start + title_end, s.end + title_end) for s in split_sentences(text[title_end:])]
    return AnnotatedDocument(
        corpus="mspt",
        doc_id=stem.name,
        split=split,
        text=text,
        regions=tuple(regions),
        materials=tuple(
            sorted((e for e in ents.values() if e.label in _MATERIAL_TYPES), key=lambda e: e.start)
        ),
        values=tuple(sorted(values, key=lambda e: e.start)),
        quantities=tuple(sorted(quantities, key=lambda q: q.number)),
        doi=doi,
        title=text[title_start:title_end].strip() or None,
    )


def read_corpus(name: str, root: str | Path, split: Split | None = None) -> list[AnnotatedDocument]:
    """Read corpus ``name`` (``"sofc_exp"`` or ``"mspt"``) from ``root``; see the readers for details."""
    readers = {"sofc_exp": read_sofc_exp, "mspt": read_mspt}
    if name not in readers:
        raise ParameterError(f"unknown corpus {name!r}; choose one of {', '.join(CORPORA)}")
    return readers[name](root, split)


def region_of(doc: AnnotatedDocument, start: int, end: int) -> int | None:
    """Index of the region holding ``[start, end)``, or None."""
    for i, (a, b) in enumerate(doc.regions):
        if a <= start and end <= b:
            return i
    return None


def in_regions(doc: AnnotatedDocument, spans: Iterable[GoldSpan]) -> list[GoldSpan]:
    """The spans that lie inside one of the document's regions."""
    return [s for s in spans if region_of(doc, s.start, s.end) is not None]
