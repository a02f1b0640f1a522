"""The editor's queue: extracted statements go draft → reviewed → published (or rejected), with an audit trail.

The seed's literature database was built by trained editors who checked every machine-extracted value against the
paper, normalised formulas against the substance database and only then released it.  :class:`Curation` keeps
that workflow in the store:

* :meth:`Curation.add_document` registers a paper by the SHA-256 of its content (the same PDF added twice is one
  document); :meth:`Curation.submit` queues extracted records as ``draft``.  A record's key is a hash of what was
  extracted (material as written, property, value as printed, sentence), unique per document, so running the
  extractor again on the same paper never queues a statement twice.
* :meth:`~Curation.accept` and :meth:`~Curation.edit` move a draft to ``reviewed`` (an edit is a review);
  :meth:`~Curation.reject` sets ``rejected`` (with a reason); :meth:`~Curation.reopen` brings a rejected record
  back to ``draft``.
* :meth:`~Curation.publish` writes reviewed records into the store as materials with a property of method
  ``literature-extraction``, the paper as reference, the sentence as location and the extractor as
  ``produced_by``; the store links each material to its substance.  Only published records are in the
  materials/properties tables that searches, the API and ordinary users see; drafts never are.
* Every action is one transaction and leaves an audit row: who, when, the record before and after, and a note
  (:meth:`~Curation.history`).

Records are the dictionaries :func:`matinfo.literature.extract` produces (``material``, ``formula``,
``property``, ``value``, ``unit``, ``raw_value``, ``conditions``, ``sentence``, optional ``uncertainty``);
edits are validated as strictly as imports: the formula must parse, the property must be a registered quantity
and the unit convertible to its canonical unit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matinfo.errors import MatinfoError, NotFoundError, ParameterError

__all__ = ["Curation", "QueueItem", "AuditEntry", "SubmitReport", "LITERATURE_DATASET", "record_key"]

#: The store dataset published literature records belong to.
LITERATURE_DATASET = "literature"
_EDITABLE = ("material", "formula", "property", "value", "unit", "uncertainty", "conditions", "raw_value")
_TRANSITIONS = {
    "accept": ({"draft"}, "reviewed"),
    "edit": ({"draft", "reviewed"}, "reviewed"),
    "reject": ({"draft", "reviewed"}, "rejected"),
    "reopen": ({"rejected"}, "draft"),
    "publish": ({"reviewed"}, "published"),
}


class CurationError(MatinfoError, ValueError):
    """A curation step that the record's state or content does not allow."""


def record_key(record: Mapping[str, Any]) -> str:
    """Hash of what the extractor found (not of later edits): material as written, property, printed value,
    sentence.  The same statement extracted again from the same document has the same key.

    >>> a = {"material": "LLZO", "property": "ionic_conductivity", "raw_value": "0.5 mS cm-1", "sentence": "s"}
    >>> record_key(a) == record_key(dict(a, value=5e-4)) != record_key(dict(a, raw_value="0.4 mS cm-1"))
    True
    """
    blob = [str(record.get(k) or "").strip() for k in ("material", "property", "raw_value", "sentence")]
    return hashlib.sha256(json.dumps(blob).encode()).hexdigest()


@dataclass(frozen=True)
class QueueItem:
    """One record in the queue, with its document."""

    id: int
    status: str
    data: dict[str, Any]
    extracted: dict[str, Any]
    extractor: str | None
    document_id: int
    source: str
    doi: str | None
    material_id: int | None
    property_id: int | None


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    actor: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None


@dataclass(frozen=True)
class SubmitReport:
    document_id: int
    added: tuple[int, ...]
    skipped: int  # already queued from this document


