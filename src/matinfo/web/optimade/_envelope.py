"""The OPTIMADE envelope: ``meta``, error documents, the query parameters of entry listings, paging links,
and the filter (through the store's translator) with its status codes."""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from typing import Any

from fastapi import Query, Request
from fastapi.responses import JSONResponse

from matinfo.errors import MatinfoError, QueryError
from matinfo.web.errors import ApiError
from matinfo.web.optimade._entries import _ENTRIES

API_VERSION = "1.2.0"
MAJOR = "v1"
SCHEMA_URL = "https://schemas.optimade.org/openapi/v1.2/optimade.json"
PAGE_LIMIT = 20
PAGE_LIMIT_MAX = 200


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _base(request: Request) -> str:
    base = request.app.state.settings.base_url
    return (base or str(request.base_url)).rstrip("/")


def _provider(request: Request) -> dict[str, Any]:
    s = request.app.state.settings
    return {
        "name": s.provider_name,
        "description": s.provider_description,
        "prefix": "matinfo",
        "homepage": s.provider_homepage,
    }


def _meta(request: Request | None, path: str | None = None, **extra: Any) -> dict[str, Any]:
    from matinfo import __version__

    rep = path or "/"
    if request is not None:
        rep = request.url.path.split(f"/{MAJOR}", 1)[-1] or "/"
        if request.url.query:
            rep += "?" + request.url.query
    meta: dict[str, Any] = {
        "query": {"representation": rep},
        "api_version": API_VERSION,
        "more_data_available": False,
        "time_stamp": _now(),
        "schema": SCHEMA_URL,
        "implementation": {"name": "matinfo", "version": __version__},
    }
    if request is not None:
        meta["provider"] = _provider(request)
    meta.update({k: v for k, v in extra.items() if v is not None})
    return meta


def error_body(status: int, title: str, detail: str, parameter: str | None, path: str) -> dict[str, Any]:
    """An OPTIMADE error document (used by :mod:`matinfo.web.errors` for paths under ``/optimade``)."""
    err: dict[str, Any] = {"status": str(status), "title": title, "detail": detail}
    if parameter:
        err["source"] = {"parameter": parameter}
    return {"errors": [err], "meta": _meta(None, path.split(f"/{MAJOR}", 1)[-1] or "/")}


def _json(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(_finite(body), media_type="application/vnd.api+json")


def _finite(v: Any) -> Any:
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_finite(x) for x in v]
    return v


class EntryParams:
    """The query parameters of an entry listing, checked (400 naming the parameter)."""

    def __init__(
        self,
        filter: str | None = Query(None, max_length=10_000, description="OPTIMADE filter"),  # noqa: A002
        response_format: str | None = Query(None, description="json only"),
        email_address: str | None = Query(None),
        response_fields: str | None = Query(None, max_length=5_000, description="comma-separated fields"),
        sort: str | None = Query(None, description="not supported"),
        page_limit: int | None = Query(None, ge=0, description=f"at most {PAGE_LIMIT_MAX}"),
        page_offset: int | None = Query(None, ge=0, le=10_000_000),
        page_number: int | None = Query(None, ge=0, le=10_000_000),
        page_cursor: str | None = Query(None),
        page_above: str | None = Query(None),
        page_below: str | None = Query(None),
        include: str | None = Query(None),
        api_hint: str | None = Query(None),
    ) -> None:
        if response_format not in (None, "", "json"):
            raise ApiError(
                400, f"response_format: only 'json', got {response_format!r}", parameter="response_format"
            )
        if sort:
            raise ApiError(501, "sort: sorting is not supported; entries come in ID order", parameter="sort")
        for name, v in (("page_cursor", page_cursor), ("page_above", page_above), ("page_below", page_below)):
            if v:
                raise ApiError(501, f"{name}: not supported; use page_offset or page_number", parameter=name)
        limit = PAGE_LIMIT if page_limit is None else page_limit
        if limit > PAGE_LIMIT_MAX:
            raise ApiError(400, f"page_limit: at most {PAGE_LIMIT_MAX}, got {limit}", parameter="page_limit")
        if limit == 0:
            raise ApiError(400, "page_limit: must be at least 1", parameter="page_limit")
        offset = page_offset or 0
        if page_number:  # 1-based
            offset = (page_number - 1) * limit
        self.filter = filter
        self.response_fields = response_fields
        self.limit, self.offset = limit, offset


def _fields(params: EntryParams, entry: str) -> list[str]:
    known = _ENTRIES[entry]
    if not params.response_fields:
        return list(known)
    asked = [f.strip() for f in params.response_fields.split(",") if f.strip()]
    for f in asked:
        if not re.fullmatch(r"[a-z_][a-z_0-9]*", f):
            raise ApiError(400, f"response_fields: {f!r} is not a field name", parameter="response_fields")
    return asked


def _clause(params: EntryParams, entry: str) -> tuple[Any, list[str]]:
    from matinfo.store.optimade import optimade_clause

    if not params.filter or not params.filter.strip():
        return None, []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            clause = optimade_clause(params.filter, entry=entry)
        except QueryError as e:
            unsupported = "not supported" in e.problem or "not searchable" in e.problem
            raise ApiError(501 if unsupported else 400, f"filter: {e}", parameter="filter") from None
        except MatinfoError as e:
            raise ApiError(400, f"filter: {e}", parameter="filter") from None
    return clause, [str(w.message) for w in caught]


def _listing(
    request: Request, params: EntryParams, data: list, returned: int, available: int, notes: list[str]
):
    more = params.offset + len(data) < returned
    links: dict[str, Any] = {"next": None}
    if more:
        url = request.url.remove_query_params(["page_number", "page_offset"]).include_query_params(
            page_offset=params.offset + params.limit, page_limit=params.limit
        )
        base = request.app.state.settings.base_url
        links["next"] = str(url) if not base else base.rstrip("/") + url.path + "?" + url.query
    warn = [{"type": "warning", "detail": n, "title": "Unknown field"} for n in notes] or None
    meta = _meta(
        request, more_data_available=more, data_returned=returned, data_available=available, warnings=warn
    )
    meta["more_data_available"] = more
    return _json({"data": data, "meta": meta, "links": links})
