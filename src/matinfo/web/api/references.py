"""``/references`` and ``/datasets``: where the data come from."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matinfo.store import models as m
from matinfo.web.api._common import Page, envelope, one_or_404, page_params
from matinfo.web.auth import ANYONE, read_session
from matinfo.web.errors import ApiError

router = APIRouter(tags=["references and data sets"])


def reference_dict(r: m.Reference) -> dict:
    return {
        "id": r.id,
        "doi": r.doi,
        "authors": r.authors,
        "title": r.title,
        "journal": r.journal,
        "year": r.year,
        "volume": r.volume,
        "pages": r.pages,
        "url": r.url,
    }


@router.get("/references", dependencies=[Depends(ANYONE)], summary="List references")
def list_references(
    request: Request,
    doi: str | None = Query(None),
    year: int | None = Query(None, ge=0, le=9999),
    page: Page = Depends(page_params),
    s: Session = Depends(read_session),
):
    stmt = select(m.Reference).order_by(m.Reference.id)
    if doi:
        from matinfo.core.records import normalize_doi

        stmt = stmt.where(m.Reference.doi == normalize_doi(doi))
    if year is not None:
        stmt = stmt.where(m.Reference.year == year)
    rows = list(s.scalars(stmt.offset(page.offset).limit(page.limit + 1)))
    return envelope(
        request, [reference_dict(r) for r in rows[: page.limit]], page, more=len(rows) > page.limit
    )


@router.get("/references/{reference_id}", dependencies=[Depends(ANYONE)], summary="One reference")
def get_reference(reference_id: int = Path(..., ge=1, le=2**62), s: Session = Depends(read_session)):
    return reference_dict(one_or_404(s.get(m.Reference, reference_id), "reference", reference_id))


def _dataset_dicts(s: Session, stmt) -> list[dict]:
    counts = dict(
        s.execute(
            select(m.Material.dataset_id, func.count())
            .where(m.Material.dataset_id.is_not(None))
            .group_by(m.Material.dataset_id)
        ).all()
    )
    return [
        {
            "id": d.id,
            "name": d.name,
            "description": d.description,
            "license": d.license,
            "citation": d.citation,
            "url": d.url,
            "visibility": "public" if d.visibility == "public" else "members",
            "materials": int(counts.get(d.id, 0)),
            "created_at": d.created_at,
        }
        for d in s.scalars(stmt)
    ]


@router.get("/datasets", dependencies=[Depends(ANYONE)], summary="List data sets (license, citation, size)")
def list_datasets(request: Request, page: Page = Depends(page_params), s: Session = Depends(read_session)):
    stmt = select(m.Dataset).order_by(m.Dataset.name).offset(page.offset).limit(page.limit + 1)
    rows = _dataset_dicts(s, stmt)
    return envelope(request, rows[: page.limit], page, more=len(rows) > page.limit)


@router.get("/datasets/{dataset}", dependencies=[Depends(ANYONE)], summary="One data set, by name or id")
def get_dataset(
    dataset: str = Path(..., max_length=200, description="name or numeric id"),
    s: Session = Depends(read_session),
):
    stmt = select(m.Dataset).where(m.Dataset.name == dataset)
    if dataset.isdigit():
        if int(dataset) > 2**62:
            raise ApiError(404, f"no data set {dataset!r}")
        stmt = select(m.Dataset).where((m.Dataset.name == dataset) | (m.Dataset.id == int(dataset)))
    rows = _dataset_dicts(s, stmt.order_by(m.Dataset.id).limit(1))
    if not rows:
        raise ApiError(404, f"no data set {dataset!r}; list them at /api/v1/datasets")
    return rows[0]
