"""Fixtures for matinfo.io tests: where the shared data and the tiny fixture files live."""

from __future__ import annotations

from pathlib import Path

import pytest

#: /work/shared/data next to the repository root (tests/io -> tests -> repo root -> its parent).
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
#: Small hand-written CIF/POSCAR fixtures.
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared data folder; tests using it skip when it is absent (e.g. a bare checkout)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"shared data folder not found at {SHARED_DATA} (expected ../shared/data next to the repo)"
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def crystal_structures(shared_data: Path) -> Path:
    folder = shared_data / "crystal_structures"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    return folder


@pytest.fixture(scope="session")
def obelix(shared_data: Path) -> Path:
    folder = shared_data / "obelix"
    if not (folder / "cifs").is_dir():
        pytest.skip(f"{folder}/cifs not found")
    return folder


@pytest.fixture()
def data_dir() -> Path:
    return DATA
