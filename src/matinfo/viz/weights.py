"""Figures of an exhaustive subset search (ES-LiR): the weight diagram and the density of states of CV errors.

* :func:`weight_diagram` — rows: the best subsets ordered by cross-validated error (rank 1 on top); columns:
  descriptors; cell colour: the (standardized) coefficient on a diverging scale, white where the descriptor is not
  in the subset.  A side panel plots each row's CV error, a top bar the fraction of the shown subsets that contain
  each descriptor (Igarashi et al., J. Phys.: Conf. Ser. 699, 012001 (2016), Fig. "weight diagram").
* :func:`error_dos` — histogram of the CV errors of *all* subsets searched ("density of states"), with the best
  error and the top-N threshold marked.

Both take a fitted :class:`~matinfo.learn.ExhaustiveSearch` or its ``results_``
(:class:`~matinfo.learn.subset_search.SubsetSearchResult`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from matinfo.errors import ParameterError
from matinfo.viz.figure import Figure, new_axes

__all__ = ["weight_diagram", "error_dos"]

_CMAP = "RdBu_r"  # diverging: blue negative, red positive, white at zero
_PLOTLY_SCALE = "RdBu_r"


def _results(results: Any):
    res = getattr(results, "results_", results)
    if not hasattr(res, "weights") or not hasattr(res, "errors"):
        raise ParameterError(
            f"expected a fitted ExhaustiveSearch or its results_, got {type(results).__name__}; call fit first"
        )
    return res


def _n_top(res) -> int:
    """Rows of ``res.top`` that are the top-N (a ``select="1se"`` pick may be appended after them)."""
    return int((res.top["rank"] <= len(res.top)).sum())


def _error_label(res) -> str:
    return f"CV {res.scoring.upper()}" + (" (GP)" if res.model == "gp" else "")


def weight_diagram(results: Any, top: int = 50, *, title: str | None = None) -> Figure:
    """Weight diagram of the ``top`` best subsets (see the module docstring); returns a :class:`Figure`."""
    res = _results(results)
    if top < 1:
        raise ParameterError(f"top={top}: show at least one subset")
    W = res.weights(top)
    keep = np.asarray(W.index <= _n_top(res))  # not the 1-SE pick appended from beyond top_n
    errs = res.top["cv_error"].to_numpy()[: len(W)][keep]
    W = W[keep]
    names = list(W.columns)
    z = W.to_numpy(dtype=float)
    ranks = W.index.to_numpy()
    freq = np.isfinite(z).mean(0)
    vmax = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 1.0
    vmax = vmax or 1.0
    kind = "standardized coefficient" if res.standardized else "coefficient"
    title = title or f"ES-LiR weight diagram: best {len(ranks)} of {res.n_subsets:,} subsets"
    return Figure(
        static=_weights_mpl(z, names, ranks, errs, freq, vmax, kind, _error_label(res), title),
        interactive=_weights_plotly(z, names, ranks, errs, freq, vmax, kind, _error_label(res), title),
        title=title,
    )


def _weights_mpl(z, names, ranks, errs, freq, vmax, kind, elabel, title):
    import matplotlib.pyplot as plt

    n_rows, n_cols = z.shape
    fig, _ = new_axes(width=max(6.0, 1.6 + 0.32 * n_cols + 1.8), height=max(4.5, 2.0 + 0.12 * n_rows))
    fig.clear()
    grid = fig.add_gridspec(2, 3, height_ratios=[1, 4], width_ratios=[4, 1, 0.15])
    ax = fig.add_subplot(grid[1, 0])
    ax_top = fig.add_subplot(grid[0, 0], sharex=ax)
    ax_err = fig.add_subplot(grid[1, 1], sharey=ax)
    ax_cb = fig.add_subplot(grid[1, 2])
    cmap = plt.get_cmap(_CMAP).with_extremes(bad="white")
    img = ax.imshow(
        np.ma.masked_invalid(z),
        cmap=cmap,
        vmin=-vmax,
        vmax=vmax,
        aspect="auto",
        interpolation="nearest",
        extent=(-0.5, n_cols - 0.5, n_rows + 0.5, 0.5),
    )
    ax.set_xticks(range(n_cols), names, rotation=90, fontsize=7)
    ax.set_ylabel("rank (by CV error)")
    ax.set_xlim(-0.5, n_cols - 0.5)
    for x in np.arange(n_cols + 1) - 0.5:  # thin grid so single cells stay readable
        ax.axvline(x, color="0.85", lw=0.4)
    ax_top.bar(range(n_cols), freq, color="0.35")
    ax_top.set_ylim(0, 1)
    ax_top.set_ylabel("inclusion\nfrequency", fontsize=8)
    ax_top.tick_params(labelbottom=False)
    ax_top.set_title(title, fontsize=10)
    ax_err.plot(errs, np.arange(1, n_rows + 1), ".-", color="0.2", ms=3, lw=0.8)
    ax_err.set_xlabel(elabel)
    ax_err.xaxis.set_major_locator(plt.MaxNLocator(3))
    ax_err.tick_params(axis="x", labelsize=7)
    ax_err.tick_params(labelleft=False)
    ax_err.grid(alpha=0.3)
    fig.colorbar(img, cax=ax_cb, label=kind)
    return fig


def _weights_plotly(z, names, ranks, errs, freq, vmax, kind, elabel, title):
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=2,
        cols=2,
        shared_xaxes="columns",
        shared_yaxes="rows",
        column_widths=[0.8, 0.2],
        row_heights=[0.2, 0.8],
        horizontal_spacing=0.02,
        vertical_spacing=0.02,
    )
    members = [", ".join(n for n, v in zip(names, row, strict=True) if np.isfinite(v)) for row in z]
    hover = [[f"rank {r}<br>{m}" for _ in names] for r, m in zip(ranks, members, strict=True)]
    fig.add_trace(
        go.Heatmap(
            z=np.where(np.isfinite(z), z, None).tolist(),
            x=names,
            y=list(range(1, len(ranks) + 1)),
            colorscale=_PLOTLY_SCALE,
            zmid=0,
            zmin=-vmax,
            zmax=vmax,
            text=hover,
            hovertemplate="%{x}: %{z:.4g}<br>%{text}<extra></extra>",
            colorbar={"title": {"text": kind}},
            xgap=1,
            ygap=1,
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Bar(x=names, y=freq.tolist(), marker_color="#555", name="inclusion frequency"), row=1, col=1
    )
    fig.add_trace(
        go.Scatter(
            x=errs.tolist(),
            y=list(range(1, len(ranks) + 1)),
            mode="lines+markers",
            name=elabel,
            marker={"size": 4},
        ),
        row=2,
        col=2,
    )
    fig.update_yaxes(autorange="reversed", title_text="rank (by CV error)", row=2, col=1)
    fig.update_yaxes(range=[0, 1], title_text="inclusion", row=1, col=1)
    fig.update_xaxes(title_text=elabel, row=2, col=2)
    fig.update_layout(
        title=title, template="plotly_white", showlegend=False, height=max(450, 200 + 10 * len(ranks))
    )
    return fig


def error_dos(results: Any, bins: int = 100, *, log: bool = True, title: str | None = None) -> Figure:
    """Histogram of the CV errors of all subsets (the ES-LiR "density of states"); ``log`` counts axis."""
    res = _results(results)
    counts, edges = res.error_dos(bins)
    centres = 0.5 * (edges[:-1] + edges[1:])
    best = float(np.nanmin(res.errors))
    n_top = _n_top(res)
    cut = float(np.sort(res.errors)[min(n_top, res.errors.size) - 1])
    elabel = f"CV {res.scoring.upper()} (linear)"
    title = title or f"Density of states of {res.n_subsets:,} subsets"

    fig, ax = new_axes()
    ax.stairs(counts, edges, fill=True, color="#0072B2", alpha=0.8)
    ax.axvline(best, color="#D55E00", lw=1.2, label=f"best {best:.4g}")
    ax.axvline(cut, color="#009E73", lw=1.0, ls="--", label=f"top {n_top} ≤ {cut:.4g}")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(elabel)
    ax.set_ylabel("number of subsets")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)

    import plotly.graph_objects as go

    pfig = go.Figure(
        go.Bar(x=centres.tolist(), y=counts.tolist(), width=float(edges[1] - edges[0]), name="subsets")
    )
    pfig.add_vline(x=best, line_color="#D55E00", annotation_text=f"best {best:.4g}")
    pfig.add_vline(x=cut, line_color="#009E73", line_dash="dash", annotation_text=f"top {n_top}")
    pfig.update_layout(
        title=title,
        template="plotly_white",
        xaxis_title=elabel,
        yaxis_title="number of subsets",
        yaxis_type="log" if log else "linear",
        bargap=0,
    )
    return Figure(static=fig, interactive=pfig, title=title)
