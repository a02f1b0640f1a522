"""``/references/{id}``: a reference and every substance, material and property record that cites it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matinfo.store import models as m
from matinfo.web.api.references import reference_dict
from matinfo.web.auth import ANYONE, read_session
from matinfo.web.pages._render import error_page, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/references/{reference_id}", response_class=HTMLResponse, dependencies=[Depends(ANYONE)])
def reference_view(
    request: Request, reference_id: int = Path(..., ge=1, le=2**62), s: Session = Depends(read_session)
) -> HTMLResponse:
    ref = s.get(m.Reference, reference_id)
    if ref is None:
        return error_page(request, 404, "Not found", f"no reference with id {reference_id}")
    n_props = dict(
        s.execute(
            select(m.Property.substance_id, func.count())
            .where(m.Property.reference_id == reference_id)
            .group_by(m.Property.substance_id)
        ).all()
    )
    mats = list(
        s.scalars(select(m.Material).where(m.Material.reference_id == reference_id).order_by(m.Material.id))
    )
    sub_ids = sorted({x.substance_id for x in mats} | set(n_props))
    subs = (
        {x.id: x for x in s.scalars(select(m.Substance).where(m.Substance.id.in_(sub_ids)))}
        if sub_ids
        else {}
    )
    rows = [
        {
            "substance_id": i,
            "reduced_formula": subs[i].reduced_formula if i in subs else "?",
            "space_group": subs[i].space_group_symbol if i in subs else None,
            "materials": [x.formula for x in mats if x.substance_id == i],
            "n_properties": n_props.get(i, 0),
        }
        for i in sub_ids
        if i in subs
    ]
    return render(request, "reference.html", ref=reference_dict(ref), rows=rows)
