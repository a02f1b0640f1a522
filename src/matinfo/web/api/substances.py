"""``/substances``: search with combined conditions, and the substance page's data."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session

from matinfo.errors import LocatedError, MatinfoError
from matinfo.store import models as m
from matinfo.web.api._common import Format, Page, csv_response, envelope, jsonable, one_or_404, page_params
from matinfo.web.auth import ANYONE, read_session
from matinfo.web.errors import ApiError

router = APIRouter(prefix="/substances", tags=["substances"])

#: Search parameters, as named in the request (and in :class:`matinfo.store.Query`).
SEARCH_PARAMS = (
    "elements",
    "elements_any",
    "elements_none",
    "nelements",
    "formula",
    "reduced_formula",
    "chemical_system",
    "space_group",
    "crystal_system",
    "prototype",
    "property",
    "condition",
    "method",
    "doi",
    "year",
    "author",
    "dataset",
    "filter",
)
_PARAM_OF_FIELD = {"properties": "property", "conditions": "condition"}
SUMMARY_COLUMNS = (
    "substance_id",
    "reduced_formula",
    "chemical_system",
    "space_group",
    "crystal_system",
    "prototype",
    "n_materials",
    "n_structures",
    "n_properties",
    "formulas",
)
#: How the substance page groups property records by method: measured values apart from computed ones.
METHOD_GROUPS = {
    "experiment": "measurements",
    "literature-extraction": "measurements",
    "calculation": "calculations",
    "prediction": "predictions",
}


def _int_or_range(name: str, text: str | None) -> int | tuple[int, int] | None:
    if text is None or not text.strip():
        return None
    mt = re.fullmatch(r"\s*(\d{1,9})\s*(?:\.\.\s*(\d{1,9})\s*)?", text)
    if not mt:
        raise ApiError(400, f"{name}: write a whole number or a range lo..hi, got {text!r}", parameter=name)
    lo = int(mt[1])
    return lo if mt[2] is None else (lo, int(mt[2]))


def search_error(err: MatinfoError, given: dict[str, Any]) -> ApiError:
    """A search's QueryError / ParameterError as a 400 naming the request parameter it is about."""
    field = getattr(err, "field", None) if isinstance(err, LocatedError) else None
    param = _PARAM_OF_FIELD.get(field or "", field)
    if param not in SEARCH_PARAMS or not given.get(param):
        param = "filter" if given.get("filter") else (param if param in SEARCH_PARAMS else None)
    text = str(err)
    return ApiError(400, f"{param}: {text}" if param else text, parameter=param)


def build_query(params: dict[str, Any], page: Page | None):
    from matinfo.store.search import Query as StoreQuery

    if params.get("method") and params["method"] not in m.METHODS:
        raise ApiError(
            400, f"method: one of {', '.join(m.METHODS)}, got {params['method']!r}", parameter="method"
        )
    kwargs = {
        "elements": params.get("elements") or (),
        "elements_any": params.get("elements_any") or (),
        "elements_none": params.get("elements_none") or (),
        "nelements": _int_or_range("nelements", params.get("nelements")),
        "formula": params.get("formula") or None,
        "reduced_formula": params.get("reduced_formula") or None,
        "chemical_system": params.get("chemical_system") or None,
        "space_group": params.get("space_group") or None,
        "crystal_system": params.get("crystal_system") or None,
        "prototype": params.get("prototype") or None,
        "properties": tuple(params.get("property") or ()),
        "conditions": tuple(params.get("condition") or ()),
        "method": params.get("method") or None,
        "doi": params.get("doi") or None,
        "year": _int_or_range("year", params.get("year")),
        "author": params.get("author") or None,
        "dataset": params.get("dataset") or None,
        "filter": params.get("filter") or None,
        "limit": None if page is None else page.limit + 1,
        "offset": 0 if page is None else page.offset,
    }
    try:
        return StoreQuery(**kwargs)
    except MatinfoError as e:
        raise search_error(e, params) from None


def run(s: Session, params: dict[str, Any], page: Page) -> tuple[list[Any], bool]:
    from matinfo.store.search import run_search

    q = build_query(params, page)
    try:
        hits = run_search(s, q)
    except MatinfoError as e:
        raise search_error(e, params) from None
    return hits[: page.limit], len(hits) > page.limit


def search_params(
    elements: str | None = Query(None, description="all of these elements, comma-separated: Li,O"),
    elements_any: str | None = Query(None, description="at least one of these elements"),
    elements_none: str | None = Query(None, description="none of these elements"),
    nelements: str | None = Query(None, description="number of elements: 3 or 2..4"),
    formula: str | None = Query(None, description="formula in any notation and scale (exact fractions)"),
    reduced_formula: str | None = Query(None),
    chemical_system: str | None = Query(None, description="e.g. Li-Nb-O (any order)"),
    space_group: str | None = Query(None, description="number (161) or symbol (R3c)"),
    crystal_system: str | None = Query(None),
    prototype: str | None = Query(None),
    property: list[str] = Query(  # noqa: A002 - the parameter's public name
        [], description="property range, repeatable: 'ionic_conductivity >= 0.1 mS/cm', 'band_gap 1..3 eV'"
    ),
    condition: list[str] = Query(
        [], description="condition of the same property record, repeatable: 'temperature 290..310 K'"
    ),
    method: str | None = Query(
        None, description="experiment, calculation, prediction, literature-extraction"
    ),
    doi: str | None = Query(None),
    year: str | None = Query(None, description="2007 or 2000..2010"),
    author: str | None = Query(None),
    dataset: str | None = Query(None),
    filter: str | None = Query(None, description='OPTIMADE filter, e.g. elements HAS "Li" AND nelements = 3'),  # noqa: A002
) -> dict[str, Any]:
    return {k: v for k, v in locals().items()}


@router.get("", dependencies=[Depends(ANYONE)], summary="Search substances (combined conditions, ANDed)")
def list_substances(
    request: Request,
    params: dict[str, Any] = Depends(search_params),
    page: Page = Depends(page_params),
    format: Format = Query(Format.json, description="json or csv"),  # noqa: A002
    s: Session = Depends(read_session),
):
    hits, more = run(s, params, page)
    if format is Format.csv:
        return csv_response([h.to_dict() for h in hits], SUMMARY_COLUMNS, "substances.csv")
    return envelope(request, [h.to_dict() for h in hits], page, more=more)


def substance_page(s: Session, substance_id: int) -> dict[str, Any]:
    """The substance with its materials, structures, property records grouped by kind, diagrams, references."""
    from matinfo.store.views import substance_record

    sub = one_or_404(s.get(m.Substance, substance_id), "substance", substance_id)
    rec = substance_record(s, sub).to_dict()
    groups: dict[str, list[dict[str, Any]]] = {"measurements": [], "calculations": [], "predictions": []}
    for p in rec.pop("properties"):
        groups[METHOD_GROUPS.get(p["method"], "measurements")].append(p)
    rec["properties"] = groups
    for st in rec["structures"]:
        st["cif_url"] = f"/api/v1/structures/{st['id']}/cif"
    return jsonable(rec)


@router.get(
    "/{substance_id}", dependencies=[Depends(ANYONE)], summary="One substance: everything known about it"
)
def get_substance(substance_id: int = Path(..., ge=1, le=2**62), s: Session = Depends(read_session)):
    return substance_page(s, substance_id)
