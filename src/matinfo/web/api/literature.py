"""``/literature``: extracted literature records.  Everyone sees published ones; editors see the whole queue
(drafts, reviewed, rejected), the audit trail, and act on records (accept, edit, reject, reopen, publish)
through :class:`matinfo.literature.curation.Curation`, with their user name as the actor."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from matinfo.errors import MatinfoError, NotFoundError
from matinfo.store import models as m
from matinfo.store.access import Viewer
from matinfo.web.api._common import Page, envelope, jsonable, one_or_404, page_params
from matinfo.web.auth import ANYONE, EDITOR, read_session
from matinfo.web.errors import ApiError

router = APIRouter(prefix="/literature", tags=["literature"])


def _record(r: m.LitRecord, d: m.LitDocument | None, *, full: bool) -> dict[str, Any]:
    out = {
        "id": r.id,
        "status": r.status,
        "data": r.data,
        "document": {"id": r.document_id, "doi": d.doi if d else None, "title": d.title if d else None},
        "material_id": r.material_id,
        "property_id": r.property_id,
        "updated_at": r.updated_at,
    }
    if full:  # what an editor needs to review: the extractor's output and the source
        out.update(extracted=r.extracted, extractor=r.extractor, source=d.source if d else None)
    return jsonable(out)


@router.get("/records", dependencies=[Depends(ANYONE)], summary="Literature records (editors: any status)")
def list_records(
    request: Request,
    status: str | None = Query(
        None, description="draft, reviewed, published, rejected (editors only but published)"
    ),
    document_id: int | None = Query(None, ge=1, le=2**62),
    page: Page = Depends(page_params),
    s: Session = Depends(read_session),
):
    viewer: Viewer = request.state.viewer
    if status is not None and status not in m.CURATION_STATES:
        raise ApiError(
            400, f"status: one of {', '.join(m.CURATION_STATES)}, got {status!r}", parameter="status"
        )
    if status not in (None, "published") and not viewer.sees_drafts:
        raise ApiError(403 if viewer.name else 401, f"status={status}: only editors see unpublished records")
    stmt = select(m.LitRecord).order_by(m.LitRecord.id)
    if status is not None:
        stmt = stmt.where(m.LitRecord.status == status)
    if document_id is not None:
        stmt = stmt.where(m.LitRecord.document_id == document_id)
    rows = list(s.scalars(stmt.offset(page.offset).limit(page.limit + 1)))
    docs = {
        d.id: d
        for d in s.scalars(select(m.LitDocument).where(m.LitDocument.id.in_({r.document_id for r in rows})))
    }
    data = [_record(r, docs.get(r.document_id), full=viewer.sees_drafts) for r in rows[: page.limit]]
    return envelope(request, data, page, more=len(rows) > page.limit)


@router.get("/records/{record_id}", dependencies=[Depends(ANYONE)], summary="One literature record")
def get_record(
    request: Request, record_id: int = Path(..., ge=1, le=2**62), s: Session = Depends(read_session)
):
    r = one_or_404(s.get(m.LitRecord, record_id), "literature record", record_id)
    return _record(r, s.get(m.LitDocument, r.document_id), full=request.state.viewer.sees_drafts)


@router.get("/records/{record_id}/history", dependencies=[Depends(EDITOR)], summary="Audit trail of a record")
def get_history(request: Request, record_id: int = Path(..., ge=1, le=2**62)):
    from matinfo.literature.curation import Curation

    cur = Curation(request.app.state.db)
    cur.get(record_id)  # 404 for an unknown record
    return jsonable([vars(a) for a in cur.history(record_id)])


class Action(BaseModel):
    note: str | None = Field(None, max_length=5000, description="why (required to reject)")


class Edit(Action):
    changes: dict[str, Any] = Field(
        ..., description="fields to change: material, formula, property, value, unit, ..."
    )


class Publish(BaseModel):
    ids: list[int] | None = Field(None, description="records to publish; none: every reviewed record")


def _curation(request: Request):
    from matinfo.literature.curation import Curation

    return Curation(request.app.state.db)


def _act(request: Request, record_id: int, fn) -> dict[str, Any]:
    """Run a curation step: 404 for an unknown record, 409 when its state does not allow the step, 400 (naming
    ``changes``) when the record's content is refused."""
    from matinfo.literature.curation import CurationError

    try:
        fn()
    except NotFoundError as e:
        raise ApiError(404, str(e)) from None
    except CurationError as e:
        if "field " in str(e) or "no formula" in str(e):
            raise ApiError(400, f"changes: {e}", parameter="changes") from None
        raise ApiError(409, str(e), parameter="record_id") from None
    except MatinfoError as e:
        raise ApiError(400, f"changes: {e}", parameter="changes") from None
    item = _curation(request).get(record_id)
    return jsonable(vars(item))


@router.post("/records/{record_id}/accept", dependencies=[Depends(EDITOR)], summary="draft → reviewed")
def accept(request: Request, body: Action | None = None, record_id: int = Path(..., ge=1, le=2**62)):
    actor = request.state.viewer.name
    return _act(
        request, record_id, lambda: _curation(request).accept(record_id, actor=actor, note=body and body.note)
    )


@router.post("/records/{record_id}/edit", dependencies=[Depends(EDITOR)], summary="change fields → reviewed")
def edit(request: Request, body: Edit, record_id: int = Path(..., ge=1, le=2**62)):
    actor = request.state.viewer.name
    return _act(
        request,
        record_id,
        lambda: _curation(request).edit(record_id, body.changes, actor=actor, note=body.note),
    )


@router.post(
    "/records/{record_id}/reject", dependencies=[Depends(EDITOR)], summary="→ rejected (note required)"
)
def reject(request: Request, body: Action, record_id: int = Path(..., ge=1, le=2**62)):
    actor = request.state.viewer.name
    if not (body.note or "").strip():
        raise ApiError(
            400, "note: say why the record is rejected (kept in the audit trail)", parameter="note"
        )
    return _act(request, record_id, lambda: _curation(request).reject(record_id, actor=actor, note=body.note))


@router.post("/records/{record_id}/reopen", dependencies=[Depends(EDITOR)], summary="rejected → draft")
def reopen(request: Request, body: Action | None = None, record_id: int = Path(..., ge=1, le=2**62)):
    actor = request.state.viewer.name
    return _act(
        request, record_id, lambda: _curation(request).reopen(record_id, actor=actor, note=body and body.note)
    )


@router.post("/records/{record_id}/publish", dependencies=[Depends(EDITOR)], summary="reviewed → published")
def publish_one(request: Request, record_id: int = Path(..., ge=1, le=2**62)):
    actor = request.state.viewer.name
    return _act(request, record_id, lambda: _curation(request).publish([record_id], actor=actor))


@router.post("/publish", dependencies=[Depends(EDITOR)], summary="Publish reviewed records (all, or ids)")
def publish(request: Request, body: Publish | None = None):
    actor = request.state.viewer.name
    try:
        done = _curation(request).publish(body.ids if body else None, actor=actor)
    except NotFoundError as e:
        raise ApiError(404, str(e)) from None
    except MatinfoError as e:
        raise ApiError(409, str(e), parameter="ids") from None
    return {"published": done}
