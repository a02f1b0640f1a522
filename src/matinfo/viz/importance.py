"""Figures for importance by descriptor category and for ablation.

* :func:`importance_plot` — the top descriptors as horizontal bars (± std over folds), coloured by category, with a
  bar of each category's share of the total importance;
* :func:`compare_top_k_plot` — top-k descriptors of two targets side by side (grain vs grain boundary), each panel
  titled with its category make-up;
* :func:`ablation_plot` — score of each ablation variant ± std over folds, with significance stars from the
  Nadeau–Bengio corrected t-test (``*`` p < 0.05, ``**`` p < 0.01, ``***`` p < 0.001, ``n.s.`` otherwise).

Colours come from :data:`~matinfo.viz.figure.CATEGORY_COLORS`, the same in every figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from matinfo.viz.figure import CATEGORY_COLORS, Figure

__all__ = ["importance_plot", "compare_top_k_plot", "ablation_plot", "significance_stars"]

_ALL_COLOR = "#333333"


def _color(category: Any) -> str:
    return CATEGORY_COLORS.get(str(category), CATEGORY_COLORS["other"])


def _subplots(ncols: int, width: float, height: float, **kw: Any):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt.subplots(1, ncols, figsize=(width, height), constrained_layout=True, **kw)


def significance_stars(p: float) -> str:
    """``***`` / ``**`` / ``*`` for p below 0.001 / 0.01 / 0.05, ``n.s.`` otherwise, ``""`` for NaN.

    >>> [significance_stars(p) for p in (0.0004, 0.03, 0.2, float("nan"))]
    ['***', '*', 'n.s.', '']
    """
    if p != p:
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else "n.s."


def _unit(importance) -> str:
    if importance.method == "shap":
        return "mean |SHAP|"
    return (
        f"permutation importance ({importance.scoring})" if importance.scoring else "permutation importance"
    )


def _bars_mpl(ax, top, xlabel: str, title: str) -> None:
    top = top.iloc[::-1]
    ax.barh(
        top["name"].astype(str),
        top["mean"],
        xerr=top["std"],
        color=[_color(c) for c in top["category"]],
        ecolor="#555555",
        capsize=2,
    )
    ax.axvline(0, color="black", lw=0.6)
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=10)
    ax.tick_params(axis="y", labelsize=8)


def _bar_traces(top, showlegend: bool, seen: set[str]) -> list:
    import plotly.graph_objects as go

    top = top.iloc[::-1]
    traces = []
    for cat in dict.fromkeys(top["category"]):
        sub = top[top["category"] == cat]
        traces.append(
            go.Bar(
                x=sub["mean"],
                y=sub["name"].astype(str),
                error_x={"type": "data", "array": sub["std"].tolist()},
                orientation="h",
                name=str(cat),
                legendgroup=str(cat),
                marker_color=_color(cat),
                showlegend=showlegend and cat not in seen,
                hovertemplate="%{y}<br>" + str(cat) + "<br>%{x:.3g}<extra></extra>",
            )
        )
        seen.add(cat)
    return traces


def importance_plot(importance, top: int = 15, *, title: str | None = None) -> Figure:
    """The ``top`` most important descriptors (bars ± std over folds/repeats, coloured by category) and each
    category's share of the total (a stacked bar)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    table = importance.top(top)
    shares = importance.by_category()["share"]
    title = title or f"Top {len(table)} descriptors ({_unit(importance)})"

    fig, (ax, ax2) = _subplots(2, 8.0, max(3.0, 0.28 * len(table) + 1.2), width_ratios=[5, 1])
    _bars_mpl(ax, table, _unit(importance), title)
    bottom = 0.0
    for cat, share in shares.items():
        ax2.bar(0, share, bottom=bottom, color=_color(cat), width=0.6)
        if share > 0.04:
            ax2.text(0, bottom + share / 2, f"{cat}\n{share:.0%}", ha="center", va="center", fontsize=7)
        bottom += share
    ax2.set_xlim(-0.5, 0.5)
    ax2.set_ylim(0, max(bottom, 1e-9))
    ax2.set_xticks([])
    ax2.set_ylabel("share of importance")
    ax2.set_title("by category", fontsize=10)

    pfig = make_subplots(rows=1, cols=2, column_widths=[0.8, 0.2], subplot_titles=(title, "by category"))
    for tr in _bar_traces(table, True, set()):
        pfig.add_trace(tr, row=1, col=1)
    for cat, share in shares.items():
        pfig.add_trace(
            go.Bar(
                x=["share"],
                y=[share],
                name=str(cat),
                legendgroup=str(cat),
                marker_color=_color(cat),
                showlegend=False,
                text=[f"{cat} {share:.0%}"],
                hovertemplate=f"{cat}: {share:.1%}<extra></extra>",
            ),
            row=1,
            col=2,
        )
    pfig.update_layout(barmode="stack", template="simple_white", height=max(350, 22 * len(table) + 150))
    pfig.update_xaxes(title_text=_unit(importance), row=1, col=1)
    return Figure(static=fig, interactive=pfig, title=title)


