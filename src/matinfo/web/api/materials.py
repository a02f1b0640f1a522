"""``/materials``: materials as reported (original formula, composition, link to their substance)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from matinfo.store import models as m
from matinfo.web.api._common import Page, envelope, one_or_404, page_params
from matinfo.web.auth import ANYONE, read_session

router = APIRouter(prefix="/materials", tags=["materials"])


def _dataset_id(s: Session, name: str | None):
    if not name:
        return None
    return select(m.Dataset.id).where(m.Dataset.name == name).scalar_subquery()


def _records(s: Session, rows: list[m.Material]) -> list[dict]:
    from matinfo.store.views import material_record

    return [material_record(s, x).to_dict() for x in rows]


@router.get("", dependencies=[Depends(ANYONE)], summary="List materials")
def list_materials(
    request: Request,
    substance_id: int | None = Query(None, ge=1, le=2**62),
    dataset: str | None = Query(None, description="data set name"),
    page: Page = Depends(page_params),
    s: Session = Depends(read_session),
):
    stmt = select(m.Material).order_by(m.Material.id)
    if substance_id is not None:
        stmt = stmt.where(m.Material.substance_id == substance_id)
    if dataset:
        stmt = stmt.where(m.Material.dataset_id == _dataset_id(s, dataset))
    rows = list(s.scalars(stmt.offset(page.offset).limit(page.limit + 1)))
    return envelope(request, _records(s, rows[: page.limit]), page, more=len(rows) > page.limit)


@router.get("/{material_id}", dependencies=[Depends(ANYONE)], summary="One material")
def get_material(material_id: int = Path(..., ge=1, le=2**62), s: Session = Depends(read_session)):
    mat = one_or_404(s.get(m.Material, material_id), "material", material_id)
    return _records(s, [mat])[0]
