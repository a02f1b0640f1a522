"""One figure, two renderings: a matplotlib PNG for papers and reports, a Plotly HTML page to explore."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matinfo._files import atomic_write as _atomic_write

__all__ = ["Figure", "CATEGORY_COLORS"]

#: One colour per descriptor category, the same in every figure (colour-blind-safe Okabe–Ito palette).
CATEGORY_COLORS = {
    "composition": "#0072B2",
    "structure": "#E69F00",
    "processing": "#009E73",
    "measurement": "#CC79A7",
    "interface": "#D55E00",
    "molecule": "#56B4E9",
    "other": "#999999",
}


@dataclass
class Figure:
    """A matplotlib figure (``static``) and a Plotly figure (``interactive``) of the same plot."""

    static: Any
    interactive: Any
    title: str = ""

    def save(self, stem: str | Path, *, dpi: int = 150) -> tuple[Path, Path]:
        """Write ``stem.png`` and ``stem.html``; returns both paths."""
        stem = Path(stem)
        png, html = stem.with_suffix(".png"), stem.with_suffix(".html")
        _atomic_write(png, lambda tmp: self.static.savefig(tmp, dpi=dpi, bbox_inches="tight", format="png"))
        _atomic_write(
            html, lambda tmp: self.interactive.write_html(tmp, include_plotlyjs=True, full_html=True)
        )
        return png, html

    def close(self) -> None:
        """Free the matplotlib figure (long loops that draw many figures should call this)."""
        import matplotlib.pyplot as plt

        plt.close(self.static)


def new_axes(width: float = 6.0, height: float = 4.5):
    """A matplotlib (figure, axes) on the non-interactive Agg backend (works without a display)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), constrained_layout=True)
    return fig, ax
