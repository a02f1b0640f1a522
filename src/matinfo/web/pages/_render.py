"""Rendering pages: one Jinja2 environment over ``matinfo/web/templates``, filters for values and conditions.

Templates autoescape everything; a page handler passes plain data (dicts from the same functions the REST API
uses), never markup.  An error on a page is rendered as an HTML page with the same status and message the REST
API would give (:func:`error_page`), so a browser user reads "property: unknown unit 'mS/xx'", not JSON.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

__all__ = ["render", "error_page", "value_text", "conditions_text"]


def value_text(p: dict[str, Any]) -> str:
    """A property record's value as printed: bound, value, ± uncertainty, unit (``value_text`` if not a number)."""
    if p.get("value_text") is not None:
        return str(p["value_text"])
    v = p.get("value")
    if v is None:
        return "?"
    s = f"{p.get('bound') or ''}{v:.4g}"
    if p.get("uncertainty") is not None:
        s += f" ± {p['uncertainty']:.2g}"
    return f"{s} {p['unit']}" if p.get("unit") else s


def conditions_text(conditions: dict[str, Any] | None) -> str:
    """``temperature = 298.15 K; pressure = 1e-4 GPa``: each condition with its canonical unit."""
    from matinfo.core.quantities import find_quantity

    parts = []
    for k, v in sorted((conditions or {}).items()):
        q = find_quantity(k)
        unit = f" {q.canonical_unit}" if q is not None and q.canonical_unit else ""
        parts.append(f"{k} = {v:.6g}{unit}" if isinstance(v, float) else f"{k} = {v}{unit}")
    return "; ".join(parts)


@cache
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("matinfo.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["value_text"] = value_text
    env.filters["conditions_text"] = conditions_text
    return env


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """``template`` rendered with ``context`` plus the site title and the request's viewer."""
    from matinfo.web.auth import viewer_of

    viewer = getattr(request.state, "viewer", None) or viewer_of(request)
    html = (
        _environment()
        .get_template(template)
        .render(site_title=request.app.state.settings.title, viewer=viewer, request=request, **context)
    )
    return HTMLResponse(html, status_code=status_code)


def error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status, status=status, title=title, detail=detail)
