"""``/me`` (who am I) and ``/users`` (admins: list, add with a first token, revoke tokens)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from matinfo.errors import NotFoundError, ParameterError
from matinfo.store import access
from matinfo.web.auth import ADMIN, ANYONE
from matinfo.web.errors import ApiError

router = APIRouter(tags=["users"])


@router.get("/me", dependencies=[Depends(ANYONE)], summary="The caller's name and role")
def me(request: Request):
    v = request.state.viewer
    return {"name": v.name, "role": v.role}


@router.get("/users", dependencies=[Depends(ADMIN)], summary="Users and their tokens (never a token itself)")
def list_users(request: Request):
    return {"data": access.list_users(request.app.state.db)}


class NewUser(BaseModel):
    name: str = Field(..., min_length=1, max_length=200)
    role: str = Field("member", description="member, editor or admin")
    expires_days: float | None = Field(None, gt=0, le=36500)


@router.post("/users", dependencies=[Depends(ADMIN)], summary="Add a user; the answer holds its token, once")
def add_user(request: Request, body: NewUser):
    try:
        token = access.add_user(request.app.state.db, body.name, body.role, expires_days=body.expires_days)
    except ParameterError as e:
        param = "role" if "role" in str(e) else "name"
        raise ApiError(400, f"{param}: {e}", parameter=param) from None
    return {"name": body.name, "role": body.role, "token": token}


@router.post("/users/{name}/revoke", dependencies=[Depends(ADMIN)], summary="Revoke every token of a user")
def revoke(request: Request, name: str = Path(..., max_length=200)):
    try:
        n = access.revoke(request.app.state.db, name)
    except NotFoundError as e:
        raise ApiError(404, str(e)) from None
    return {"name": name, "revoked": n}
