"""Word cloud of formula frequencies: what the literature is about, at a glance.

The static image is drawn by the ``wordcloud`` package (Mueller; MIT) from the frequency table of
:func:`matinfo.literature.overview.formula_frequencies`; the interactive page places the same words at the same
positions and sizes with Plotly, with the counts on hover.  Word size follows the number of papers (or mentions),
and the layout is seeded, so the same table always gives the same picture.
"""

from __future__ import annotations

import zlib
from typing import Any

from matinfo.errors import ParameterError
from matinfo.viz.figure import Figure

__all__ = ["formula_cloud"]

_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#333333")


def formula_cloud(
    frequencies: Any,
    *,
    weight: str = "papers",
    max_words: int = 150,
    width: int = 1200,
    height: int = 700,
    seed: int = 0,
    title: str = "Materials in the literature",
) -> Figure:
    """A word cloud of ``frequencies`` (DataFrame with ``formula`` and ``weight`` columns).

    Parameters
    ----------
    frequencies : DataFrame
        Output of :func:`~matinfo.literature.overview.formula_frequencies` (or any table with those columns).
    weight : {"papers", "mentions"}
        What sets a word's size.
    max_words : int
        The most frequent formulas to draw.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import plotly.graph_objects as go
    from wordcloud import WordCloud

    for col in ("formula", weight):
        if col not in getattr(frequencies, "columns", ()):
            raise ParameterError(
                f"formula_cloud needs a table with columns 'formula' and {weight!r}; missing {col!r}"
            )
    top = frequencies.nlargest(max_words, weight)
    top = top[top[weight] > 0]
    if top.empty:
        raise ParameterError("formula_cloud: no formula with a positive count to draw")
    words = {str(f): float(w) for f, w in zip(top["formula"], top[weight], strict=True)}
    by_word = top.set_index(top["formula"].astype(str))

    def color(word, *args, **kw):  # stable: the same formula has the same colour in every cloud
        return _COLORS[zlib.crc32(word.encode()) % len(_COLORS)]

    wc = WordCloud(
        width=width,
        height=height,
        background_color="white",
        max_words=max_words,
        prefer_horizontal=1.0,
        random_state=seed,
        color_func=color,
        collocations=False,
        normalize_plurals=False,
    ).generate_from_frequencies(words)

    fig, ax = plt.subplots(figsize=(width / 100, height / 100), constrained_layout=True)
    ax.imshow(wc.to_array(), interpolation="bilinear")
    ax.set_axis_off()
    ax.set_title(title)

    xs, ys, texts, sizes, colors, hovers = [], [], [], [], [], []
    for (word, _freq), font_size, (row, col), _orientation, colour in wc.layout_:
        # layout_ positions are the top-left corner (row, column) of the word's box; centre the text on it.
        box_w = font_size * 0.6 * len(word)
        xs.append(col + box_w / 2)
        ys.append(row + font_size / 2)
        texts.append(word)
        sizes.append(max(font_size * 0.75, 6))
        colors.append(colour)
        rec = by_word.loc[word]
        if hasattr(rec, "iloc") and getattr(rec, "ndim", 1) > 1:
            rec = rec.iloc[0]
        hovers.append(
            f"{word}<br>papers: {int(rec['papers'])}<br>mentions: {int(rec['mentions'])}"
            if {"papers", "mentions"} <= set(rec.index)
            else f"{word}<br>{weight}: {rec[weight]}"
        )
    inter = go.Figure(
        go.Scatter(
            x=xs,
            y=ys,
            mode="text",
            text=texts,
            textfont={"size": sizes, "color": colors},
            hovertext=hovers,
            hoverinfo="text",
        )
    )
    inter.update_xaxes(visible=False, range=[0, width])
    inter.update_yaxes(visible=False, range=[height, 0])
    inter.update_layout(
        title=title, width=width, height=height, plot_bgcolor="white", template="plotly_white"
    )
    return Figure(fig, inter, title)
