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
        """Hash of the record's content: the same record imported twice gets the same key."""
        blob = {
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
        return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()


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
