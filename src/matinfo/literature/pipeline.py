"""The extractor: paper in, one record per reported property value out (material, property, value, conditions).

:func:`extract` reads papers (paths or :class:`~matinfo.literature.documents.Document` objects), splits them into
sentences, finds material mentions (:func:`~matinfo.literature.materials.find_materials`), values with units
(:func:`~matinfo.literature.values.find_quantities`) and property words, links them
(:mod:`matinfo.literature.linking`) and returns :class:`Extraction` records with values in the canonical unit of
their quantity.  Everything runs offline: rules, ``matinfo.core`` formula and unit parsing, and the shipped CRF.

An :class:`Extraction` is also a read-only mapping (``dict(rec)``, ``rec["formula"]``), the record shape the
curation queue and ``matinfo lit extract --format json`` use; :meth:`Extraction.to_property_in` and
:func:`to_records` give the store's input records (method ``literature-extraction``).

>>> recs = extract_text("The garnet Li7La3Zr2O12 (LLZO) shows an ionic conductivity of 0.5 mS cm−1 at 25 °C.")
>>> [(r.material, r.formula, r.property, r.value, r.unit, r.conditions) for r in recs]
[('LLZO', 'Li7La3Zr2O12', 'ionic_conductivity', 0.0005, 'S/cm', {'temperature': 298.15})]
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from matinfo.core.records import MaterialIn, PropertyIn, ReferenceIn
from matinfo.errors import MatinfoError
from matinfo.literature.documents import Document, document_from_text, read_document
from matinfo.literature.linking import PropertyValue, assign_properties, link_materials
from matinfo.literature.materials import MaterialMention, find_materials
from matinfo.literature.properties import canonical_value, document_conductivity, ensure_quantities
from matinfo.literature.sentences import paragraph_spans, split_sentences
from matinfo.literature.tagger import MaterialTagger
from matinfo.literature.values import find_quantities

__all__ = ["Extraction", "extract", "extract_document", "extract_text", "to_records", "METHOD"]

#: The ``method`` of every property record from the extractor.
METHOD = "literature-extraction"


@dataclass(frozen=True)
class Extraction(Mapping[str, Any]):
    """One property value reported in a paper, linked to a material.

    Attributes
    ----------
    source : str
        The input as given (file path, or ``<text>``).
    material : str
        The material as written (``LLZO``, ``Li7La3Zr2O12``, ``Ni-YSZ``).
    formula : str or None
        Normalised formula (:func:`~matinfo.literature.formulas.printed_formula`) of the material or of the
        long form it abbreviates; None when the material has no formula (``YSZ`` defined as a name).
    property : str
        Quantity name in the registry (:mod:`matinfo.core.quantities`).
    value : float
        In ``unit``; a range's midpoint.
    unit : str
        The quantity's canonical unit (``""`` for dimensionless ones).
    raw_value : str
        The value as printed (bound, number, unit).
    conditions : mapping
        ``temperature`` (K), ``voltage`` (V), ``current_density`` (mA/cm^2), ``specific_current`` (mA/g),
        ``pressure`` (GPa), ``frequency`` (Hz), ``c_rate``, ``atmosphere``, ``reference_electrode``.
    sentence : str
        The sentence it was read from.
    uncertainty : float or None
        In ``unit``; a range's half-width.
    bound : str or None
        ``<``, ``<=``, ``>``, ``>=`` or ``~``.
    low, high : float or None
        A range's ends, in ``unit``.
    material_long_form : str or None
        What ``material`` abbreviates in this paper.
    link : str
        How the material was linked: ``sentence``, ``respectively`` or ``previous-sentence``.
    start, end : int
        Offsets of the printed value in the document text.
    doi, title : str or None
    year : int or None
    """

    source: str
    material: str
    formula: str | None
    property: str
    value: float
    unit: str
    raw_value: str
    conditions: Mapping[str, float | str]
    sentence: str
    uncertainty: float | None = None
    bound: str | None = None
    low: float | None = None
    high: float | None = None
    material_long_form: str | None = None
    link: str = "sentence"
    start: int = 0
    end: int = 0
    doi: str | None = None
    title: str | None = None
    year: int | None = None

    def __getitem__(self, key: str) -> Any:
        if key not in self._field_names():
            raise KeyError(key)
        value = getattr(self, key)
        return dict(value) if key == "conditions" else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._field_names())

    def __len__(self) -> int:
        return len(self._field_names())

    @classmethod
    def _field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def as_dict(self) -> dict[str, Any]:
        """A plain, JSON-serialisable dict of the record."""
        out = asdict(self)
        out["conditions"] = dict(self.conditions)
        return out

    @property
    def reference(self) -> ReferenceIn:
        """The paper as a store reference."""
        return ReferenceIn(
            doi=self.doi, title=self.title, year=self.year, url=None if self.doi else self.source
        )

    def to_property_in(self, *, produced_by: str | None = None) -> PropertyIn:
        """The value as a store :class:`~matinfo.core.records.PropertyIn` (method ``literature-extraction``).

        A bound is kept in the value text (``"<0.0001"``), a range as midpoint ± half-width.
        """
        value: float | str = self.value
        if self.bound and self.bound != "~":
            value = f"{self.bound}{self.value!r}"
        return PropertyIn(
            quantity=self.property,
            value=value,
            unit=self.unit or None,
            uncertainty=None if self.bound and self.bound != "~" else self.uncertainty,
            conditions=dict(self.conditions),
            method=METHOD,
            reference=self.reference,
            location=f"{self.source}:{self.start}",
            produced_by=produced_by or _producer(),
        )


def _producer() -> str:
    from matinfo import __version__

    return f"matinfo {__version__} literature extractor"


def to_records(extractions: Iterable[Extraction]) -> list[MaterialIn]:
    """Store records: one :class:`~matinfo.core.records.MaterialIn` per paper and material, with its values.

    Extractions whose material has no formula (``Ni-YSZ``, an undefined ``YSZ``) cannot be stored as a
    material and are left out.
    """
    groups: dict[tuple[str, str, str], list[Extraction]] = {}
    for e in extractions:
        if e.formula is None:
            continue
        groups.setdefault((e.source, e.formula, e.material), []).append(e)
    out = []
    for (_, formula, material), members in groups.items():
        ref = members[0].reference
        out.append(
            MaterialIn(
                formula=formula,
                name=material if material != formula else None,
                reference=ref,
                properties=tuple(e.to_property_in() for e in members),
                location=f"{members[0].source}:{members[0].start}",
            )
        )
    return out


def extract_document(doc: Document, *, tagger: MaterialTagger | None = None) -> list[Extraction]:
    """Every linked property value in one document, in text order.

    Parameters
    ----------
    doc : Document
    tagger : MaterialTagger, optional
        Default: the shipped model.

    Returns
    -------
    list of Extraction
    """
    ensure_quantities()
    from matinfo.literature._crf_features import document_context

    sentences = split_sentences(doc.text)
    ctx = document_context(doc.text)
    mentions = find_materials(doc.text, sentences, tagger=tagger, context=ctx)
    paragraphs = paragraph_spans(doc.text)
    conductivity = document_conductivity(doc.text)
    out: list[Extraction] = []
    previous: MaterialMention | None = None
    para_of_previous = -1
    for s in sentences:
        para = next((i for i, (a, b) in enumerate(paragraphs) if a <= s.start < b), -1)
        if para != para_of_previous:
            previous = None
        in_sentence = [m for m in mentions if s.start <= m.start and m.end <= s.end and m.specific]
        values = assign_properties(s.text, find_quantities(s.text), conductivity=conductivity)
        if values:
            for v in link_materials(s.start, values, in_sentence, previous, s.text):
                rec = _record(doc, s.text, s.start, v)
                if rec is not None:
                    out.append(rec)
        if in_sentence:
            previous = in_sentence[-1]
        para_of_previous = para
    return out


def _record(doc: Document, sentence: str, start: int, v: PropertyValue) -> Extraction | None:
    q, m = v.quantity, v.material
    if m is None:
        return None
    try:
        value = canonical_value(v.property, q.value, q.unit)
        unc = None
        if q.uncertainty is not None:
            unc = abs(canonical_value(v.property, q.value + q.uncertainty, q.unit) - value)
        low = None if q.low is None else canonical_value(v.property, q.low, q.unit)
        high = None if q.high is None else canonical_value(v.property, q.high, q.unit)
    except MatinfoError:  # a negative conductivity, a unit that does not fit after all: not a value of it
        return None
    from matinfo.core.quantities import get_quantity
    from matinfo.core.units import tidy

    return Extraction(
        source=doc.source,
        material=m.text,
        formula=m.formula,
        property=v.property,
        value=value,
        unit=get_quantity(v.property).canonical_unit or "",
        raw_value=q.text,
        conditions=v.conditions,
        sentence=sentence,
        uncertainty=None if unc is None else tidy(unc),
        bound=q.bound,
        low=low,
        high=high,
        material_long_form=m.long_form,
        link=v.link or "sentence",
        start=start + q.start,
        end=start + q.end,
        doi=doc.doi,
        title=doc.title,
        year=doc.year,
    )


def extract_text(
    text: str, source: str = "<text>", *, tagger: MaterialTagger | None = None
) -> list[Extraction]:
    """:func:`extract_document` of a plain text (metadata read from it)."""
    return extract_document(document_from_text(text, source), tagger=tagger)


def extract(
    inputs: Document | str | os.PathLike[str] | Iterable[Document | str | os.PathLike[str]],
    *,
    format: str | None = None,
    tagger: MaterialTagger | None = None,
) -> list[Extraction]:
    """Extract from one or more papers: :class:`Document` objects or file paths (read by
    :func:`~matinfo.literature.documents.read_document`, ``format`` forcing the reader).

    Returns
    -------
    list of Extraction
        All records, paper by paper in the order given.
    """
    if isinstance(inputs, (Document, str, os.PathLike)):
        inputs = [inputs]
    tagger = MaterialTagger() if tagger is None else tagger
    out: list[Extraction] = []
    for item in inputs:
        doc = item if isinstance(item, Document) else read_document(item, format=format)
        out += extract_document(doc, tagger=tagger)
    return out
