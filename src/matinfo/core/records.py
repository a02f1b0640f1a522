"""What goes into the store: plain, frozen input records.

Importers (CSV with a mapping, CIF folders, presets, the literature extractor, calculations) all produce
:class:`MaterialIn` records; :meth:`matinfo.store.Database.write` (``matinfo.store``) validates, links and inserts them in one
transaction.  Records say where they came from (``location``: ``file:line``) so that every error names it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ReferenceIn",
    "PropertyIn",
    "StructureIn",
    "MaterialIn",
    "PhaseDiagramIn",
    "DatasetIn",
    "BadRecord",
]


def _clean(s: str | None) -> str | None:
    if s is None:
        return None
    s = str(s).strip()
    return s or None


def normalize_doi(doi: str | None) -> str | None:
    """``https://doi.org/10.1/ABC`` → ``10.1/abc`` (DOIs are case-insensitive)."""
    doi = _clean(doi)
    if doi is None:
        return None
    low = doi.lower()
    for prefix in (
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi:",
    ):
        if low.startswith(prefix):
            low = low[len(prefix) :]
    return low.strip() or None


@dataclass(frozen=True)
class DatasetIn:
    name: str
    description: str | None = None
    license: str | None = None
    citation: str | None = None
    url: str | None = None
    visibility: str = "public"


