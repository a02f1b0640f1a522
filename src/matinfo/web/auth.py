"""Who is asking, and may they: ``Authorization: Bearer <token>`` → :class:`~matinfo.store.access.Viewer`.

Every route declares the lowest role it needs with one ``Depends(Role(...))`` (a route without one fails the
route × role test, ``tests/web/test_access.py``).  Reads are filtered further by the viewer's visibility
(:func:`matinfo.store.access.visible_session`): the role says whether a route answers, the visibility says
which rows it shows.  Write routes need ``editor`` (``admin`` for users).
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from matinfo.store.access import ANONYMOUS, ROLES, Viewer, authenticate, visible_session
from matinfo.web.errors import ApiError

__all__ = ["Role", "viewer_of", "read_session", "ROLE_ATTR"]

#: Name of the attribute that carries a route's role on its :class:`Role` dependency.
ROLE_ATTR = "role"


def viewer_of(request: Request) -> Viewer:
    """The viewer of this request (cached on ``request.state``); a bad token is a 401, not anonymous."""
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    header = request.headers.get("authorization")
    viewer = ANONYMOUS
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(
                401,
                "Authorization: send 'Bearer <token>' (create a token with `matinfo user add NAME`)",
                parameter="Authorization",
                headers={"WWW-Authenticate": "Bearer"},
            )
        found = authenticate(request.app.state.db, token.strip())
        if found is None:
            raise ApiError(
                401,
                "Authorization: unknown, revoked or expired token",
                parameter="Authorization",
                headers={"WWW-Authenticate": "Bearer"},
            )
        viewer = found
    request.state.viewer = viewer
    return viewer


class Role:
    """Dependency: the request's viewer, who must hold at least ``role`` (401 without a token, else 403)."""

    def __init__(self, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        self.role = role

    def __repr__(self) -> str:
        return f"Role({self.role!r})"

    def __call__(self, request: Request) -> Viewer:
        viewer = viewer_of(request)
        if not viewer.at_least(self.role):
            if viewer.role == "anonymous":
                raise ApiError(
                    401,
                    f"this needs the role {self.role!r}: send Authorization: Bearer <token>",
                    parameter="Authorization",
                    headers={"WWW-Authenticate": "Bearer"},
                )
            raise ApiError(403, f"this needs the role {self.role!r}; you are {viewer.role!r}")
        return viewer


#: Shared dependency instances (one per role).
ANYONE, MEMBER, EDITOR, ADMIN = Role("anonymous"), Role("member"), Role("editor"), Role("admin")


def read_session(request: Request, viewer: Viewer = Depends(viewer_of)) -> Iterator[Session]:
    """A read session showing only what the viewer may see."""
    with visible_session(request.app.state.db, viewer) as s:
        yield s
