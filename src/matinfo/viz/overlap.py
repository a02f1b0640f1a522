"""UpSet plot of several top-N lists: how many candidates each combination of models agrees on.

An UpSet plot (Lex et al., IEEE TVCG 20, 1983 (2014)) shows every *exclusive* intersection — the candidates in
exactly this set of lists — as a bar, with a dot matrix below naming the lists, and each list's size at the
side.  Unlike a Venn diagram it stays readable beyond three lists.  Bars are coloured by how many models agree:
all of them (vermillion), at least two (blue), one (grey) — the seed's "3 in all three lists, 22 in two" is
the first bars.

Drawn with matplotlib and Plotly directly (no ``upsetplot`` dependency).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from matinfo.viz.figure import Figure

__all__ = ["overlap_plot"]

_ALL = "#D55E00"
_SOME = "#0072B2"
_ONE = "#999999"
_OFF = "#DDDDDD"


def _color(degree: int, n_lists: int) -> str:
    return _ALL if degree == n_lists and n_lists > 1 else _SOME if degree >= 2 else _ONE


def overlap_plot(
    lists: Mapping[str, Sequence[Hashable]], *, title: str | None = None, max_bars: int = 30
) -> Figure:
    """UpSet plot of ``lists`` (name → items, e.g. each model's top-100 candidates).

    Parameters
    ----------
    lists : mapping of str to sequence
        The lists; items are compared by equality (candidate names).
    title : str or None
        Figure title; default: the list count and the in-all / in-at-least-2 counts.
    max_bars : int
        Show at most this many intersections (most lists first, then largest; a note says how many are left out).

    >>> fig = overlap_plot({"lgbm": ["a", "b", "c"], "svm": ["b", "a", "d"], "gp": ["b", "e", "a"]})
    >>> fig.title
    '3 lists: 2 in all, 2 in at least 2'
    >>> fig.close()
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from matinfo.screen.consensus import overlap_counts

    counts = overlap_counts(lists)
    names = counts["models"]
    m = len(names)
    # most models first (the consensus is what a screen is after), then the largest
    ranked = sorted(counts["combinations"], key=lambda c: (-len(c["models"]), -c["count"]))
    combos = ranked[:max_bars]
    hidden = len(ranked) - len(combos)
    at2 = counts["in_at_least"].get("2", 0)
    head = title or f"{m} lists: {counts['in_all']} in all" + (f", {at2} in at least 2" if m > 2 else "")
    x = list(range(len(combos)))
    heights = [c["count"] for c in combos]
    colors = [_color(len(c["models"]), m) for c in combos]
    rows = {name: m - 1 - i for i, name in enumerate(names)}  # first list on top

    fig, (ax_bar, ax_dot, ax_size) = _axes(m, len(combos))
    ax_bar.bar(x, heights, color=colors, width=0.7)
    for xi, h in zip(x, heights, strict=True):
        ax_bar.text(xi, h, str(h), ha="center", va="bottom", fontsize=8)
    ax_bar.set_ylabel("candidates in exactly these lists")
    ax_bar.set_xticks([])
    ax_bar.set_xlim(-0.6, len(combos) - 0.4)
    ax_bar.spines[["top", "right", "bottom"]].set_visible(False)
    ax_bar.set_title(head, fontsize=11)
    for xi, c in zip(x, combos, strict=True):
        ys = [rows[n] for n in c["models"]]
        ax_dot.scatter([xi] * m, list(range(m)), color=_OFF, s=40, zorder=1)
        ax_dot.scatter([xi] * len(ys), ys, color=_color(len(ys), m), s=40, zorder=2)
        if len(ys) > 1:
            ax_dot.plot([xi, xi], [min(ys), max(ys)], color=_color(len(ys), m), lw=2, zorder=1)
    ax_dot.set_yticks(range(m), [names[m - 1 - r] for r in range(m)])
    ax_dot.set_xticks([])
    ax_dot.set_xlim(-0.6, len(combos) - 0.4)
    ax_dot.set_ylim(-0.6, m - 0.4)
    ax_dot.spines[["top", "right", "bottom", "left"]].set_visible(False)
    sizes = [counts["sizes"][names[m - 1 - r]] for r in range(m)]
    ax_size.barh(range(m), sizes, color="#555555", height=0.5)
    ax_size.set_ylim(-0.6, m - 0.4)
    ax_size.invert_xaxis()
    ax_size.set_yticks([])
    ax_size.set_xlabel("list size")
    ax_size.spines[["top", "left"]].set_visible(False)
    if hidden:
        ax_bar.text(1.0, 1.0, f"{hidden} smaller intersections not shown", transform=ax_bar.transAxes,
                    ha="right", va="top", fontsize=8)  # fmt: skip

    labels = [" & ".join(c["models"]) for c in combos]
    pfig = make_subplots(
        rows=2,
        cols=2,
        shared_xaxes=True,
        shared_yaxes=True,
        column_widths=[0.2, 0.8],
        row_heights=[0.65, 0.35],
        horizontal_spacing=0.02,
        vertical_spacing=0.02,
    )
    pfig.add_trace(
        go.Bar(x=x, y=heights, marker_color=colors, text=heights, textposition="outside", customdata=labels,
               hovertemplate="%{customdata}: %{y}<extra></extra>", showlegend=False),
        row=1, col=2,
    )  # fmt: skip
    for xi, c, label in zip(x, combos, labels, strict=True):
        ys = [rows[n] for n in c["models"]]
        pfig.add_trace(
            go.Scatter(x=[xi] * m, y=list(range(m)), mode="markers", marker={"color": _OFF, "size": 10},
                       hoverinfo="skip", showlegend=False),
            row=2, col=2,
        )  # fmt: skip
        pfig.add_trace(
            go.Scatter(x=[xi] * len(ys), y=sorted(ys), mode="markers+lines",
                       marker={"color": _color(len(ys), m), "size": 10}, line={"color": _color(len(ys), m)},
                       hovertemplate=f"{label}: {c['count']}<extra></extra>", showlegend=False),
            row=2, col=2,
        )  # fmt: skip
    pfig.add_trace(
        go.Bar(x=sizes, y=list(range(m)), orientation="h", marker_color="#555555", showlegend=False,
               customdata=[names[m - 1 - r] for r in range(m)], hovertemplate="%{customdata}: %{x}<extra></extra>"),
        row=2, col=1,
    )  # fmt: skip
    pfig.update_xaxes(autorange="reversed", title="list size", row=2, col=1)
    pfig.update_xaxes(showticklabels=False, row=2, col=2)
    pfig.update_yaxes(tickvals=list(range(m)), ticktext=[names[m - 1 - r] for r in range(m)], row=2, col=1)
    pfig.update_yaxes(title="candidates", row=1, col=2)
    pfig.update_layout(
        title=head, template="plotly_white", width=max(600, 40 * len(combos) + 300), height=500
    )
    return Figure(static=fig, interactive=pfig, title=head)


def _axes(n_lists: int, n_bars: int) -> tuple[Any, tuple[Any, Any, Any]]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    width = max(5.0, 0.35 * n_bars + 2.5)
    fig = plt.figure(figsize=(width, 3.2 + 0.35 * n_lists), constrained_layout=True)
    grid = fig.add_gridspec(
        2, 2, width_ratios=[1, max(2.5, 0.35 * n_bars)], height_ratios=[3, 0.5 + 0.35 * n_lists]
    )
    ax_bar = fig.add_subplot(grid[0, 1])
    ax_dot = fig.add_subplot(grid[1, 1], sharex=ax_bar)
    ax_size = fig.add_subplot(grid[1, 0])
    return fig, (ax_bar, ax_dot, ax_size)
