"""connect(url): backend from the URL, default location, and an Alembic schema that matches the models."""

from __future__ import annotations

from pathlib import Path

import pytest

from matinfo.errors import StoreError
from matinfo.store import connect, default_url
from matinfo.store.database import _normalise_url


def test_default_url_env_and_user_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("MATINFO_DB_URL", f"sqlite:///{tmp_path / 'x.db'}")
    assert default_url() == f"sqlite:///{tmp_path / 'x.db'}"
    monkeypatch.delenv("MATINFO_DB_URL")
    url = default_url()
    assert (
        url.startswith("sqlite:///")
        and url.endswith("matinfo.db")
        and "matinfo" in Path(url[10:]).parent.name
    )


def test_url_forms(tmp_path):
    assert _normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert _normalise_url(str(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"
    db = connect(str(tmp_path / "sub" / "b.db"))  # a bare path creates its folder and file
    assert (tmp_path / "sub" / "b.db").exists() and db.stats()["materials"] == 0


def test_schema_matches_models_and_reconnect_is_noop(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from matinfo.store.migrate import current_revision, head_revision
    from matinfo.store.models import Base

    db = connect(db_url)
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], "models.py and the Alembic migrations disagree: write a new migration"
    db.add_material("NaCl", space_group=225)
    again = connect(db_url)  # second connect: nothing to migrate, data kept
    assert again.stats()["materials"] == 1


def test_unreachable_server_is_a_store_error():
    with pytest.raises(StoreError, match="cannot open the database"):
        connect("postgresql://nobody@127.0.0.1:1/none")
