"""SQLAlchemy 2 tables of the matinfo store.

One row per thing a materials scientist talks about: a *substance* (distinct phase), a *material* as reported
(original string kept), its *structures*, *properties* (canonical unit, typed conditions, method, provenance),
*phase diagrams*, *references*, *external IDs* and the *datasets* they came from (license, citation).

Column names carry their unit where one applies (``volume_A3``, ``density_g_cm3``).  Conditions are a JSON
object of canonical values (``{"temperature": 300.0, "atmosphere": "Ar"}``) whose units are those of the
quantity registry (:mod:`matinfo.core.quantities`); temperature, the most searched condition, is also a column.
Optimisation campaigns (:mod:`matinfo.optimize`) keep their definition, their candidate pool and their
append-only experiment log here too (``campaigns``, ``campaign_candidates``, ``campaign_events``), and the
literature curation queue its documents, extracted records and audit trail (``lit_documents``, ``lit_records``,
``lit_audit``; :mod:`matinfo.literature.curation`), and the calculation queue its jobs (``calc_jobs``;
:mod:`matinfo.calc.jobs`).
The schema is created and upgraded by Alembic (``src/matinfo/store/migrations``); this module is its source.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "Base",
    "Dataset",
    "Reference",
    "Substance",
    "Material",
    "MaterialElement",
    "Structure",
    "Property",
    "PhaseDiagram",
    "ExternalId",
    "Campaign",
    "CampaignCandidate",
    "CampaignEvent",
    "LitDocument",
    "LitRecord",
    "LitAudit",
    "CalcJob",
    "CALC_JOB_STATES",
    "CURATION_STATES",
    "METHODS",
    "VISIBILITIES",
]

#: Allowed values of :attr:`Property.method`.
METHODS = ("experiment", "calculation", "prediction", "literature-extraction")
#: Allowed values of :attr:`Dataset.visibility`.
VISIBILITIES = ("public", "private")


class Base(DeclarativeBase):
    type_annotation_map = {dict: JSON, list: JSON}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Dataset(Base):
    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    license: Mapped[str | None] = mapped_column(String(200))
    citation: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(20), default="public")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Reference(Base):
    __tablename__ = "refs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Deduplication key: ``doi:<lower-case DOI>`` or ``cite:<hash of authors/title/year>``.
    key: Mapped[str] = mapped_column(String(300), unique=True)
    doi: Mapped[str | None] = mapped_column(String(300), index=True)
    authors: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    journal: Mapped[str | None] = mapped_column(String(500))
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    volume: Mapped[str | None] = mapped_column(String(50))
    pages: Mapped[str | None] = mapped_column(String(50))
    url: Mapped[str | None] = mapped_column(Text)


class Substance(Base):
    """A distinct phase: host chemical system + structure type + composition region."""

    __tablename__ = "substances"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Host system without dopants, alphabetical, e.g. ``La-Li-O-Zr``.
    chemical_system: Mapped[str] = mapped_column(String(200), index=True)
    #: ``sg161`` / ``proto:<label>`` / ``unknown`` (see :class:`matinfo.core.identity.StructureType`).
    structure_type_key: Mapped[str] = mapped_column(String(120))
    space_group_number: Mapped[int | None] = mapped_column(Integer, index=True)
    space_group_symbol: Mapped[str | None] = mapped_column(String(40))
    crystal_system: Mapped[str | None] = mapped_column(String(20), index=True)
    pearson_symbol: Mapped[str | None] = mapped_column(String(20))
    prototype: Mapped[str | None] = mapped_column(String(120), index=True)
    #: Formula of the founding material (reduced), the substance's display name.
    reduced_formula: Mapped[str] = mapped_column(String(200), index=True)
    anonymous_formula: Mapped[str | None] = mapped_column(String(200))
    nelements: Mapped[int] = mapped_column(Integer, index=True)
    #: Smallest and largest atomic fraction of each element over the members (the composition range).
    fraction_min: Mapped[dict] = mapped_column(JSON, default=dict)
    fraction_max: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    materials: Mapped[list[Material]] = relationship(back_populates="substance", order_by="Material.id")

    __table_args__ = (Index("ix_substances_system_type", "chemical_system", "structure_type_key"),)


class Material(Base):
    """A material as reported: the original formula string, its parsed composition and its link."""

    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    substance_id: Mapped[int] = mapped_column(ForeignKey("substances.id"), index=True)
    formula: Mapped[str] = mapped_column(Text)  # as printed
    name: Mapped[str | None] = mapped_column(String(200))  # sample label / data-set row ID
    reduced_formula: Mapped[str | None] = mapped_column(String(200), index=True)
    chemical_system: Mapped[str] = mapped_column(String(200), index=True)  # all elements, dopants included
    anonymous_formula: Mapped[str | None] = mapped_column(String(200), index=True)
    #: Scale-free exact composition key (``Li:0.2;Nb:0.2;O:0.6``): Li6.4La3Zr1.4Ta0.6O12 from a paper and
    #: Li51.2La24Zr11.2Ta4.8O96 from a CIF cell get the same key, which pymatgen's reduced formula does not give.
    formula_hash: Mapped[str | None] = mapped_column(String(400), index=True)
    nelements: Mapped[int] = mapped_column(Integer)  # indexed with substance_id (__table_args__)
    composition: Mapped[dict | None] = mapped_column(JSON)  # element -> amount (resolved formulas)
    is_resolved: Mapped[bool] = mapped_column(Boolean, default=True)
    unresolved_reason: Mapped[str | None] = mapped_column(Text)
    variables: Mapped[list | None] = mapped_column(JSON)
    space_group_number: Mapped[int | None] = mapped_column(Integer)
    prototype: Mapped[str | None] = mapped_column(String(120))
    link_reason: Mapped[str] = mapped_column(Text)
    link_distance: Mapped[float | None] = mapped_column(Float)
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id"), index=True)
    reference_id: Mapped[int | None] = mapped_column(ForeignKey("refs.id"), index=True)
    #: Content hash of the imported record; re-importing the same record adds nothing.
    record_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    substance: Mapped[Substance] = relationship(back_populates="materials")
    structures: Mapped[list[Structure]] = relationship(back_populates="material", order_by="Structure.id")
    properties: Mapped[list[Property]] = relationship(back_populates="material", order_by="Property.id")
    reference: Mapped[Reference | None] = relationship()
    dataset: Mapped[Dataset | None] = relationship()
    external_ids: Mapped[list[ExternalId]] = relationship(back_populates="material")

    #: Searches walk ``nelements = n`` in substance order and stop when a page is full (migration 0002).
    __table_args__ = (Index("ix_materials_nelements_substance", "nelements", "substance_id"),)


class MaterialElement(Base):
    """Set-valued ``elements`` of a material, for indexed element searches (all / any / none)."""

    __tablename__ = "material_elements"

    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), primary_key=True)
    element: Mapped[str] = mapped_column(String(3), primary_key=True)
    fraction: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (Index("ix_material_elements_element", "element", "material_id"),)


class Structure(Base):
    __tablename__ = "structures"

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), index=True)
    substance_id: Mapped[int] = mapped_column(ForeignKey("substances.id"), index=True)
    cif: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)  # file name
    formula: Mapped[str | None] = mapped_column(String(200))
    a_A: Mapped[float | None] = mapped_column(Float)
    b_A: Mapped[float | None] = mapped_column(Float)
    c_A: Mapped[float | None] = mapped_column(Float)
    alpha_deg: Mapped[float | None] = mapped_column(Float)
    beta_deg: Mapped[float | None] = mapped_column(Float)
    gamma_deg: Mapped[float | None] = mapped_column(Float)
    volume_A3: Mapped[float | None] = mapped_column(Float)
    density_g_cm3: Mapped[float | None] = mapped_column(Float)
    n_sites: Mapped[int | None] = mapped_column(Integer)
    space_group_number: Mapped[int | None] = mapped_column(Integer, index=True)
    space_group_symbol: Mapped[str | None] = mapped_column(String(40))
    crystal_system: Mapped[str | None] = mapped_column(String(20))
    pearson_symbol: Mapped[str | None] = mapped_column(String(20))
    prototype: Mapped[str | None] = mapped_column(String(120))
    has_partial_occupancy: Mapped[bool] = mapped_column(Boolean, default=False)
    symprec: Mapped[float | None] = mapped_column(Float)
    reference_id: Mapped[int | None] = mapped_column(ForeignKey("refs.id"))

    material: Mapped[Material] = relationship(back_populates="structures")
    reference: Mapped[Reference | None] = relationship()


class Property(Base):
    __tablename__ = "properties"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Indexed with quantity and value (``__table_args__``).
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"))
    substance_id: Mapped[int] = mapped_column(ForeignKey("substances.id"), index=True)
    quantity: Mapped[str] = mapped_column(String(100))
    #: Value in ``unit`` (the quantity's canonical unit); for a bound it is the bound's number.
    value: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(Text)  # non-numeric values (booleans, categories)
    uncertainty: Mapped[float | None] = mapped_column(Float)
    #: ``<``, ``<=``, ``>``, ``>=``, ``~`` or NULL for an exact value.
    bound: Mapped[str | None] = mapped_column(String(2))
    unit: Mapped[str | None] = mapped_column(String(50))
    original: Mapped[str | None] = mapped_column(Text)  # value and unit as written in the source
    conditions: Mapped[dict] = mapped_column(JSON, default=dict)
    temperature_K: Mapped[float | None] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(30))
    reference_id: Mapped[int | None] = mapped_column(ForeignKey("refs.id"), index=True)
    location: Mapped[str | None] = mapped_column(Text)  # "Table 2", "obelix_train.csv:15"
    produced_by: Mapped[str | None] = mapped_column(String(200))  # extractor / editor / model ID
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id"), index=True)

    material: Mapped[Material] = relationship(back_populates="properties")
    reference: Mapped[Reference | None] = relationship()

    #: Covering indexes for searches (migrations 0002, 0003): the materials of a property range come from the
    #: first alone, and "this material has a band gap > 1 eV" is one probe of the second, without the row.
    __table_args__ = (
        Index("ix_properties_quantity_value_material", "quantity", "value", "material_id"),
        Index("ix_properties_material_quantity_value", "material_id", "quantity", "value"),
    )


class PhaseDiagram(Base):
    __tablename__ = "phase_diagrams"

    id: Mapped[int] = mapped_column(primary_key=True)
    chemical_system: Mapped[str] = mapped_column(String(200), index=True)
    diagram_type: Mapped[str] = mapped_column(String(100))
    t_min_K: Mapped[float | None] = mapped_column(Float)
    t_max_K: Mapped[float | None] = mapped_column(Float)
    p_min_GPa: Mapped[float | None] = mapped_column(Float)
    p_max_GPa: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)
    reference_id: Mapped[int | None] = mapped_column(ForeignKey("refs.id"))
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id"), index=True)
    record_key: Mapped[str] = mapped_column(String(64), unique=True)

    reference: Mapped[Reference | None] = relationship()


class ExternalId(Base):
    __tablename__ = "external_ids"

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), index=True)
    source: Mapped[str] = mapped_column(String(50))  # icsd, cod, obelix, mp, aflow, ...
    value: Mapped[str] = mapped_column(String(200))

    material: Mapped[Material] = relationship(back_populates="external_ids")

    __table_args__ = (
        UniqueConstraint("material_id", "source", "value"),
        Index("ix_external_ids_source_value", "source", "value"),
    )


class Campaign(Base):
    """An optimisation campaign (:mod:`matinfo.optimize`): its space, target and settings; its state is the log."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: ``discrete`` (a candidate pool, rows in ``campaign_candidates``) or ``parameters`` (a mixed space).
    space_kind: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(200))
    maximize: Mapped[bool] = mapped_column(Boolean)
    seed: Mapped[int] = mapped_column(Integer)
    #: The space (features, ID and cost columns, or the parameter list) and the proposal settings.
    space: Mapped[dict] = mapped_column(JSON)
    settings: Mapped[dict] = mapped_column(JSON)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class CampaignCandidate(Base):
    """One candidate of a discrete campaign's pool: its ID and feature (and cost) values, in pool order."""

    __tablename__ = "campaign_candidates"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    values: Mapped[dict] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("campaign_id", "key", name="uq_campaign_candidates_key"),)


