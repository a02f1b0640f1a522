"""``/search``: the combined-condition search as a form and a result table (the REST search's parameters)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from matinfo.web.api._common import Page, page_params
from matinfo.web.api.substances import run, search_params
from matinfo.web.auth import ANYONE, read_session
from matinfo.web.errors import ApiError
from matinfo.web.pages._render import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

CRYSTAL_SYSTEMS = ("triclinic", "monoclinic", "orthorhombic", "tetragonal", "trigonal", "hexagonal", "cubic")


def _given(params: dict[str, Any]) -> bool:
    return any(v not in (None, "", [], ()) for v in params.values())


@router.get("/search", response_class=HTMLResponse, dependencies=[Depends(ANYONE)])
def search_page(
    request: Request,
    params: dict[str, Any] = Depends(search_params),
    page: Page = Depends(page_params),
    s: Session = Depends(read_session),
) -> HTMLResponse:
    from matinfo.store.models import METHODS

    # a form sends every field, filled or not: blank repeated fields (property, condition) are not conditions
    params = {k: [x for x in v if x.strip()] if isinstance(v, list) else v for k, v in params.items()}
    context: dict[str, Any] = {
        "params": params,
        "page": page,
        "crystal_systems": CRYSTAL_SYSTEMS,
        "methods": METHODS,
        "hits": [],
        "more": False,
        "searched": _given(params),
        "error": None,
        "prev_url": None,
        "next_url": None,
        "csv_url": None,
        "api_url": None,
    }
    if not context["searched"]:
        return render(request, "search.html", **context)
    try:
        hits, more = run(s, params, page)
    except ApiError as e:
        return render(request, "search.html", status_code=e.status, **{**context, "error": e.detail})
    query = request.url.query
    context.update(
        hits=[h.to_dict() for h in hits],
        more=more,
        next_url=str(request.url.include_query_params(offset=page.offset + page.limit)) if more else None,
        prev_url=(
            str(request.url.include_query_params(offset=max(0, page.offset - page.limit)))
            if page.offset
            else None
        ),
        csv_url=f"/api/v1/substances?{query}&format=csv",
        api_url=f"/api/v1/substances?{query}",
    )
    return render(request, "search.html", **context)
