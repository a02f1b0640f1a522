"""What every REST router shares: paging, the list envelope, CSV answers, JSON-safe values."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from fastapi import Query, Request
from fastapi.responses import JSONResponse, Response

from matinfo.web.errors import ApiError

__all__ = ["Page", "page_params", "envelope", "csv_response", "Format", "jsonable", "one_or_404"]


class Format(str, Enum):
    json = "json"
    csv = "csv"


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def page_params(
    request: Request,
    limit: int | None = Query(
        None, ge=1, description="page size (default 20; at most MATINFO_PAGE_LIMIT_MAX)"
    ),
    offset: int = Query(0, ge=0, le=10_000_000, description="number of records to skip"),
) -> Page:
    settings = request.app.state.settings
    if limit is None:
        limit = settings.page_limit
    if limit > settings.page_limit_max:
        raise ApiError(400, f"limit: at most {settings.page_limit_max}, got {limit}", parameter="limit")
    return Page(limit, offset)


def _with_offset(request: Request, offset: int) -> str:
    base = request.app.state.settings.base_url
    url = request.url.include_query_params(offset=offset)
    if base:
        url = url.replace(scheme=base.split("://", 1)[0], netloc=base.split("://", 1)[1].split("/", 1)[0])
    return str(url)


def envelope(
    request: Request, rows: Sequence[Any], page: Page, *, more: bool, total: int | None = None
) -> JSONResponse:
    """``{"data": rows, "meta": {...}}`` with ``meta.next`` and a ``Link: <...>; rel="next"`` header."""
    nxt = _with_offset(request, page.offset + page.limit) if more else None
    meta: dict[str, Any] = {
        "limit": page.limit,
        "offset": page.offset,
        "returned": len(rows),
        "more_available": more,
        "next": nxt,
    }
    if total is not None:
        meta["total"] = total
    headers = {"Link": f'<{nxt}>; rel="next"'} if nxt else None
    return JSONResponse({"data": jsonable(list(rows)), "meta": meta}, headers=headers)


def csv_response(rows: Iterable[dict[str, Any]], columns: Sequence[str], filename: str) -> Response:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: _cell(r.get(k)) for k in columns})
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _cell(v: Any) -> Any:
    if isinstance(v, dict | list | tuple):
        import json

        return json.dumps(jsonable(v), sort_keys=True)
    return "" if v is None else v


def jsonable(v: Any) -> Any:
    """Plain JSON values: NaN/inf → None, tuples → lists, datetimes → ISO strings."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [jsonable(x) for x in v]
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if hasattr(v, "to_dict") and callable(v.to_dict):
        return jsonable(v.to_dict())
    return v


def one_or_404(row: Any, what: str, ident: Any) -> Any:
    if row is None:
        raise ApiError(404, f"no {what} with id {ident}")
    return row