def _validated(data: Mapping[str, Any], *, where: str) -> dict[str, Any]:
    """The record with its fields checked (formula, quantity, number, unit); raises CurationError naming the field."""
    from matinfo.core.formula import parse_formula
    from matinfo.core.quantities import get_quantity
    from matinfo.core.units import convert
    from matinfo.errors import FormulaError, QuantityError, UnitError

    out = dict(data)
    formula = out.get("formula") or None
    if formula is None:
        try:
            parse_formula(str(out.get("material") or ""))
        except FormulaError:
            raise CurationError(
                f"{where}: no formula for material {out.get('material')!r}; a record needs one to be linked to a "
                "substance: set it (matinfo lit review --edit ID --set formula=...)"
            ) from None
    else:
        try:
            parse_formula(str(formula))
        except FormulaError as e:
            raise CurationError(f"{where}: field 'formula' = {formula!r} does not parse: {e}") from None
    try:
        q = get_quantity(str(out.get("property")))
    except QuantityError as e:
        raise CurationError(f"{where}: field 'property' = {out.get('property')!r}: {e}") from None
    out["property"] = q.name
    try:
        out["value"] = float(out.get("value"))
    except (TypeError, ValueError):
        raise CurationError(
            f"{where}: field 'value' = {out.get('value')!r} is not a number; give the number in 'value' and the "
            "printed text in 'raw_value'"
        ) from None
    unit = out.get("unit") or None
    try:
        convert(1.0, unit or "", q.canonical_unit or "")
    except (UnitError, QuantityError, ValueError) as e:
        raise CurationError(
            f"{where}: field 'unit' = {unit!r} is not a unit of {q.name} (canonical {q.canonical_unit!r}): {e}"
        ) from None
    if not isinstance(out.get("conditions") or {}, Mapping):
        raise CurationError(f"{where}: field 'conditions' must be a mapping, got {out.get('conditions')!r}")
    out["conditions"] = dict(out.get("conditions") or {})
    return out


