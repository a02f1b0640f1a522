"""Schema creation and upgrades with Alembic (scripts in ``matinfo/store/migrations``)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

__all__ = ["upgrade", "current_revision", "head_revision"]

_SCRIPTS = Path(__file__).with_name("migrations")


def _config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema of ``engine``'s database to ``revision`` (no-op when already there)."""
    if revision == "head" and current_revision(engine) == head_revision():
        return
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(_config(conn), revision)
