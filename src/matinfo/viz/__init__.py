"""matinfo.viz: figures as a static PNG (matplotlib) and an interactive HTML page (Plotly), from one call.

Every plotting function returns a :class:`~matinfo.viz.figure.Figure` holding both renderings; ``save(stem)``
writes ``stem.png`` and ``stem.html`` (atomically).  Plotly's HTML embeds plotly.js, so pages open offline.
Names load on first use; matplotlib and Plotly are imported only when a figure is drawn.
"""

from __future__ import annotations

import importlib

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
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'matinfo.viz' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
