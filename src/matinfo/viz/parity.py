"""Parity plot: predicted vs measured, with ±1σ error bars and the metrics in the corner."""

from __future__ import annotations

from typing import Any

import numpy as np

from matinfo.viz.figure import Figure, new_axes

__all__ = ["parity_plot"]


def parity_plot(
    y_true: Any,
    y_pred: Any,
    y_std: Any = None,
    *,
    label: str = "target",
    unit: str = "",
    hover: Any = None,
    title: str | None = None,
) -> Figure:
    """Predicted vs measured with the identity line; ``y_std`` adds ±1σ error bars; ``hover`` (e.g. formulas)
    labels points in the HTML version.  MAE, RMSE, R² and, with ``y_std``, the ±1σ coverage are printed.

    >>> fig = parity_plot([1, 2, 3], [1.1, 1.8, 3.2], [0.1, 0.3, 0.2], label="band gap", unit="eV")
    >>> fig.title
    'band gap: MAE 0.167 eV, R² 0.95'
    """
    import plotly.graph_objects as go

    from matinfo.learn.metrics import interval_coverage, regression_metrics

    y, p = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    s = None if y_std is None else np.asarray(y_std, dtype=float)
    m = regression_metrics(y, p)
    u = f" {unit}" if unit else ""
    lines = [f"MAE {m['mae']:.3g}{u}", f"RMSE {m['rmse']:.3g}{u}", f"R² {m['r2']:.3f}", f"n = {m['n']}"]
    if s is not None and np.isfinite(s).any():
        lines.append(f"±1σ covers {interval_coverage(y, p, s)['coverage_68']:.0%}")
    head = title or f"{label}: MAE {m['mae']:.3g}{u}, R² {m['r2']:.2f}"
    finite = np.isfinite(y) & np.isfinite(p)
    lo, hi = float(min(y[finite].min(), p[finite].min())), float(max(y[finite].max(), p[finite].max()))
    pad = 0.04 * (hi - lo or 1.0)
    lo, hi = lo - pad, hi + pad

    fig, ax = new_axes(5.0, 5.0)
    ax.plot([lo, hi], [lo, hi], color="0.5", lw=1, zorder=1)
    if s is not None:
        ax.errorbar(y, p, yerr=s, fmt="none", ecolor="#0072B2", alpha=0.25, lw=0.8, zorder=2)
    ax.scatter(y, p, s=12, color="#0072B2", alpha=0.7, edgecolors="none", zorder=3)
    ax.set(
        xlim=(lo, hi),
        ylim=(lo, hi),
        xlabel=f"measured {label}{f' ({unit})' if unit else ''}",
        ylabel=f"predicted {label}{f' ({unit})' if unit else ''}",
        title=head,
    )
    ax.set_aspect("equal")
    ax.text(
        0.03,
        0.97,
        "\n".join(lines),
        transform=ax.transAxes,
        va="top",
        fontsize=9,
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "0.8"},
    )

    text = None if hover is None else [str(h) for h in hover]
    scatter = go.Scatter(
        x=y,
        y=p,
        mode="markers",
        text=text,
        error_y=None
        if s is None
        else {"type": "data", "array": s, "visible": True, "thickness": 0.8, "color": "rgba(0,114,178,0.3)"},
        marker={"color": "#0072B2", "size": 6, "opacity": 0.7},
        name="predictions",
        hovertemplate=("%{text}<br>" if text else "")
        + "measured %{x:.3g}<br>predicted %{y:.3g}<extra></extra>",
    )
    ident = go.Scatter(
        x=[lo, hi],
        y=[lo, hi],
        mode="lines",
        line={"color": "gray", "width": 1},
        name="y = x",
        hoverinfo="skip",
    )
    pfig = go.Figure([ident, scatter])
    pfig.update_layout(
        title=head,
        xaxis={"title": f"measured {label}{u}", "range": [lo, hi]},
        yaxis={"title": f"predicted {label}{u}", "range": [lo, hi], "scaleanchor": "x"},
        annotations=[
            {
                "x": 0.02,
                "y": 0.98,
                "xref": "paper",
                "yref": "paper",
                "text": "<br>".join(lines),
                "showarrow": False,
                "align": "left",
                "bgcolor": "white",
            }
        ],
        width=600,
        height=600,
        template="plotly_white",
    )
    return Figure(static=fig, interactive=pfig, title=head)