@dataclass(frozen=True)
class ReferenceIn:
    doi: str | None = None
    authors: str | None = None
    title: str | None = None
    journal: str | None = None
    year: int | None = None
    volume: str | None = None
    pages: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.authors, list | tuple):  # CIF loops and JSON give author lists
            object.__setattr__(
                self, "authors", "; ".join(str(a).strip() for a in self.authors if str(a).strip())
            )

    @property
    def key(self) -> str | None:
        """Deduplication key (``doi:...`` or a hash of authors/title/journal/year); None if empty."""
        doi = normalize_doi(self.doi)
        if doi:
            return f"doi:{doi}"
        parts = [_clean(self.authors), _clean(self.title), _clean(self.journal), self.year]
        if not any(parts):
            return None
        blob = json.dumps([str(p).lower() if p is not None else None for p in parts])
        return "cite:" + hashlib.sha256(blob.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class PropertyIn:
    """One property value as given by the source.

    ``value`` may be a number, a string as printed (``"<1e-8"``, ``"1.2(3)"``, ``"3.4e-4 S/cm"``) or a bool.
    ``unit`` is the unit of ``value`` (None for dimensionless or when the string carries it).  ``conditions``
    maps condition names (temperature, pressure, atmosphere, ...) to a number (in the registry's canonical
    unit), a string with a unit (``"25 °C"``), a ``(value, unit)`` pair, a bool or a text.
    """

    quantity: str
    value: Any
    unit: str | None = None
    uncertainty: float | None = None
    conditions: Mapping[str, Any] = field(default_factory=dict)
    method: str = "experiment"
    reference: ReferenceIn | None = None
    location: str | None = None
    produced_by: str | None = None


@dataclass(frozen=True)
class StructureIn:
    """A crystal structure: the CIF text as stored plus, optionally, the parsed pymatgen ``Structure``."""

    cif: str
    source: str | None = None
    structure: Any = None  # pymatgen Structure; parsed from ``cif`` when None


@dataclass(frozen=True)
class MaterialIn:
    """A material as reported, with everything reported about it."""

    formula: str
    name: str | None = None
    variables: Mapping[str, float] | None = None
    structure: StructureIn | None = None
    space_group: int | str | None = None
    prototype: str | None = None
    reference: ReferenceIn | None = None
    properties: tuple[PropertyIn, ...] = ()
    external_ids: tuple[tuple[str, str], ...] = ()
    location: str | None = None  # file:line of the source row, for errors and provenance

    def content_key(self, dataset: str | None) -> str:
        """Hash of the record's content: the same record imported twice gets the same key.

        The hash is of ``json.dumps(blob, sort_keys=True, default=str)`` of :meth:`_content_blob`; databases
        store it, so its text must never change.  :func:`_content_json` writes that same text directly for
        the usual field types (~3x faster in a bulk import), and anything else takes ``json.dumps``.
        """
        text = _content_json(self, dataset)
        if text is None:
            text = json.dumps(self._content_blob(dataset), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def _content_blob(self, dataset: str | None) -> dict[str, Any]:
        return {
            "dataset": dataset,
            "formula": self.formula.strip(),
            "name": self.name,
            "variables": dict(sorted((self.variables or {}).items())),
            "cif": hashlib.sha256(self.structure.cif.encode()).hexdigest() if self.structure else None,
            "sg": self.space_group,
            "prototype": self.prototype,
            "ref": self.reference.key if self.reference else None,
            "props": [
                [
                    p.quantity,
                    repr(p.value),
                    p.unit,
                    p.uncertainty,
                    sorted((k, repr(v)) for k, v in p.conditions.items()),
                    p.method,
                    p.reference.key if p.reference else None,
                ]
                for p in self.properties
            ],
            "ext": sorted(self.external_ids),
        }


class _Unusual(Exception):
    """A value :func:`_scalar` does not write itself: ``json.dumps`` must."""


_float_repr = float.__repr__
_int_repr = int.__repr__


def _scalar(v: Any) -> str:
    """``json.dumps(v)`` (default options) of a str, None, int or float; :class:`_Unusual` for other types."""
    t = type(v)
    if t is str:
        return _encode_str(v)
    if v is None:
        return "null"
    if t is float:
        if v != v:
            return "NaN"
        if v == _INF:
            return "Infinity"
        if v == -_INF:
            return "-Infinity"
        return _float_repr(v)
    if t is int:
        return _int_repr(v)
    raise _Unusual


_INF = float("inf")
_encode_str = (
    getattr(json.encoder, "c_encode_basestring_ascii", None) or json.encoder.py_encode_basestring_ascii
)


#: (quantity, unit, method) -> their JSON texts, for str (and None unit) fields only: a data set has few.
_FIELD_TEXTS: dict[tuple[str, str | None, str], tuple[str, str, str]] = {}


def _content_json(rec: MaterialIn, dataset: str | None) -> str | None:
    """``json.dumps(rec._content_blob(dataset), sort_keys=True, default=str)`` written directly, or None
    when a field holds a type this does not cover (variables, non-string condition keys, ...)."""
    if rec.variables:
        return None
    try:
        props = []
        for p in rec.properties:
            conds = p.conditions
            if conds:
                items = sorted((k, repr(v)) for k, v in conds.items())
                for k, _ in items:
                    if type(k) is not str:
                        return None
                cond_text = "[" + ", ".join([f"[{_encode_str(k)}, {_encode_str(r)}]" for k, r in items]) + "]"
            elif hasattr(conds, "items"):
                cond_text = "[]"
            else:  # not a mapping: json.dumps' path raises what it raised before
                return None
            ref = p.reference
            fixed = (p.quantity, p.unit, p.method)
            texts = _FIELD_TEXTS.get(fixed)
            if texts is None or type(fixed[0]) is not str or type(fixed[2]) is not str:  # 1 == 1.0 == True
                texts = (_scalar(p.quantity), _scalar(p.unit), _scalar(p.method))
                if type(fixed[0]) is str and type(fixed[2]) is str and type(fixed[1]) in (str, type(None)):
                    if len(_FIELD_TEXTS) < 4096:
                        _FIELD_TEXTS[fixed] = texts
            props.append(
                f"[{texts[0]}, {_encode_str(repr(p.value))}, {texts[1]}, {_scalar(p.uncertainty)}, "
                f"{cond_text}, {texts[2]}, {_scalar(ref.key if ref else None)}]"
            )
        exts = []
        for item in sorted(rec.external_ids):
            if type(item) is not tuple or len(item) != 2:
                return None
            exts.append(f"[{_scalar(item[0])}, {_scalar(item[1])}]")
        st = rec.structure
        cif = hashlib.sha256(st.cif.encode()).hexdigest() if st else None
        sg = rec.space_group
        if type(sg) is not int and type(sg) is not str and sg is not None:  # float, bool: json.dumps decides
            return None
        if type(rec.formula) is not str:
            return None
        return (
            f'{{"cif": {_scalar(cif)}, "dataset": {_scalar(dataset)}, "ext": [{", ".join(exts)}], '
            f'"formula": {_encode_str(rec.formula.strip())}, "name": {_scalar(rec.name)}, '
            f'"props": [{", ".join(props)}], "prototype": {_scalar(rec.prototype)}, '
            f'"ref": {_scalar(rec.reference.key if rec.reference else None)}, "sg": {_scalar(sg)}, '
            '"variables": {}}'
        )
    except _Unusual:
        return None


@dataclass(frozen=True)
class PhaseDiagramIn:
    chemical_system: str  # elements joined by "-", any order
    diagram_type: str
    t_min_K: float | None = None
    t_max_K: float | None = None
    p_min_GPa: float | None = None
    p_max_GPa: float | None = None
    source: str | None = None
    data: Mapping[str, Any] | None = None
    reference: ReferenceIn | None = None

    def content_key(self, dataset: str | None) -> str:
        blob = [
            dataset,
            "-".join(sorted(self.chemical_system.split("-"))),
            self.diagram_type,
            self.t_min_K,
            self.t_max_K,
            self.p_min_GPa,
            self.p_max_GPa,
            self.source,
            self.reference.key if self.reference else None,
            self.data,
        ]
        return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class BadRecord:
    """A source row or file that could not even be read into a record.

    Readers yield it instead of raising, so one bad row does not end the stream: the store raises ``error``
    (and writes nothing) on a normal import, or counts it as a reject with ``skip_bad=True``.
    """

    location: str | None
    text: str | None
    error: Exception
