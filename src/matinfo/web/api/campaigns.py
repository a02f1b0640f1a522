"""``/campaigns``: optimisation campaigns (:mod:`matinfo.optimize`).  Members read status, history and the
pending suggestions; editors ask for suggestions and record observations (both write the campaign's log)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from matinfo.errors import MatinfoError, NotFoundError
from matinfo.web.api._common import jsonable
from matinfo.web.auth import EDITOR, MEMBER
from matinfo.web.errors import ApiError

router = APIRouter(prefix="/campaigns", tags=["campaigns"])

NAME = Path(..., max_length=200, description="campaign name")


def _load(request: Request, name: str):
    from matinfo.optimize.campaign import Campaign

    try:
        return Campaign.load(request.app.state.db, name)
    except NotFoundError as e:
        raise ApiError(404, str(e)) from None


@router.get("", dependencies=[Depends(MEMBER)], summary="List campaigns")
def list_campaigns(request: Request):
    from matinfo.optimize.storage import list_campaigns as _list

    return {"data": jsonable(_list(request.app.state.db))}


@router.get("/{name}", dependencies=[Depends(MEMBER)], summary="Campaign status: counts, best, pending")
def status(request: Request, name: str = NAME):
    return _load(request, name).status()


@router.get("/{name}/history", dependencies=[Depends(MEMBER)], summary="Observations and failures in order")
def history(request: Request, name: str = NAME):
    frame = _load(request, name).history()
    return {"data": jsonable(frame.to_dict(orient="records"))}


def _pending(camp) -> list[dict[str, Any]]:
    pending = set(camp.state().pending)
    out = []
    for ev in camp.events():
        if ev.kind == "suggestion":
            for c in ev.payload.get("candidates", []):
                if str(c.get("id")) in pending:
                    out.append({**c, "step": ev.payload.get("step"), "seq": ev.seq})
    return out


@router.get(
    "/{name}/suggestions", dependencies=[Depends(MEMBER)], summary="Pending suggestions (next experiments)"
)
def suggestions(request: Request, name: str = NAME):
    return {"data": jsonable(_pending(_load(request, name)))}


class Suggest(BaseModel):
    n: int = Field(1, ge=1, le=100, description="how many experiments to suggest")


class Observe(BaseModel):
    candidates: list[Any] = Field(
        ..., min_length=1, max_length=10_000, description="candidate IDs or parameter dicts"
    )
    values: list[float] = Field(..., min_length=1, max_length=10_000)
    note: str | None = Field(None, max_length=5000)


@router.post("/{name}/suggest", dependencies=[Depends(EDITOR)], summary="Suggest the next experiments")
def suggest(request: Request, body: Suggest, name: str = NAME):
    camp = _load(request, name)
    try:
        frame = camp.suggest(body.n)
    except MatinfoError as e:
        raise ApiError(400, f"n: {e}", parameter="n") from None
    return {"data": jsonable(frame.to_dict(orient="records"))}


@router.post("/{name}/observe", dependencies=[Depends(EDITOR)], summary="Record measured values")
def observe(request: Request, body: Observe, name: str = NAME):
    camp = _load(request, name)
    try:
        camp.observe(body.candidates, body.values, note=body.note)
    except MatinfoError as e:
        raise ApiError(400, f"candidates: {e}", parameter="candidates") from None
    return camp.status()