def compare_top_k_plot(
    imp_a, imp_b=None, k: int = 7, labels: tuple[str, str] = ("grain", "grain boundary")
) -> Figure:
    """Top-``k`` descriptors of two targets in two panels, each titled with its category counts.  Pass two
    :class:`~matinfo.learn.importance.Importance` results, or one
    :class:`~matinfo.learn.importance.TopKComparison` (then ``k`` and ``labels`` come from it)."""
    from plotly.subplots import make_subplots

    from matinfo.learn.importance import TopKComparison, compare_top_k

    comp = imp_a if isinstance(imp_a, TopKComparison) else compare_top_k(imp_a, imp_b, k=k, labels=labels)
    titles = []
    for label in comp.labels:
        col = comp.counts[label]
        col = col[col > 0].sort_values(ascending=False, kind="stable")
        titles.append(f"{label}: " + " / ".join(f"{n} {c}" for c, n in col.items()))

    fig, axes = _subplots(2, 11.0, max(3.0, 0.35 * comp.k + 1.2))
    pfig = make_subplots(rows=1, cols=2, subplot_titles=titles, horizontal_spacing=0.25)
    seen: set[str] = set()
    for i, (ax, imp) in enumerate(zip(axes, comp.importances, strict=True)):
        top = imp.top(comp.k)
        _bars_mpl(ax, top, _unit(imp), titles[i])
        for tr in _bar_traces(top, True, seen):
            pfig.add_trace(tr, row=1, col=i + 1)
    from matplotlib.patches import Patch

    cats = list(dict.fromkeys(c for imp in comp.importances for c in imp.top(comp.k)["category"]))
    fig.legend(
        handles=[Patch(color=_color(c), label=c) for c in cats],
        loc="outside lower center",
        ncol=len(cats),
        fontsize=8,
    )
    pfig.update_layout(template="simple_white", height=max(350, 40 * comp.k + 150), barmode="overlay")
    return Figure(static=fig, interactive=pfig, title=" vs ".join(comp.labels))


def ablation_plot(result, *, title: str | None = None) -> Figure:
    """Score of each variant (all descriptors, without G, only G) ± std over folds; a dashed line at the full
    model's score; stars give the corrected-t significance of the difference to "all"."""
    import plotly.graph_objects as go

    df = result.to_frame()
    colors = [_ALL_COLOR if k == "all" else _color(g) for k, g in zip(df["kind"], df["group"], strict=True)]
    stars = [significance_stars(p) for p in df["p_corrected"]]
    metric = str(result.scoring).upper() if len(str(result.scoring)) <= 4 else str(result.scoring)
    title = title or f"Ablation by descriptor category ({metric}, {result.scores.shape[1]} paired folds)"
    x = np.arange(len(df))

    fig, ax = _subplots(1, max(5.0, 1.0 * len(df) + 2), 4.5)
    bars = ax.bar(x, df["mean"], yerr=df["std"], color=colors, capsize=4, ecolor="#555555")
    for bar, kind in zip(bars, df["kind"], strict=True):
        if kind == "only":
            bar.set_hatch("//")
    ax.axhline(df["mean"].iloc[0], color=_ALL_COLOR, ls="--", lw=0.8)
    top = (df["mean"] + df["std"]).to_numpy()
    pad = 0.02 * (np.nanmax(top) if np.isfinite(np.nanmax(top)) else 1.0)
    for xi, yi, s in zip(x, top, stars, strict=True):
        if s:
            ax.text(xi, yi + pad, s, ha="center", va="bottom", fontsize=9)
    ax.set_xticks(x, df["variant"], rotation=30, ha="right")
    ax.set_ylabel(metric)
    ax.set_title(title, fontsize=10)
    ax.set_ylim(
        0 if np.nanmin(df["mean"]) >= 0 else None, np.nanmax(top) * 1.12 if np.nanmax(top) > 0 else None
    )

    hover = [
        f"{v}<br>{metric} {m:.3g} ± {s:.3g}<br>Δ vs all {d:+.3g}<br>p (corrected t) {p:.3g}"
        for v, m, s, d, p in zip(
            df["variant"], df["mean"], df["std"], df["diff_mean"], df["p_corrected"], strict=True
        )
    ]
    pfig = go.Figure(
        go.Bar(
            x=df["variant"],
            y=df["mean"],
            error_y={"type": "data", "array": df["std"].tolist()},
            marker_color=colors,
            text=stars,
            textposition="outside",
            hovertext=hover,
            hoverinfo="text",
        )
    )
    pfig.add_hline(y=float(df["mean"].iloc[0]), line_dash="dash", line_color=_ALL_COLOR)
    pfig.update_layout(template="simple_white", title=title, yaxis_title=metric)
    return Figure(static=fig, interactive=pfig, title=title)