class Curation:
    """The curation queue of one store (``Curation(connect(url))`` or ``Curation(url)``)."""

    def __init__(self, db: Any) -> None:
        from matinfo.store import Database, connect

        self.db = db if isinstance(db, Database) else connect(str(db))

    # -- documents and submission -------------------------------------------------------------------------
    def add_document(
        self,
        source: str,
        content: str | bytes | None = None,
        *,
        sha256: str | None = None,
        doi: str | None = None,
        title: str | None = None,
        year: int | None = None,
    ) -> int:
        """Register a document (by the SHA-256 of ``content``, or ``sha256``); returns its id (existing or new)."""
        from sqlalchemy import select

        from matinfo.store import models as m

        if sha256 is None:
            if content is None:
                raise ParameterError(f"add_document({source!r}): give the document's content or its sha256")
            raw = content.encode() if isinstance(content, str) else bytes(content)
            sha256 = hashlib.sha256(raw).hexdigest()
        with self.db.session() as s:
            found = s.scalar(select(m.LitDocument.id).where(m.LitDocument.content_sha256 == sha256))
            if found is not None:
                return int(found)
            doc = m.LitDocument(content_sha256=sha256, source=str(source), doi=doi, title=title, year=year)
            s.add(doc)
            s.flush()
            return int(doc.id)

    def submit(
        self,
        records: Iterable[Mapping[str, Any]],
        *,
        document: int,
        extractor: str,
        actor: str | None = None,
    ) -> SubmitReport:
        """Queue extracted ``records`` of ``document`` as drafts; statements already queued from it are skipped."""
        from sqlalchemy import select

        from matinfo.store import models as m

        actor = actor or extractor
        added: list[int] = []
        skipped = 0
        with self.db.session() as s:
            if s.get(m.LitDocument, document) is None:
                raise NotFoundError(f"no document with id {document}; register it with add_document first")
            known = set(s.scalars(select(m.LitRecord.record_key).where(m.LitRecord.document_id == document)))
            for i, rec in enumerate(records):
                data = {k: v for k, v in dict(rec).items() if k != "source"}
                for field in ("material", "property", "value"):
                    if data.get(field) in (None, ""):
                        raise CurationError(f"record {i} of document {document}: field {field!r} is missing")
                key = record_key(data)
                if key in known:
                    skipped += 1
                    continue
                known.add(key)
                row = m.LitRecord(
                    document_id=document,
                    record_key=key,
                    status="draft",
                    extractor=extractor,
                    extracted=_jsonable(data),
                    data=_jsonable(data),
                )
                s.add(row)
                s.flush()
                s.add(
                    m.LitAudit(record_id=row.id, actor=actor, action="extract", before=None, after=row.data)
                )
                added.append(int(row.id))
        return SubmitReport(document, tuple(added), skipped)

    # -- reading --------------------------------------------------------------------------------------------
    def queue(self, status: str | None = "draft", *, document: int | None = None, limit: int | None = None):
        """Records in ``status`` (None: all), oldest first."""
        from sqlalchemy import select

        from matinfo.store import models as m
        from matinfo.store.models import CURATION_STATES

        if status is not None and status not in CURATION_STATES:
            raise ParameterError(f"status={status!r}: use one of {', '.join(CURATION_STATES)} or None")
        q = select(m.LitRecord, m.LitDocument).join(m.LitDocument).order_by(m.LitRecord.id)
        if status is not None:
            q = q.where(m.LitRecord.status == status)
        if document is not None:
            q = q.where(m.LitRecord.document_id == document)
        if limit is not None:
            q = q.limit(limit)
        with self.db.session() as s:
            return [_item(r, d) for r, d in s.execute(q)]

    def get(self, record_id: int) -> QueueItem:
        from matinfo.store import models as m

        with self.db.session() as s:
            r = s.get(m.LitRecord, record_id)
            if r is None:
                raise NotFoundError(f"no literature record with id {record_id}")
            return _item(r, s.get(m.LitDocument, r.document_id))

    def counts(self) -> dict[str, int]:
        """Number of records per state."""
        from sqlalchemy import func, select

        from matinfo.store import models as m
        from matinfo.store.models import CURATION_STATES

        with self.db.session() as s:
            got = dict(s.execute(select(m.LitRecord.status, func.count()).group_by(m.LitRecord.status)).all())
        return {k: int(got.get(k, 0)) for k in CURATION_STATES}

    def history(self, record_id: int) -> list[AuditEntry]:
        """The audit trail of one record, oldest first."""
        from sqlalchemy import select

        from matinfo.store import models as m

        with self.db.session() as s:
            rows = s.scalars(
                select(m.LitAudit).where(m.LitAudit.record_id == record_id).order_by(m.LitAudit.id)
            )
            return [AuditEntry(a.at, a.actor, a.action, a.before, a.after, a.note) for a in rows]

    # -- editor actions ---------------------------------------------------------------------------------
    def accept(self, ids: int | Sequence[int], *, actor: str, note: str | None = None) -> None:
        """draft → reviewed, unchanged (the record is checked as strictly as an edit)."""
        self._act("accept", ids, actor=actor, note=note)

    def edit(
        self, record_id: int, changes: Mapping[str, Any], *, actor: str, note: str | None = None
    ) -> QueueItem:
        """Change fields of a draft or reviewed record; it becomes ``reviewed``."""
        bad = sorted(set(changes) - set(_EDITABLE))
        if bad:
            raise ParameterError(f"cannot edit field(s) {', '.join(bad)}; editable: {', '.join(_EDITABLE)}")
        self._act("edit", [record_id], actor=actor, note=note, changes=changes)
        return self.get(record_id)

    def reject(self, ids: int | Sequence[int], *, actor: str, note: str) -> None:
        """draft/reviewed → rejected; a reason is required."""
        if not (note or "").strip():
            raise ParameterError("reject needs a note saying why (it is kept in the audit trail)")
        self._act("reject", ids, actor=actor, note=note)

    def reopen(self, ids: int | Sequence[int], *, actor: str, note: str | None = None) -> None:
        """rejected → draft."""
        self._act("reopen", ids, actor=actor, note=note)

    def publish(self, ids: int | Sequence[int] | None = None, *, actor: str) -> list[int]:
        """Write reviewed records (``ids``, or all reviewed ones) into the store; returns the published ids."""
        if ids is None:
            ids = [q.id for q in self.queue("reviewed")]
        return self._act("publish", ids, actor=actor)

    # -- the one transactional step ---------------------------------------------------------------------
    def _act(self, action: str, ids, *, actor: str, note: str | None = None, changes=None) -> list[int]:
        from matinfo.store import models as m

        if not (actor or "").strip():
            raise ParameterError(f"{action}: name the editor (actor=...) for the audit trail")
        ids = [ids] if isinstance(ids, int) else list(ids)
        allowed, new_status = _TRANSITIONS[action]
        now = dt.datetime.now(dt.UTC)
        with self.db.session() as s:
            rows = []
            for rid in ids:
                r = s.get(m.LitRecord, rid, with_for_update=True)
                if r is None:
                    raise NotFoundError(f"no literature record with id {rid}")
                if r.status not in allowed:
                    raise CurationError(
                        f"record {rid} is {r.status}; {action} needs it to be {' or '.join(sorted(allowed))}"
                    )
                before = dict(r.data)
                after = dict(before, **_jsonable(dict(changes or {})))
                if action in ("accept", "edit", "publish"):
                    after = _jsonable(_validated(after, where=f"record {rid}"))
                rows.append((r, before, after))
            if action == "publish":
                _publish(s, [(r, after) for r, _b, after in rows])
            for r, before, after in rows:
                r.data = after
                r.status = new_status
                r.updated_at = now
                s.add(
                    m.LitAudit(
                        record_id=r.id,
                        at=now,
                        actor=actor,
                        action=action,
                        before={"status": _status_before(action), **before},
                        after={"status": new_status, **after},
                        note=note,
                    )
                )
        return ids


