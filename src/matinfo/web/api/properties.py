"""``/properties``: property records (value in the canonical unit, conditions, method, provenance); JSON or CSV."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from matinfo.errors import MatinfoError
from matinfo.store import models as m
from matinfo.web.api._common import Format, Page, csv_response, envelope, one_or_404, page_params
from matinfo.web.auth import ANYONE, read_session
from matinfo.web.errors import ApiError

router = APIRouter(prefix="/properties", tags=["properties"])

COLUMNS = (
    "id",
    "substance_id",
    "material_id",
    "formula",
    "quantity",
    "value",
    "value_text",
    "uncertainty",
    "bound",
    "unit",
    "conditions",
    "method",
    "reference_id",
    "doi",
    "location",
    "produced_by",
    "original",
    "dataset",
)


def _records(s: Session, rows: list[m.Property]) -> list[dict]:
    from matinfo.store.views import _property

    mats = {p.material_id for p in rows}
    refs = {p.reference_id for p in rows if p.reference_id}
    formulas = dict(s.execute(select(m.Material.id, m.Material.formula).where(m.Material.id.in_(mats))).all())
    dois = dict(s.execute(select(m.Reference.id, m.Reference.doi).where(m.Reference.id.in_(refs))).all())
    names = dict(s.execute(select(m.Dataset.id, m.Dataset.name)).all())
    out = []
    for p in rows:
        d = _property(p).to_dict()
        d.update(
            substance_id=p.substance_id,
            formula=formulas.get(p.material_id),
            doi=dois.get(p.reference_id),
            dataset=names.get(p.dataset_id),
        )
        out.append(d)
    return out


@router.get("", dependencies=[Depends(ANYONE)], summary="List property records (JSON or CSV)")
def list_properties(
    request: Request,
    substance_id: int | None = Query(None, ge=1, le=2**62),
    material_id: int | None = Query(None, ge=1, le=2**62),
    quantity: str | None = Query(None, description="quantity name or alias, e.g. band_gap"),
    method: str | None = Query(
        None, description="experiment, calculation, prediction, literature-extraction"
    ),
    dataset: str | None = Query(None),
    page: Page = Depends(page_params),
    format: Format = Query(Format.json),  # noqa: A002
    s: Session = Depends(read_session),
):
    stmt = select(m.Property).order_by(m.Property.id)
    if substance_id is not None:
        stmt = stmt.where(m.Property.substance_id == substance_id)
    if material_id is not None:
        stmt = stmt.where(m.Property.material_id == material_id)
    if quantity:
        from matinfo.core.quantities import get_quantity

        try:
            stmt = stmt.where(m.Property.quantity == get_quantity(quantity).name)
        except MatinfoError as e:
            raise ApiError(400, f"quantity: {e}", parameter="quantity") from None
    if method:
        if method not in m.METHODS:
            raise ApiError(400, f"method: one of {', '.join(m.METHODS)}, got {method!r}", parameter="method")
        stmt = stmt.where(m.Property.method == method)
    if dataset:
        stmt = stmt.where(m.Property.dataset_id.in_(select(m.Dataset.id).where(m.Dataset.name == dataset)))
    rows = list(s.scalars(stmt.offset(page.offset).limit(page.limit + 1)))
    data = _records(s, rows[: page.limit])
    if format is Format.csv:
        return csv_response(data, COLUMNS, "properties.csv")
    return envelope(request, data, page, more=len(rows) > page.limit)


@router.get("/{property_id}", dependencies=[Depends(ANYONE)], summary="One property record")
def get_property(property_id: int = Path(..., ge=1, le=2**62), s: Session = Depends(read_session)):
    return _records(s, [one_or_404(s.get(m.Property, property_id), "property record", property_id)])[0]
