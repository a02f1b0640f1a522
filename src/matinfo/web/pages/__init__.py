"""Server-rendered pages: the index (``/``), the search (:mod:`.search`), substance pages with a 3D structure
viewer (:mod:`.substance`) and reference pages (:mod:`.reference`); each module is an ``APIRouter`` included in
:data:`pages_router`.  Templates are in ``matinfo/web/templates``, CSS and the vendored 3Dmol.js in
``matinfo/web/static`` (served at ``/static``; nothing comes from a CDN)."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matinfo.store import models as m
from matinfo.web.auth import ANYONE, read_session

__all__ = ["pages_router"]

pages_router = APIRouter(include_in_schema=False)


@pages_router.get("/", response_class=HTMLResponse, dependencies=[Depends(ANYONE)])
def index(request: Request, s: Session = Depends(read_session)) -> HTMLResponse:
    settings = request.app.state.settings
    counts = {
        name: s.scalar(select(func.count()).select_from(model))
        for name, model in (
            ("substances", m.Substance),
            ("materials", m.Material),
            ("structures", m.Structure),
            ("properties", m.Property),
            ("references", m.Reference),
        )
    }
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{v:,}</td></tr>" for k, v in counts.items())
    title = escape(settings.title)
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>{title}</h1>
<p>Open materials-informatics database.</p>
<table>{rows}</table>
<ul>
<li><a href="/api/v1/substances">REST API</a> (<a href="/docs">documentation</a>,
<a href="/openapi.json">OpenAPI</a>)</li>
<li><a href="/optimade/v1/info">OPTIMADE API</a></li>
</ul>
</body></html>"""
    return HTMLResponse(html)


def _include() -> None:
    from matinfo.web.pages import reference, search, substance

    for module in (search, substance, reference):
        pages_router.include_router(module.router)


_include()
