"""matinfo.viz: figures as a static PNG (matplotlib) and an interactive HTML page (Plotly), from one call.

Every plotting function returns a :class:`~matinfo.viz.figure.Figure` holding both renderings; ``save(stem)``
writes ``stem.png`` and ``stem.html`` (atomically).  Plotly's HTML embeds plotly.js, so pages open offline.
Names load on first use; matplotlib and Plotly are imported only when a figure is drawn.
"""

from __future__ import annotations

from matinfo._lazy import lazy_exports

_EXPORTS: dict[str, tuple[str, ...]] = {
    "matinfo.viz.figure": ("Figure",),
    "matinfo.viz.parity": ("parity_plot",),
    "matinfo.viz.weights": ("weight_diagram", "error_dos"),
    "matinfo.viz.importance": (
        "importance_plot",
        "compare_top_k_plot",
        "ablation_plot",
        "significance_stars",
    ),
    "matinfo.viz.overlap": ("overlap_plot",),
    "matinfo.viz.wordcloud": ("formula_cloud",),
    "matinfo.viz.campaign": ("campaign_plot",),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
