"""Real data for the optimisation tests: the Cu Σ5 (210) grain-boundary energies (PHYSBO's benchmark)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import shared_data


@pytest.fixture(scope="session")
def cu_gb() -> pd.DataFrame:
    """All 17,982 rigid-body translations (dx, gb, dz) with their grain-boundary energy (J/m²), ID column added."""
    df = pd.read_csv(shared_data("cu_sigma5_gb", "s5-210.csv"))
    df.insert(0, "id", [f"t{i}" for i in range(len(df))])
    return df


@pytest.fixture(scope="session")
def cu_slice(cu_gb) -> pd.DataFrame:
    """The gb = 1.2 layer (2,997 translations in dx, dz), where the global minimum lies."""
    return cu_gb[np.isclose(cu_gb["gb"], 1.2)].reset_index(drop=True)


def energy_lookup(frame: pd.DataFrame):
    """candidate ID → energy, the 'experiment' of the simulated campaigns."""
    table = dict(zip(frame["id"], frame["gb_energy"], strict=True))
    return lambda ids: [table[str(i)] for i in ids]
