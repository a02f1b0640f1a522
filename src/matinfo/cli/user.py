"""``matinfo user add | token | list | role | revoke``: users of the web server and their API tokens.

A token is printed once, when it is made; the store keeps only its SHA-256.  Roles: member (sees members'
data sets), editor (also curates literature and runs campaigns), admin (also manages users).
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated

import typer

from matinfo.cli.db import DbOption, _open

user_app = typer.Typer(help="Users of the web server and their API tokens.", no_args_is_help=True)


class Role(str, Enum):
    member = "member"
    editor = "editor"
    admin = "admin"


class Fmt(str, Enum):
    table = "table"
    json = "json"


Name = Annotated[str, typer.Argument(help="User name.")]
Expires = Annotated[
    float | None, typer.Option("--expires-days", min=0.001, help="Token lifetime in days (default: none).")
]


@user_app.command("add")
def add(
    name: Name,
    role: Annotated[Role, typer.Option("--role")] = Role.member,
    expires_days: Expires = None,
    db: DbOption = None,
) -> None:
    """Add a user and print their first token (shown this once; only its hash is stored)."""
    from matinfo.store.access import add_user

    token = add_user(_open(db), name, role.value, expires_days=expires_days)
    typer.echo(f"user {name!r} added with role {role.value}; API token (shown once, keep it safe):", err=True)
    typer.echo(token)


@user_app.command("token")
def token(
    name: Name,
    expires_days: Expires = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    db: DbOption = None,
) -> None:
    """Print a further token for a user (shown this once)."""
    from matinfo.store.access import new_token

    typer.echo(new_token(_open(db), name, expires_days=expires_days, note=note))


@user_app.command("role")
def role(
    name: Name, new_role: Annotated[Role, typer.Argument(help="member, editor or admin")], db: DbOption = None
) -> None:
    """Change a user's role."""
    from matinfo.store.access import set_role

    set_role(_open(db), name, new_role.value)
    typer.echo(f"user {name!r} is now {new_role.value}")


@user_app.command("revoke")
def revoke(name: Name, db: DbOption = None) -> None:
    """Revoke every token of a user."""
    from matinfo.store.access import revoke as _revoke

    n = _revoke(_open(db), name)
    typer.echo(f"revoked {n} token(s) of {name!r}")


@user_app.command("list")
def list_(fmt: Annotated[Fmt, typer.Option("--format")] = Fmt.table, db: DbOption = None) -> None:
    """Users, roles and their tokens (hint, created, last used, expiry, revoked) — never a token."""
    from matinfo.store.access import list_users

    users = list_users(_open(db))
    if fmt == Fmt.json:
        typer.echo(json.dumps(users, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    t = Table("user", "role", "token", "created", "last used", "expires", "revoked")
    for u in users:
        toks = u["tokens"] or [{}]
        for i, tk in enumerate(toks):
            t.add_row(
                u["name"] if i == 0 else "",
                u["role"] if i == 0 else "",
                *(
                    str(tk.get(k) or "")[:19]
                    for k in ("hint", "created_at", "last_used_at", "expires_at", "revoked_at")
                ),
            )
    Console().print(t)
