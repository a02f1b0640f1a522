"""``/structures``: crystal structures (cell, symmetry) as JSON, and their CIF."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from matinfo.store import models as m
from matinfo.web.api._common import Page, envelope, one_or_404, page_params
from matinfo.web.auth import ANYONE, read_session

router = APIRouter(prefix="/structures", tags=["structures"])


def _record(x: m.Structure, *, cif: bool) -> dict:
    from matinfo.store.views import _structure

    d = _structure(x).to_dict()
    if not cif:
        d.pop("cif")
    d["substance_id"] = x.substance_id
    d["reference_id"] = x.reference_id
    d["cif_url"] = f"/api/v1/structures/{x.id}/cif"
    return d


@router.get("", dependencies=[Depends(ANYONE)], summary="List structures (without the CIF text)")
def list_structures(
    request: Request,
    substance_id: int | None = Query(None, ge=1, le=2**62),
    material_id: int | None = Query(None, ge=1, le=2**62),
    page: Page = Depends(page_params),
    s: Session = Depends(read_session),
):
    stmt = select(m.Structure).order_by(m.Structure.id)
    if substance_id is not None:
        stmt = stmt.where(m.Structure.substance_id == substance_id)
    if material_id is not None:
        stmt = stmt.where(m.Structure.material_id == material_id)
    rows = list(s.scalars(stmt.offset(page.offset).limit(page.limit + 1)))
    data = [_record(x, cif=False) for x in rows[: page.limit]]
    return envelope(request, data, page, more=len(rows) > page.limit)


@router.get("/{structure_id}", dependencies=[Depends(ANYONE)], summary="One structure, with its CIF text")
def get_structure(structure_id: int = Path(..., ge=1, le=2**62), s: Session = Depends(read_session)):
    return _record(one_or_404(s.get(m.Structure, structure_id), "structure", structure_id), cif=True)


@router.get(
    "/{structure_id}/cif",
    dependencies=[Depends(ANYONE)],
    summary="Download the CIF",
    response_class=Response,
    responses={200: {"content": {"chemical/x-cif": {}}}},
)
def get_cif(structure_id: int = Path(..., ge=1, le=2**62), s: Session = Depends(read_session)):
    x = one_or_404(s.get(m.Structure, structure_id), "structure", structure_id)
    name = f"matinfo-structure-{x.id}.cif"
    return Response(
        x.cif,
        media_type="chemical/x-cif; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
