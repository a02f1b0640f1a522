"""Fixtures of the calc tests: small cells, a configuration with its work folder in tmp_path, a slow engine."""

from __future__ import annotations

import pytest

from matinfo.calc.config import parse_config
from matinfo.calc.structures import Cell


def fcc(element: str, a: float, *, cubic: bool = False) -> Cell:
    from ase.build import bulk

    return Cell.from_atoms(bulk(element, "fcc", a=a, cubic=cubic))


@pytest.fixture
def cu() -> Cell:
    """Primitive fcc Cu, slightly compressed (EMT's a0 is 3.59 Å)."""
    return fcc("Cu", 3.55)


@pytest.fixture
def cu3au() -> Cell:
    """L1_2 Cu3Au in its 4-atom cubic cell."""
    from ase.build import bulk

    atoms = bulk("Cu", "fcc", a=3.75, cubic=True)
    atoms[0].symbol = "Au"
    return Cell.from_atoms(atoms)


def make_config(tmp_path, **runner):
    return parse_config({"runner": {"workdir": str(tmp_path / "work"), "lease": 30, "poll": 0.1, **runner}})


@pytest.fixture
def config(tmp_path):
    return make_config(tmp_path)
