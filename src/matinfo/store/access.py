"""Access rules of the store: users, roles, API tokens, and the visibility of data sets and drafts.

Roles, lowest first: ``anonymous`` (no token) < ``member`` < ``editor`` < ``admin``; each can do what the one
below can.  What a role *sees*:

* a data set whose ``visibility`` is ``public`` is seen by everyone; any other value (``members``, and the
  older ``private``) only by members and above: fail closed;
* the materials, properties and phase diagrams of a hidden data set, the structures, external IDs and
  property rows of a hidden material, a substance none of whose materials are seen, and a reference that only
  hidden rows cite are hidden too;
* literature records that are not ``published`` (drafts, reviewed, rejected) and their documents are seen by
  editors and admins only.

:func:`visible_session` gives a SQLAlchemy session in which every ORM query (searches, substance pages,
lists, counts, OPTIMADE) sees only those rows: the rules are added to each statement with
``with_loader_criteria``, sub-queries included, so callers cannot forget them.  A viewer who sees everything
gets a plain session (no extra SQL).

Tokens are ``mi_`` + 43 random URL-safe characters (256 bits).  Only their SHA-256 is stored (a token is
random, not a password: a slow hash adds nothing, and a fast one lets the lookup be one index probe); the
first characters are kept to tell tokens apart in listings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, event, exists, false, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, with_loader_criteria

from matinfo.errors import NotFoundError, ParameterError
from matinfo.store import models as m

__all__ = [
    "ROLES",
    "DATASET_VISIBILITIES",
    "User",
    "ApiToken",
    "Viewer",
    "ANONYMOUS",
    "add_user",
    "new_token",
    "list_users",
    "revoke",
    "set_role",
    "authenticate",
    "hash_token",
    "visible_session",
    "hidden_dataset_ids",
]

#: Roles, lowest first.
ROLES = ("anonymous", "member", "editor", "admin")
#: Visibilities of a data set: ``public`` (everyone) and ``members`` (members and above).
DATASET_VISIBILITIES = ("public", "members")
TOKEN_PREFIX = "mi_"
#: ``last_used_at`` is written at most this often per token (a read is not a write per request).
LAST_USED_EVERY = dt.timedelta(minutes=1)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class User(m.Base):
    """Someone who holds API tokens; ``role`` is one of :data:`ROLES` but ``anonymous``."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ApiToken(m.Base):
    """An API token of a user: its SHA-256 only, never the token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the token (``mi_AbCd``), to tell tokens apart in listings.
    hint: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    uses: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a user name (``None`` for anonymous) and a role."""

    name: str | None
    role: str

    def at_least(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def sees_members_data(self) -> bool:
        return self.at_least("member")

    @property
    def sees_drafts(self) -> bool:
        return self.at_least("editor")


ANONYMOUS = Viewer(None, "anonymous")


def _check_role(role: str) -> str:
    if role not in ROLES[1:]:
        raise ParameterError(f"role={role!r}: use one of {', '.join(ROLES[1:])}")
    return role


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _as_utc(t: dt.datetime | None) -> dt.datetime | None:
    if t is not None and t.tzinfo is None:  # SQLite gives naive datetimes back
        return t.replace(tzinfo=dt.UTC)
    return t


def add_user(db: Any, name: str, role: str, *, expires_days: float | None = None) -> str:
    """Create user ``name`` with ``role`` and a first token; returns the token (shown once, stored hashed)."""
    name = (name or "").strip()
    if not name:
        raise ParameterError("name: a user needs a name")
    _check_role(role)
    with db.session() as s:
        if s.scalar(select(User.id).where(User.name == name)) is not None:
            raise ParameterError(f"name={name!r}: that user exists; add a token with `matinfo user token`")
        user = User(name=name, role=role)
        s.add(user)
        s.flush()
        return _issue(s, user, expires_days, note="first token")


def new_token(db: Any, name: str, *, expires_days: float | None = None, note: str | None = None) -> str:
    """A further token for user ``name``; returns it (shown once)."""
    with db.session() as s:
        user = _user(s, name)
        return _issue(s, user, expires_days, note=note)


def _issue(s: Session, user: User, expires_days: float | None, note: str | None) -> str:
    if expires_days is not None and expires_days <= 0:
        raise ParameterError(f"expires_days={expires_days}: give a positive number of days, or none")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = _now() + dt.timedelta(days=expires_days) if expires_days else None
    s.add(
        ApiToken(
            user_id=user.id, token_sha256=hash_token(token), hint=token[:7], note=note, expires_at=expires
        )
    )
    return token


def _user(s: Session, name: str) -> User:
    user = s.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFoundError(f"no user named {name!r}; list them with `matinfo user list`")
    return user


def set_role(db: Any, name: str, role: str) -> None:
    _check_role(role)
    with db.session() as s:
        _user(s, name).role = role


def revoke(db: Any, name: str) -> int:
    """Revoke every live token of user ``name``; returns how many were revoked."""
    now = _now()
    with db.session() as s:
        user = _user(s, name)
        tokens = s.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
        n = 0
        for t in tokens:
            t.revoked_at = now
            n += 1
        return n


def list_users(db: Any) -> list[dict[str, Any]]:
    """Users with their role and tokens (hint, created, last used, expiry, revoked): never a token."""
    with db.session() as s:
        out = []
        for u in s.scalars(select(User).order_by(User.name)):
            toks = s.scalars(select(ApiToken).where(ApiToken.user_id == u.id).order_by(ApiToken.id))
            out.append(
                {
                    "name": u.name,
                    "role": u.role,
                    "created_at": _iso(u.created_at),
                    "tokens": [
                        {
                            "hint": t.hint + "…",
                            "created_at": _iso(t.created_at),
                            "last_used_at": _iso(t.last_used_at),
                            "expires_at": _iso(t.expires_at),
                            "revoked_at": _iso(t.revoked_at),
                        }
                        for t in toks
                    ],
                }
            )
        return out


def _iso(t: dt.datetime | None) -> str | None:
    t = _as_utc(t)
    return t.isoformat() if t is not None else None


def authenticate(db: Any, token: str) -> Viewer | None:
    """The viewer a token stands for, or ``None`` (unknown, revoked or expired token)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    digest = hash_token(token)
    now = _now()
    with db.session() as s:
        row = s.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_sha256 == digest)
        ).first()
        if row is None:
            return None
        tok, user = row
        if not secrets.compare_digest(tok.token_sha256, digest) or tok.revoked_at is not None:
            return None
        expires = _as_utc(tok.expires_at)
        if expires is not None and expires <= now:
            return None
        last = _as_utc(tok.last_used_at)
        if last is None or now - last >= LAST_USED_EVERY:
            tok.last_used_at = now
            tok.uses = (tok.uses or 0) + 1
        return Viewer(user.name, user.role)


# -- what a viewer sees ------------------------------------------------------------------------------------


def hidden_dataset_ids(s: Session, viewer: Viewer) -> tuple[int, ...]:
    """IDs of the data sets ``viewer`` may not see (those not ``public``, for anonymous viewers)."""
    if viewer.sees_members_data:
        return ()
    return tuple(
        s.scalars(select(m.Dataset.id).where(m.Dataset.visibility != "public").order_by(m.Dataset.id))
    )


#: Core aliases (not ORM entities), so that the criteria are not applied again inside the criteria; made once,
#: so that statements with the criteria stay in SQLAlchemy's compiled cache.
_MT = m.Material.__table__.alias("vis_mat")
_PT = m.Property.__table__.alias("vis_prop")
_ST = m.Structure.__table__.alias("vis_struct")
_DT = m.PhaseDiagram.__table__.alias("vis_pd")
_RT = m.LitRecord.__table__.alias("vis_rec")


def _criteria(hidden: tuple[int, ...], drafts: bool) -> list[Any]:
    """``with_loader_criteria`` options that hide what a viewer may not see (see the module docstring)."""
    opts: list[Any] = []
    if hidden:
        mt, pt, st, dt_ = _MT, _PT, _ST, _DT

        def shown_ds(col):
            return or_(col.is_(None), col.not_in(hidden))

        def hidden_material(col):
            return exists().where(mt.c.id == col, mt.c.dataset_id.in_(hidden))

        def shown_material(col):
            return exists().where(mt.c.id == col, shown_ds(mt.c.dataset_id))

        opts += [
            with_loader_criteria(m.Material, lambda cls: shown_ds(cls.dataset_id), include_aliases=True),
            with_loader_criteria(
                m.Property,
                lambda cls: shown_ds(cls.dataset_id) & ~hidden_material(cls.material_id),
                include_aliases=True,
            ),
            with_loader_criteria(
                m.Structure, lambda cls: ~hidden_material(cls.material_id), include_aliases=True
            ),
            with_loader_criteria(
                m.ExternalId, lambda cls: ~hidden_material(cls.material_id), include_aliases=True
            ),
            with_loader_criteria(m.PhaseDiagram, lambda cls: shown_ds(cls.dataset_id), include_aliases=True),
            with_loader_criteria(m.Dataset, lambda cls: cls.id.not_in(hidden), include_aliases=True),
            with_loader_criteria(
                m.Substance,
                lambda cls: exists().where(mt.c.substance_id == cls.id, shown_ds(mt.c.dataset_id)),
                include_aliases=True,
            ),
            with_loader_criteria(
                m.Reference,
                lambda cls: or_(
                    # cited by a row the viewer sees ...
                    exists().where(mt.c.reference_id == cls.id, shown_ds(mt.c.dataset_id)),
                    exists().where(
                        pt.c.reference_id == cls.id,
                        shown_ds(pt.c.dataset_id),
                        shown_material(pt.c.material_id),
                    ),
                    exists().where(st.c.reference_id == cls.id, shown_material(st.c.material_id)),
                    exists().where(dt_.c.reference_id == cls.id, shown_ds(dt_.c.dataset_id)),
                    # ... or by no hidden row at all
                    ~or_(
                        exists().where(mt.c.reference_id == cls.id, mt.c.dataset_id.in_(hidden)),
                        exists().where(pt.c.reference_id == cls.id, pt.c.dataset_id.in_(hidden)),
                        exists().where(st.c.reference_id == cls.id, hidden_material(st.c.material_id)),
                        exists().where(dt_.c.reference_id == cls.id, dt_.c.dataset_id.in_(hidden)),
                    ),
                ),
                include_aliases=True,
            ),
        ]
    if not drafts:
        rt = _RT
        opts += [
            with_loader_criteria(m.LitRecord, lambda cls: cls.status == "published", include_aliases=True),
            with_loader_criteria(
                m.LitDocument,
                lambda cls: exists().where(rt.c.document_id == cls.id, rt.c.status == "published"),
                include_aliases=True,
            ),
            with_loader_criteria(m.LitAudit, lambda cls: false(), include_aliases=True),
        ]
    return opts


@contextmanager
def visible_session(db: Any, viewer: Viewer) -> Iterator[Session]:
    """A read session (one transaction) in which ``viewer`` sees only what :data:`ROLES` allow.

    Every ORM ``select`` run through the session, its sub-queries and relationship loads included, gets the
    rules as extra criteria.  Writes through it are not prevented: use it for reading.
    """
    with db.session() as s:
        opts = _criteria(hidden_dataset_ids(s, viewer), viewer.sees_drafts)
        if opts:
            s.info["matinfo_visibility"] = opts

            def _add(state):
                if state.is_select and not state.is_column_load:
                    state.statement = state.statement.options(*opts)

            event.listen(s, "do_orm_execute", _add)
        yield s


def sees_everything(viewer: Viewer) -> bool:
    """Whether ``viewer`` sees every row whatever the data (editors and admins)."""
    return viewer.sees_drafts and viewer.sees_members_data
