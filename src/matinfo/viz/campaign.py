"""Campaign figures: how fast the best result improved, and where the experiments went.

:func:`campaign_plot` draws two panels from a :class:`~matinfo.optimize.Campaign`'s log:

* **best so far** vs the number of experiments — every result as a dot (random start and model-guided in two
  colours), the running best as a step line, failed experiments as crosses on the axis;
* **suggestion map** — the space in two dimensions (the two features or parameters when there are two, else the
  first two principal components of the encoded features), the untried pool in light grey, tried candidates
  coloured by their result, pending suggestions as open circles and the best as a star.

Both panels are in the PNG (matplotlib) and in the HTML page (Plotly, hover shows the candidate ID and values).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from matinfo.viz.figure import Figure

__all__ = ["campaign_plot", "map_coordinates"]

#: Untried pool points drawn at most (a random subset beyond; the figure stays light).
MAX_POOL_POINTS = 20_000
_RANDOM, _MODEL, _FAILED = "#999999", "#0072B2", "#D55E00"


def map_coordinates(encoded: np.ndarray, names: list[str]) -> tuple[np.ndarray, tuple[str, str], Any]:
    """2-D coordinates of encoded rows: the columns themselves for ≤ 2 columns, else a PCA of them.

    Returns ``(xy, axis labels, project)`` where ``project`` maps further rows the same way.
    """
    E = np.atleast_2d(np.asarray(encoded, dtype=float))
    if E.shape[1] == 1:
        return (
            np.column_stack([E[:, 0], np.zeros(len(E))]),
            (names[0], ""),
            lambda R: np.column_stack([np.atleast_2d(R)[:, 0], np.zeros(len(np.atleast_2d(R)))]),
        )
    if E.shape[1] == 2:
        return E.copy(), (names[0], names[1]), lambda R: np.atleast_2d(R).copy()
    centre = E.mean(0)
    _, s, vt = np.linalg.svd(E - centre, full_matrices=False)
    share = s**2 / max(float((s**2).sum()), 1e-300)
    comps = vt[:2].T

    def project(R: np.ndarray) -> np.ndarray:
        return (np.atleast_2d(R) - centre) @ comps

    return project(E), (f"PC1 ({share[0]:.0%})", f"PC2 ({share[1]:.0%})"), project


def _layout(camp) -> dict[str, Any]:
    """Everything both renderings need, computed once."""
    space = camp.space
    st = camp.state()
    hist = camp.history()
    discrete = space.kind == "discrete"
    if discrete:
        pool = space.encoded
        names = space.features
    else:
        rows = [e["params"] for e in (*st.observations.values(), *st.failures.values(), *st.pending.values())]
        pool = space.encode(rows) if rows else np.zeros((0, space.n_dims))
        names = [
            f"{p.name}={c}" for p in space.params for c in (p.choices if hasattr(p, "choices") else [None])
        ]
        names = [n[:-5] if n.endswith("=None") else n for n in names]
    n_cols = pool.shape[1] if len(pool) else (space.encoded.shape[1] if discrete else space.n_dims)
    if n_cols <= 2:  # show the features / parameters themselves, in their own units
        labels = (names[0], names[1] if n_cols == 2 else "")

        def project(R):
            R = np.atleast_2d(R)
            raw = space.decode(R) if discrete else _decode_numeric(space, R)
            return raw if raw.shape[1] == 2 else np.column_stack([raw[:, 0], np.zeros(len(raw))])

    else:
        fit_rows = pool if len(pool) else np.zeros((2, n_cols))
        _, labels, project = map_coordinates(fit_rows, names)

    def where(entries):
        if not entries:
            return np.zeros((0, 2))
        enc = camp.encode(list(entries))
        return project(enc)

    obs = list(st.observations.values())
    out = {
        "hist": hist,
        "labels": labels,
        "obs_xy": where(obs),
        "obs_val": np.array([o["value"] for o in obs]),
        "obs_id": [o["id"] for o in obs],
        "pending_xy": where(list(st.pending.values())),
        "pending_id": list(st.pending),
        "failed_xy": where(list(st.failures.values())),
        "best": camp.best(),
    }
    if discrete:
        tried = set(st.observations) | set(st.failures) | set(st.pending)
        free = np.array([k not in tried for k in space.ids])
        idx = np.flatnonzero(free)
        if len(idx) > MAX_POOL_POINTS:
            idx = np.sort(np.random.default_rng(0).choice(idx, MAX_POOL_POINTS, replace=False))
        out["pool_xy"] = project(pool[idx])
    else:
        out["pool_xy"] = np.zeros((0, 2))
    out["best_xy"] = where([out["best"]]) if out["best"] else np.zeros((0, 2))
    return out


def _robust_limits(values: np.ndarray, maximize: bool) -> tuple[float, float, int] | None:
    """Axis limits that keep the interesting end readable when a few results are far off (spikes), or None."""
    v = values[np.isfinite(values)]
    if len(v) < 5:
        return None
    best = v.max() if maximize else v.min()
    q = np.quantile(v, 0.1 if maximize else 0.9)
    span = abs(q - best) or 1.0
    edge = q - 2 * span if maximize else q + 2 * span
    off = int((v < edge).sum() if maximize else (v > edge).sum())
    if off == 0:
        return None
    pad = 0.05 * (abs(edge - best) or 1.0)
    lo, hi = (edge, best + pad) if maximize else (best - pad, edge)
    return float(lo), float(hi), off


def _decode_numeric(space, R: np.ndarray) -> np.ndarray:
    """Encoded rows of an all-numeric parameter space back to parameter values (n × ≤2)."""
    return np.array([[float(v) for v in p.values()] for p in space.decode(R)])


def campaign_plot(campaign: Any, *, title: str | None = None) -> Figure:
    """Best-so-far curve and suggestion map of a campaign (see the module docstring)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    L = _layout(campaign)
    h = L["hist"]
    target = campaign.target
    goal = "max" if campaign.maximize else "min"
    best = L["best"]
    head = title or (
        f"{campaign.name}: {len(L['obs_val'])} results, best {target} = {best['value']:.6g} ({best['id']})"
        if best
        else f"{campaign.name}: no results yet"
    )

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11.0, 4.5), constrained_layout=True)
    pfig = make_subplots(rows=1, cols=2, subplot_titles=(f"best {target} so far ({goal})", "suggestion map"))
    if len(h):
        ok = h["kind"] == "observation"
        for strategy, color in (("random", _RANDOM), ("model", _MODEL), ("user", "#009E73")):
            sel = ok & (h["strategy"] == strategy)
            if sel.any():
                ax1.scatter(
                    h.loc[sel, "evaluation"], h.loc[sel, "value"], s=14, color=color, label=strategy, zorder=3
                )
                pfig.add_trace(
                    go.Scatter(
                        x=h.loc[sel, "evaluation"],
                        y=h.loc[sel, "value"],
                        mode="markers",
                        name=strategy,
                        marker={"color": color, "size": 6},
                        text=h.loc[sel, "id"],
                        hovertemplate="%{text}<br>experiment %{x}<br>" + target + " %{y:.6g}<extra></extra>",
                    ),
                    row=1,
                    col=1,
                )
        ax1.step(
            h["evaluation"], h["best"], where="post", color="black", lw=1.5, label="best so far", zorder=2
        )
        pfig.add_trace(
            go.Scatter(
                x=h["evaluation"],
                y=h["best"],
                mode="lines",
                line={"shape": "hv", "color": "black"},
                name="best so far",
            ),
            row=1,
            col=1,
        )
        fails = h.loc[~ok]
        if len(fails):
            base = float(np.nanmin(h["value"])) if ok.any() else 0.0
            ax1.scatter(
                fails["evaluation"], [base] * len(fails), marker="x", color=_FAILED, label="failed", zorder=3
            )
            pfig.add_trace(
                go.Scatter(
                    x=fails["evaluation"],
                    y=[base] * len(fails),
                    mode="markers",
                    name="failed",
                    marker={"symbol": "x", "color": _FAILED},
                    text=fails["id"],
                ),
                row=1,
                col=1,
            )
        ax1.legend(fontsize=8, loc="best")
        lims = _robust_limits(h.loc[ok, "value"].to_numpy(), campaign.maximize)
        if lims is not None:
            ax1.set_ylim(*lims[:2])
            pfig.update_yaxes(range=list(lims[:2]), row=1, col=1)
            ax1.text(
                0.99,
                0.01 if campaign.maximize else 0.99,
                f"{lims[2]} result(s) off the axis",
                transform=ax1.transAxes,
                ha="right",
                va="bottom" if campaign.maximize else "top",
                fontsize=8,
            )
    ax1.set(xlabel="experiment", ylabel=target, title=f"best {target} so far ({goal})")

    xlab, ylab = L["labels"]
    if len(L["pool_xy"]):
        ax2.scatter(*L["pool_xy"].T, s=2, color="0.85", label="untried", rasterized=True, zorder=1)
        pfig.add_trace(
            go.Scattergl(
                x=L["pool_xy"][:, 0],
                y=L["pool_xy"][:, 1],
                mode="markers",
                name="untried",
                marker={"color": "lightgrey", "size": 3},
                hoverinfo="skip",
            ),
            row=1,
            col=2,
        )
    if len(L["obs_xy"]):
        clim = _robust_limits(L["obs_val"], campaign.maximize)
        vmin, vmax = (clim[0], clim[1]) if clim else (None, None)
        sc = ax2.scatter(
            *L["obs_xy"].T,
            c=L["obs_val"],
            cmap="viridis" if campaign.maximize else "viridis_r",
            vmin=vmin,
            vmax=vmax,
            s=22,
            edgecolors="k",
            linewidths=0.3,
            zorder=3,
        )
        fig.colorbar(sc, ax=ax2, label=target)
        pfig.add_trace(
            go.Scatter(
                x=L["obs_xy"][:, 0],
                y=L["obs_xy"][:, 1],
                mode="markers",
                name="tried",
                text=L["obs_id"],
                customdata=L["obs_val"],
                marker={
                    "color": L["obs_val"],
                    "colorscale": "Viridis",
                    "reversescale": not campaign.maximize,
                    "cmin": vmin,
                    "cmax": vmax,
                    "size": 8,
                    "showscale": True,
                    "colorbar": {"title": target, "x": 1.02},
                },
                hovertemplate="%{text}<br>" + target + " %{customdata:.6g}<extra></extra>",
            ),
            row=1,
            col=2,
        )
    if len(L["pending_xy"]):
        ax2.scatter(
            *L["pending_xy"].T,
            marker="o",
            facecolors="none",
            edgecolors=_FAILED,
            s=40,
            label="pending",
            zorder=4,
        )
    if len(L["failed_xy"]):
        ax2.scatter(*L["failed_xy"].T, marker="x", color=_FAILED, s=40, label="failed", zorder=4)
    for key, marker, label in (("pending_xy", "o", "pending"), ("failed_xy", "x", "failed")):
        if len(L[key]):
            pfig.add_trace(
                go.Scatter(
                    x=L[key][:, 0],
                    y=L[key][:, 1],
                    mode="markers",
                    name=label,
                    marker={"symbol": "circle-open" if marker == "o" else "x", "color": _FAILED, "size": 10},
                ),
                row=1,
                col=2,
            )
    if len(L["best_xy"]):
        ax2.scatter(
            *L["best_xy"].T, marker="*", s=220, color="#E69F00", edgecolors="k", label="best", zorder=5
        )
        pfig.add_trace(
            go.Scatter(
                x=L["best_xy"][:, 0],
                y=L["best_xy"][:, 1],
                mode="markers",
                name="best",
                marker={
                    "symbol": "star",
                    "size": 16,
                    "color": "#E69F00",
                    "line": {"color": "black", "width": 1},
                },
            ),
            row=1,
            col=2,
        )
    ax2.set(xlabel=xlab, ylabel=ylab, title="suggestion map")
    ax2.legend(fontsize=8, loc="best")
    fig.suptitle(head, fontsize=10)
    pfig.update_xaxes(title_text="experiment", row=1, col=1)
    pfig.update_yaxes(title_text=target, row=1, col=1)
    pfig.update_xaxes(title_text=xlab, row=1, col=2)
    pfig.update_yaxes(title_text=ylab, row=1, col=2)
    pfig.update_layout(title=head, width=1150, height=520, template="plotly_white")
    return Figure(static=fig, interactive=pfig, title=head)
