from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import shared_data


@pytest.fixture(scope="session")
def gap_data():
    """600 Matbench expt_gap compositions (real data) with element-fraction descriptors."""
    from matinfo.features import ElementFraction

    df = pd.read_csv(shared_data("matbench_v0.1", "matbench_expt_gap.csv")).sample(600, random_state=0)
    X = (
        ElementFraction(max_z=94)
        .set_output(transform="pandas")
        .fit_transform(df["composition"].reset_index(drop=True))
    )
    X = X.loc[:, X.std() > 0]
    y = df["gap expt"].to_numpy()
    return df["composition"].to_numpy(), X, y, (y > 0).astype(int)