def _status_before(action: str) -> str:
    return "/".join(sorted(_TRANSITIONS[action][0]))


def _publish(session, rows: list[tuple[Any, dict[str, Any]]]) -> None:
    """Insert reviewed records into the store, setting each row's material_id and property_id.

    The records of one material as written in one document, published together, become one material with all
    their properties (``LLZO``'s conductivity and activation energy from the same paper are one reported
    material); the store links it to its substance.
    """
    from sqlalchemy import select

    from matinfo.core.records import DatasetIn, MaterialIn, PropertyIn, ReferenceIn
    from matinfo.store import models as m
    from matinfo.store.writer import write_records

    dataset = DatasetIn(
        LITERATURE_DATASET,
        description="values extracted from papers and published by editors (matinfo.literature.curation)",
    )
    groups: dict[tuple, list[tuple[Any, dict[str, Any]]]] = {}
    for r, data in rows:
        formula = str(data.get("formula") or data.get("material"))
        groups.setdefault((r.document_id, formula, data.get("material")), []).append((r, data))
    for (doc_id, formula, material), members in groups.items():
        doc = session.get(m.LitDocument, doc_id)
        ref = ReferenceIn(doi=doc.doi, title=doc.title, year=doc.year, url=None if doc.doi else doc.source)
        props = tuple(
            PropertyIn(
                quantity=data["property"],
                value=data["value"],
                unit=data.get("unit") or None,
                uncertainty=data.get("uncertainty"),
                conditions=data.get("conditions") or {},
                method="literature-extraction",
                reference=ref,
                location=(data.get("sentence") or "")[:2000] or None,
                produced_by=r.extractor,
            )
            for r, data in members
        )
        name = material if material and material != formula else None
        rec = MaterialIn(formula=formula, name=name, reference=ref, properties=props)
        write_records(session, [rec], dataset=dataset)
        mid = session.scalar(
            select(m.Material.id).where(m.Material.record_key == rec.content_key(LITERATURE_DATASET))
        )
        pids = list(
            session.scalars(
                select(m.Property.id).where(m.Property.material_id == mid).order_by(m.Property.id)
            )
        )
        if len(pids) != len(members):
            raise CurationError(
                f"publishing {formula!r} from document {doc_id} wrote {len(pids)} properties for {len(members)} "
                "records (two identical statements?); nothing was published"
            )
        for (r, _data), pid in zip(members, pids, strict=True):
            r.material_id, r.property_id = int(mid), int(pid)


def _jsonable(d: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(d, default=str))


def _item(r, d) -> QueueItem:
    return QueueItem(
        id=int(r.id),
        status=r.status,
        data=dict(r.data),
        extracted=dict(r.extracted),
        extractor=r.extractor,
        document_id=int(r.document_id),
        source=d.source,
        doi=d.doi,
        material_id=r.material_id,
        property_id=r.property_id,
    )
