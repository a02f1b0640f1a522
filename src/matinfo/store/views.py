"""Read models: what ``get_substance`` / ``get_material`` / ``search`` return.

Plain frozen dataclasses, detached from the database session, with ``to_dict()`` for JSON.  One mapper per
table row (``_material``, ``_structure``, ...) so the CLI, the REST API and exports all serialise alike.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matinfo.store import models as m

__all__ = [
    "ReferenceRecord",
    "PropertyRecord",
    "StructureRecord",
    "MaterialRecord",
    "PhaseDiagramRecord",
    "SubstanceRecord",
    "SubstanceSummary",
    "substance_record",
    "material_record",
]


class _Dict:
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ReferenceRecord(_Dict):
    id: int
    doi: str | None
    authors: str | None
    title: str | None
    journal: str | None
    year: int | None

    def cite(self) -> str:
        parts = [
            p for p in (self.authors, self.title, self.journal, str(self.year) if self.year else None) if p
        ]
        text = "; ".join(parts)
        if self.doi:
            text = f"{text} doi:{self.doi}" if text else f"doi:{self.doi}"
        return text


@dataclass(frozen=True)
class PropertyRecord(_Dict):
    id: int
    material_id: int
    quantity: str
    value: float | None
    value_text: str | None
    uncertainty: float | None
    bound: str | None
    unit: str | None
    conditions: dict[str, Any]
    method: str
    reference_id: int | None
    location: str | None
    produced_by: str | None
    original: str | None

    def value_str(self) -> str:
        if self.value_text is not None:
            return self.value_text
        if self.value is None:
            return "?"
        s = f"{self.bound or ''}{self.value:.4g}"
        if self.uncertainty is not None:
            s += f" ± {self.uncertainty:.2g}"
        return f"{s} {self.unit}" if self.unit else s


@dataclass(frozen=True)
class StructureRecord(_Dict):
    id: int
    material_id: int
    formula: str | None
    space_group_number: int | None
    space_group_symbol: str | None
    crystal_system: str | None
    pearson_symbol: str | None
    prototype: str | None
    a_A: float | None
    b_A: float | None
    c_A: float | None
    alpha_deg: float | None
    beta_deg: float | None
    gamma_deg: float | None
    volume_A3: float | None
    density_g_cm3: float | None
    n_sites: int | None
    has_partial_occupancy: bool
    source: str | None
    cif: str


@dataclass(frozen=True)
class MaterialRecord(_Dict):
    id: int
    substance_id: int
    formula: str
    name: str | None
    reduced_formula: str | None
    chemical_system: str
    composition: dict[str, float] | None
    is_resolved: bool
    unresolved_reason: str | None
    space_group_number: int | None
    prototype: str | None
    link_reason: str
    link_distance: float | None
    dataset: str | None
    reference_id: int | None
    external_ids: list[tuple[str, str]]


@dataclass(frozen=True)
class PhaseDiagramRecord(_Dict):
    id: int
    chemical_system: str
    diagram_type: str
    t_min_K: float | None
    t_max_K: float | None
    p_min_GPa: float | None
    p_max_GPa: float | None
    source: str | None
    reference_id: int | None
    data: dict[str, Any] | None


@dataclass(frozen=True)
class SubstanceRecord(_Dict):
    """A substance with everything known about it."""

    substance_id: int
    reduced_formula: str
    chemical_system: str
    space_group: int | None
    space_group_symbol: str | None
    crystal_system: str | None
    pearson_symbol: str | None
    prototype: str | None
    composition_range: dict[str, tuple[float, float]]
    materials: list[MaterialRecord]
    structures: list[StructureRecord]
    properties: list[PropertyRecord]
    phase_diagrams: list[PhaseDiagramRecord]
    references: list[ReferenceRecord]


@dataclass(frozen=True)
class SubstanceSummary(_Dict):
    """One search hit."""

    substance_id: int
    reduced_formula: str
    chemical_system: str
    space_group: int | None
    crystal_system: str | None
    prototype: str | None
    n_materials: int
    n_structures: int
    n_properties: int
    formulas: list[str]


def _reference(r: m.Reference) -> ReferenceRecord:
    return ReferenceRecord(r.id, r.doi, r.authors, r.title, r.journal, r.year)


def _property(p: m.Property) -> PropertyRecord:
    return PropertyRecord(
        p.id,
        p.material_id,
        p.quantity,
        p.value,
        p.value_text,
        p.uncertainty,
        p.bound,
        p.unit,
        dict(p.conditions or {}),
        p.method,
        p.reference_id,
        p.location,
        p.produced_by,
        p.original,
    )


def _structure(s: m.Structure) -> StructureRecord:
    return StructureRecord(
        s.id,
        s.material_id,
        s.formula,
        s.space_group_number,
        s.space_group_symbol,
        s.crystal_system,
        s.pearson_symbol,
        s.prototype,
        s.a_A,
        s.b_A,
        s.c_A,
        s.alpha_deg,
        s.beta_deg,
        s.gamma_deg,
        s.volume_A3,
        s.density_g_cm3,
        s.n_sites,
        bool(s.has_partial_occupancy),
        s.source,
        s.cif,
    )


def _material(x: m.Material, dataset: str | None, ext: list[tuple[str, str]]) -> MaterialRecord:
    return MaterialRecord(
        x.id,
        x.substance_id,
        x.formula,
        x.name,
        x.reduced_formula,
        x.chemical_system,
        dict(x.composition) if x.composition else None,
        bool(x.is_resolved),
        x.unresolved_reason,
        x.space_group_number,
        x.prototype,
        x.link_reason,
        x.link_distance,
        dataset,
        x.reference_id,
        ext,
    )


def _phase_diagram(d: m.PhaseDiagram) -> PhaseDiagramRecord:
    return PhaseDiagramRecord(
        d.id,
        d.chemical_system,
        d.diagram_type,
        d.t_min_K,
        d.t_max_K,
        d.p_min_GPa,
        d.p_max_GPa,
        d.source,
        d.reference_id,
        dict(d.data) if d.data else None,
    )


def material_record(s: Session, mat: m.Material) -> MaterialRecord:
    ds = s.get(m.Dataset, mat.dataset_id).name if mat.dataset_id else None
    ext = [
        (e.source, e.value) for e in s.scalars(select(m.ExternalId).where(m.ExternalId.material_id == mat.id))
    ]
    return _material(mat, ds, ext)


def _related_diagrams(s: Session, system: str, elements: set[str]) -> list[m.PhaseDiagram]:
    """Diagrams of the substance's system and of larger systems containing it (the phase appears in both)."""
    exact = list(s.scalars(select(m.PhaseDiagram).where(m.PhaseDiagram.chemical_system == system)))
    first = sorted(elements)[0] if elements else ""
    wider = s.scalars(
        select(m.PhaseDiagram).where(
            m.PhaseDiagram.chemical_system.like(f"%{first}%"), m.PhaseDiagram.chemical_system != system
        )
    )
    return exact + [d for d in wider if elements <= set(d.chemical_system.split("-"))]


