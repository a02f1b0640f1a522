"""Shared fixtures: database URLs for both backends, and the shared real data folder."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
PG_URL = os.environ.get("MATINFO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data; skips the test when the folder is not there."""
    p = SHARED_DATA.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"shared data not available: {p}")
    return p


def _pg_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_URL.replace("postgresql+psycopg", "postgresql"), connect_timeout=3):
            return None
    except Exception as e:  # noqa: BLE001 - any failure means "not available"
        return f"{e.__class__.__name__}: {e}"


@pytest.fixture(scope="session")
def pg_server() -> str:
    why = _pg_available()
    if why is not None:
        if os.environ.get("MATINFO_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL required (MATINFO_REQUIRE_PG) but not reachable at {PG_URL}: {why}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {why}")
    return PG_URL


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty PostgreSQL schema for one test, dropped afterwards."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    raw = pg_server.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(raw, autocommit=True) as c:
        c.execute(f"CREATE SCHEMA {schema}")
    yield f"{pg_server}?options=-csearch_path%3D{schema}"
    with psycopg.connect(raw, autocommit=True) as c:
        c.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """The store test suite runs on both backends."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def db(db_url):
    from matinfo.store import connect

    database = connect(db_url)
    yield database
    database.close()
