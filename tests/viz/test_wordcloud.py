"""Formula word cloud (matinfo.viz.wordcloud)."""

from __future__ import annotations

import pandas as pd
import pytest

from matinfo.errors import ParameterError
from matinfo.viz.wordcloud import formula_cloud


def test_cloud_draws_every_word_with_size_by_papers(tmp_path):
    f = pd.DataFrame(
        {"formula": ["Li7La3Zr2O12", "LiCoO2", "Li3PS4"], "papers": [30, 10, 1], "mentions": [90, 11, 1]}
    )
    fig = formula_cloud(f, width=400, height=300)
    trace = fig.interactive.data[0]
    assert list(trace.text) == ["Li7La3Zr2O12", "LiCoO2", "Li3PS4"]
    sizes = list(trace.textfont.size)
    assert sizes[0] > sizes[1] > sizes[2]
    assert "papers: 30" in trace.hovertext[0]
    png, html = fig.save(tmp_path / "cloud")
    assert png.stat().st_size > 1000 and "Li7La3Zr2O12" in html.read_text()
    fig.close()


def test_cloud_rejects_tables_without_counts():
    with pytest.raises(ParameterError, match="papers"):
        formula_cloud(pd.DataFrame({"formula": ["LiCoO2"]}))
    with pytest.raises(ParameterError, match="no formula"):
        formula_cloud(pd.DataFrame({"formula": ["LiCoO2"], "papers": [0]}))