def substance_record(s: Session, sub: m.Substance) -> SubstanceRecord:
    mats = list(
        s.scalars(select(m.Material).where(m.Material.substance_id == sub.id).order_by(m.Material.id))
    )
    structs = list(
        s.scalars(select(m.Structure).where(m.Structure.substance_id == sub.id).order_by(m.Structure.id))
    )
    props = list(
        s.scalars(select(m.Property).where(m.Property.substance_id == sub.id).order_by(m.Property.id))
    )
    mat_ids = [x.id for x in mats]
    ext: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for i in range(0, len(mat_ids), 500):
        for e in s.scalars(select(m.ExternalId).where(m.ExternalId.material_id.in_(mat_ids[i : i + 500]))):
            ext[e.material_id].append((e.source, e.value))
    ds_names = dict(s.execute(select(m.Dataset.id, m.Dataset.name)).all())
    diagrams = _related_diagrams(s, sub.chemical_system, set(sub.chemical_system.split("-")))
    ref_ids = (
        {x.reference_id for x in mats}
        | {p.reference_id for p in props}
        | {st.reference_id for st in structs}
        | {d.reference_id for d in diagrams}
    )
    ref_ids.discard(None)
    refs = (
        list(
            s.scalars(select(m.Reference).where(m.Reference.id.in_(sorted(ref_ids))).order_by(m.Reference.id))
        )
        if ref_ids
        else []
    )
    fmin, fmax = sub.fraction_min or {}, sub.fraction_max or {}
    return SubstanceRecord(
        substance_id=sub.id,
        reduced_formula=sub.reduced_formula,
        chemical_system=sub.chemical_system,
        space_group=sub.space_group_number,
        space_group_symbol=sub.space_group_symbol,
        crystal_system=sub.crystal_system,
        pearson_symbol=sub.pearson_symbol,
        prototype=sub.prototype,
        composition_range={
            el: (fmin.get(el, 0.0), fmax.get(el, 0.0)) for el in sorted(set(fmin) | set(fmax))
        },
        materials=[_material(x, ds_names.get(x.dataset_id), ext.get(x.id, [])) for x in mats],
        structures=[_structure(x) for x in structs],
        properties=[_property(p) for p in props],
        phase_diagrams=[_phase_diagram(d) for d in diagrams],
        references=[_reference(r) for r in refs],
    )
