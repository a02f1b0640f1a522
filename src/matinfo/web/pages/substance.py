"""``/substances/{id}``: a substance with its structures (3D), properties (measured / calculated / predicted,
kept apart), phase diagrams, materials and references — the data of ``GET /api/v1/substances/{id}``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from matinfo.web.api.substances import substance_page
from matinfo.web.auth import ANYONE, read_session
from matinfo.web.errors import ApiError
from matinfo.web.pages._render import error_page, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: Section of the page, its heading and what the reader is told about where the values come from.
SECTIONS = (
    ("measurements", "Measured and reported values", None),
    (
        "calculations",
        "Calculated values",
        "From automated calculations (method `calculation`): the engine and its parameters are in each record.",
    ),
    (
        "predictions",
        "Model predictions — not measurements",
        "Predicted by machine-learning models (method `prediction`); the model ID is given for each value.",
    ),
)


@router.get("/substances/{substance_id}", response_class=HTMLResponse, dependencies=[Depends(ANYONE)])
def substance_view(
    request: Request, substance_id: int = Path(..., ge=1, le=2**62), s: Session = Depends(read_session)
) -> HTMLResponse:
    try:
        rec = substance_page(s, substance_id)
    except ApiError as e:
        return error_page(request, e.status, "Not found" if e.status == 404 else "Error", e.detail)
    refs = {r["id"]: r for r in rec["references"]}
    materials = {x["id"]: x for x in rec["materials"]}
    sections: list[dict[str, Any]] = []
    for key, heading, note in SECTIONS:
        rows = rec["properties"][key]
        sections.append({"key": key, "heading": heading, "note": note, "rows": rows})
    return render(
        request,
        "substance.html",
        sub=rec,
        sections=sections,
        refs=refs,
        materials=materials,
        api_url=f"/api/v1/substances/{substance_id}",
    )
