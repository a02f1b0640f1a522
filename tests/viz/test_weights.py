"""Weight diagram and error density of states of an ES-LiR search: PNG + HTML with real content."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matinfo.errors import ParameterError
from matinfo.learn import ExhaustiveSearch
from matinfo.viz import error_dos, weight_diagram
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def search():
    from matinfo.features import ElementFraction

    df = pd.read_csv(shared_data("matbench_v0.1", "matbench_expt_gap.csv")).sample(400, random_state=0)
    X = (
        ElementFraction(max_z=94)
        .set_output(transform="pandas")
        .fit_transform(df["composition"].reset_index(drop=True))
    )
    X = X[X.astype(bool).sum().sort_values(ascending=False).index[:10]]  # the 10 commonest elements
    return ExhaustiveSearch(top_n=60).fit(X, df["gap expt"].to_numpy())


def test_weight_diagram_saves_png_and_html(search, tmp_path):
    fig = weight_diagram(search, top=40)
    png, html = fig.save(tmp_path / "weights")
    assert png.stat().st_size > 20_000
    text = html.read_text()
    assert len(text) > 1_000_000  # plotly.js embedded
    for name in search.feature_names_:
        assert f'"{name}"' in text
    assert len(fig.static.axes) == 4  # heatmap, inclusion bar, error panel, colourbar
    fig.close()


def test_error_dos_and_bad_input(search, tmp_path):
    fig = error_dos(search.results_, bins=30)
    png, html = fig.save(tmp_path / "dos")
    assert png.stat().st_size > 10_000 and "number of subsets" in html.read_text()
    counts = np.asarray(fig.interactive.data[0].y)
    assert counts.sum() == 2**10 - 1
    fig.close()
    with pytest.raises(ParameterError, match="call fit"):
        weight_diagram(ExhaustiveSearch())
