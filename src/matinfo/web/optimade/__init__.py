"""The OPTIMADE API (``/optimade/v1``): ``info``, ``structures``, ``references``, ``links``, and ``/versions``.

A matinfo *material* is an OPTIMADE ``structures`` entry (its first structure gives the geometry, when it has
one); a row of ``refs`` is a ``references`` entry.  Filters go through the store's own translator
(:func:`matinfo.store.optimade.optimade_clause`), run in the viewer's :func:`~matinfo.store.access.visible_session`,
so members-only data never reach anonymous clients, here as in the REST API.  Responses follow the
specification version of the installed ``optimade`` package, and ``tests/web/test_optimade.py`` runs its
``ImplementationValidator`` against this router.

Status codes: a malformed filter or parameter is 400 (the error's ``source.parameter`` names it); a standard
construct matinfo does not support (a geometric field, ``CONTAINS`` on a reduced formula, ``sort``) is 501.

Modules: this one (the routes), :mod:`._envelope` (``meta``, error documents, parameters, paging, the filter),
:mod:`._entries` (store rows → entries, the fields served).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matinfo.store import models as m
from matinfo.web.auth import ANYONE, read_session
from matinfo.web.errors import ApiError
from matinfo.web.optimade._entries import (
    _ENTRIES,
    REFERENCE_FIELDS,
    STRUCTURE_FIELDS,
    _reference_entry,
    _structure_entries,
)
from matinfo.web.optimade._envelope import (
    API_VERSION,
    MAJOR,
    EntryParams,
    _base,
    _clause,
    _fields,
    _json,
    _listing,
    _meta,
    error_body,
)

__all__ = ["optimade_router", "error_body", "STRUCTURE_FIELDS", "REFERENCE_FIELDS"]

optimade_router = APIRouter(tags=["OPTIMADE"])


@optimade_router.get("/versions", dependencies=[Depends(ANYONE)], response_class=Response)
def versions() -> Response:
    return Response("version\n1\n", media_type="text/csv; header=present")


@optimade_router.get(f"/{MAJOR}/info", dependencies=[Depends(ANYONE)])
def info(request: Request):
    base = _base(request) + f"/optimade/{MAJOR}"
    return _json(
        {
            "data": {
                "type": "info",
                "id": "/",
                "attributes": {
                    "api_version": API_VERSION,
                    "available_api_versions": [{"url": base, "version": API_VERSION}],
                    "formats": ["json"],
                    "available_endpoints": ["info", "links", "structures", "references"],
                    "entry_types_by_format": {"json": ["structures", "references"]},
                    "is_index": False,
                },
            },
            "meta": _meta(request),
        }
    )


@optimade_router.get(f"/{MAJOR}/info/{{entry}}", dependencies=[Depends(ANYONE)])
def entry_info(request: Request, entry: str):
    if entry not in _ENTRIES:
        raise ApiError(
            404, f"entry: no entry type {entry!r}; known: {', '.join(_ENTRIES)}", parameter="entry"
        )
    props: dict[str, Any] = {
        "id": {"description": "entry ID", "type": "string", "sortable": False},
        "type": {"description": "entry type", "type": "string", "sortable": False},
    }
    for name, (kind, unit, desc) in _ENTRIES[entry].items():
        props[name] = {"description": desc, "type": kind, "sortable": False}
        if unit:
            props[name]["unit"] = unit
    what = (
        "a matinfo material (as reported), with its first structure"
        if entry == "structures"
        else "a reference"
    )
    return _json(
        {
            "data": {
                "id": entry,
                "type": "info",
                "description": f"Each entry is {what}.",
                "properties": props,
                "formats": ["json"],
                "output_fields_by_format": {"json": list(props)},
            },
            "meta": _meta(request),
        }
    )


@optimade_router.get(f"/{MAJOR}/links", dependencies=[Depends(ANYONE)])
def links(request: Request):
    return _json({"data": [], "meta": _meta(request, data_returned=0, data_available=0)})


@optimade_router.get(f"/{MAJOR}/structures", dependencies=[Depends(ANYONE)])
def structures(request: Request, params: EntryParams = Depends(), s: Session = Depends(read_session)):
    clause, notes = _clause(params, "structures")
    fields = _fields(params, "structures")
    stmt = select(m.Material)
    if clause is not None:
        stmt = stmt.where(clause)
    returned = s.scalar(select(func.count()).select_from(stmt.subquery())) if clause is not None else None
    available = s.scalar(select(func.count()).select_from(m.Material))
    if returned is None:
        returned = available
    mats = list(s.scalars(stmt.order_by(m.Material.id).offset(params.offset).limit(params.limit)))
    return _listing(request, params, _structure_entries(s, mats, fields), returned, available, notes)


def _one_id(entry_id: str) -> int:
    if not re.fullmatch(r"[0-9]{1,18}", entry_id):
        raise ApiError(404, f"entry_id: no entry with id {entry_id!r}", parameter="entry_id")
    return int(entry_id)


@optimade_router.get(f"/{MAJOR}/structures/{{entry_id}}", dependencies=[Depends(ANYONE)])
def structure(
    request: Request, entry_id: str, params: EntryParams = Depends(), s: Session = Depends(read_session)
):
    x = s.get(m.Material, _one_id(entry_id))
    if x is None:
        raise ApiError(404, f"entry_id: no structure with id {entry_id!r}", parameter="entry_id")
    data = _structure_entries(s, [x], _fields(params, "structures"))[0]
    return _json({"data": data, "meta": _meta(request, data_returned=1), "links": {"next": None}})


@optimade_router.get(f"/{MAJOR}/references", dependencies=[Depends(ANYONE)])
def references(request: Request, params: EntryParams = Depends(), s: Session = Depends(read_session)):
    clause, notes = _clause(params, "references")
    fields = _fields(params, "references")
    stmt = select(m.Reference)
    if clause is not None:
        stmt = stmt.where(clause)
    available = s.scalar(select(func.count()).select_from(m.Reference))
    returned = (
        s.scalar(select(func.count()).select_from(stmt.subquery())) if clause is not None else available
    )
    refs = list(s.scalars(stmt.order_by(m.Reference.id).offset(params.offset).limit(params.limit)))
    return _listing(request, params, [_reference_entry(r, fields) for r in refs], returned, available, notes)


@optimade_router.get(f"/{MAJOR}/references/{{entry_id}}", dependencies=[Depends(ANYONE)])
def reference(
    request: Request, entry_id: str, params: EntryParams = Depends(), s: Session = Depends(read_session)
):
    r = s.get(m.Reference, _one_id(entry_id))
    if r is None:
        raise ApiError(404, f"entry_id: no reference with id {entry_id!r}", parameter="entry_id")
    data = _reference_entry(r, _fields(params, "references"))
    return _json({"data": data, "meta": _meta(request, data_returned=1), "links": {"next": None}})
