"""The UpSet figure of top-N lists: bars per exclusive intersection, PNG and HTML."""

from __future__ import annotations

from matinfo.viz.overlap import overlap_plot


def _lists():
    common = ["Bi|Si", "Bi|Ge", "Sb|Si"]
    return {
        "LSBoost": common + ["a", "b", "c", "d"],
        "SVM": common + ["a", "b", "e"],
        "GPR": common + ["c", "f", "g", "h"],
    }


def test_upset_figure_counts_and_files(tmp_path):
    fig = overlap_plot(_lists())
    assert fig.title == "3 lists: 3 in all, 6 in at least 2"
    ax_bar = fig.static.axes[0]
    heights = [p.get_height() for p in ax_bar.patches]
    assert heights == [3, 2, 1, 3, 1, 1]  # all three, then the pairs, then the single lists, largest first
    bars = [t for t in fig.interactive.data if t.type == "bar"]
    assert list(bars[0].y) == heights and list(bars[1].x) == [
        7,
        6,
        7,
    ]  # list sizes: GPR, SVM, LSBoost (bottom up)
    png, html = fig.save(tmp_path / "overlap")
    assert png.read_bytes()[:4] == b"\x89PNG" and "plotly" in html.read_text()[:5000].lower()
    fig.close()


def test_upset_limits_bars_and_takes_a_title():
    lists = {f"m{i}": [f"x{j}" for j in range(i, i + 6)] for i in range(5)}
    fig = overlap_plot(lists, title="five models", max_bars=4)
    assert fig.title == "five models" and len(fig.static.axes[0].patches) == 4
    assert any("not shown" in t.get_text() for t in fig.static.axes[0].texts)
    fig.close()
