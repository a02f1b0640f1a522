"""Importance, top-k comparison and ablation figures: PNG and HTML written, with the right names inside."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from matinfo.learn import Importance, compare_top_k
from matinfo.learn.ablation import run_ablation
from matinfo.viz import ablation_plot, compare_top_k_plot, importance_plot, significance_stars


def _importance(seed: int, names: list[str], cats: list[str]) -> Importance:
    rng = np.random.default_rng(seed)
    values = np.abs(rng.normal(size=(len(names), 6))) * rng.uniform(0.1, 2.0, size=(len(names), 1))
    groups = {c: rng.uniform(0.5, 1.0, size=6) for c in dict.fromkeys(cats)}
    return Importance(
        np.array(names, dtype=object), np.array(cats, dtype=object), values, "permutation", "mae", groups
    )


NAMES = [
    "sintering temperature",
    "grain size",
    "density",
    "mean electronegativity",
    "space group",
    "Li fraction",
]
CATS = ["processing", "processing", "structure", "composition", "structure", "composition"]


def _saved(fig, path):
    png, html = fig.save(path)
    assert png.stat().st_size > 5000 and png.read_bytes()[:4] == b"\x89PNG"
    text = html.read_text()
    assert "plotly" in text.lower()
    fig.close()
    return text


def test_importance_plot(tmp_path):
    imp = _importance(0, NAMES, CATS)
    text = _saved(importance_plot(imp, top=5), tmp_path / "imp")
    top5 = imp.top(5)["name"].tolist()
    assert all(n in text for n in top5) and "by category" in text
    assert all(c in text for c in set(imp.top(5)["category"]))


def test_compare_top_k_plot(tmp_path):
    grain, boundary = _importance(1, NAMES, CATS), _importance(2, NAMES, CATS)
    text = _saved(compare_top_k_plot(grain, boundary, k=4), tmp_path / "cmp")
    assert "grain: " in text and "grain boundary: " in text
    assert all(n in text for n in boundary.top(4)["name"])
    comp = compare_top_k(grain, boundary, k=3, labels=("bulk", "total"))
    text = _saved(compare_top_k_plot(comp), tmp_path / "cmp2")
    assert all(f"{n} {c}" in text for c, n in comp.counts["bulk"].items() if n)


def test_ablation_plot(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = 2 * X[:, 0] + 0.3 * rng.normal(size=120)
    res = run_ablation(LinearRegression(), X, y, ["composition", "structure", "structure"], only=True)
    text = _saved(ablation_plot(res), tmp_path / "abl")
    assert "without composition" in text and "only structure" in text and "***" in text
    assert "MAE" in text


@pytest.mark.parametrize(("p", "s"), [(1e-5, "***"), (0.005, "**"), (0.04, "*"), (0.5, "n.s.")])
def test_significance_stars(p, s):
    assert significance_stars(p) == s