class CampaignEvent(Base):
    """One entry of a campaign's append-only log (suggestion, observation, failure, cancellation).

    ``seq`` numbers a campaign's events from 1 without gaps; the unique (campaign_id, seq) pair makes two
    writers racing to append the same event fail instead of both succeeding.
    """

    __tablename__ = "campaign_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (UniqueConstraint("campaign_id", "seq", name="uq_campaign_events_seq"),)


#: Curation states of an extracted literature record (:mod:`matinfo.literature.curation`).
CURATION_STATES = ("draft", "reviewed", "published", "rejected")


class LitDocument(Base):
    """A paper (or any text) that records were extracted from, identified by the SHA-256 of its content."""

    __tablename__ = "lit_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(Text)
    doi: Mapped[str | None] = mapped_column(String(255), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class LitRecord(Base):
    """One extracted (material, property, value) statement on its way through curation.

    ``data`` is the record as it stands (after edits), ``extracted`` as the extractor produced it.  ``record_key``
    (a hash of what was extracted, independent of edits) is unique per document: the same statement is never
    queued twice from the same document.  ``material_id`` / ``property_id`` point into the store once published.
    """

    __tablename__ = "lit_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("lit_documents.id"))
    record_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), index=True)
    extractor: Mapped[str | None] = mapped_column(String(200))
    extracted: Mapped[dict] = mapped_column(JSON)
    data: Mapped[dict] = mapped_column(JSON)
    material_id: Mapped[int | None] = mapped_column(ForeignKey("materials.id"))
    property_id: Mapped[int | None] = mapped_column(ForeignKey("properties.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (UniqueConstraint("document_id", "record_key", name="uq_lit_records_key"),)


class LitAudit(Base):
    """Audit trail of curation: who did what to which record, when, and the record before and after."""

    __tablename__ = "lit_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("lit_records.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)


#: States of a calculation job (:mod:`matinfo.calc.jobs`).
CALC_JOB_STATES = ("queued", "running", "done", "failed")


class CalcJob(Base):
    """One calculation (:class:`matinfo.calc.CalcSpec`) in the job queue, and its result once done.

    ``key`` (SHA-256 of engine, task, parameters and structure key) is unique: the same spec submitted twice is
    one job.  A worker claims a job by setting ``claimed_by`` and ``lease_expires_at`` and keeps the lease alive
    while it runs; a job whose lease expired (its worker died) is claimed again.  ``result`` (the
    :class:`~matinfo.calc.CalcResult`), ``state = 'done'`` and the published properties (``material_id``) are
    written in one transaction.  ``requires`` lists keys of jobs that must be done first (elemental
    references), ``after`` keys of jobs that must have finished, done or failed (competing phases of the hull);
    ``workflow`` says what follows (``{"then": "static", "hull": true}``).
    """

    __tablename__ = "calc_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    engine: Mapped[str] = mapped_column(String(50))
    task: Mapped[str] = mapped_column(String(20))
    parameters: Mapped[dict] = mapped_column(JSON)
    parameter_hash: Mapped[str] = mapped_column(String(64), index=True)
    structure_key: Mapped[str] = mapped_column(String(64), index=True)
    cell: Mapped[dict] = mapped_column(JSON)
    formula: Mapped[str] = mapped_column(String(200), index=True)
    label: Mapped[str | None] = mapped_column(Text)
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id"))
    state: Mapped[str] = mapped_column(String(20), index=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    requires: Mapped[list] = mapped_column(JSON, default=list)
    after: Mapped[list] = mapped_column(JSON, default=list)
    workflow: Mapped[dict | None] = mapped_column(JSON)
    tag: Mapped[str | None] = mapped_column(String(100), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSON)
    material_id: Mapped[int | None] = mapped_column(ForeignKey("materials.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


from matinfo.store import access as _access  # noqa: E402, F401  - users and api_tokens tables (migration 0007)
