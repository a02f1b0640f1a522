"""What a body of literature is about: formula frequencies, and which papers to read to cover it.

The seed battery database showed that the literature concentrates on a few hundred materials (a word cloud of formula
frequencies) and then chose papers so that the materials × properties reported in few papers were covered too.
Both steps work on any table of extracted or imported records with a paper column, a formula column and a
property column (``extract`` output, a store export, a CSV):

* :func:`formula_frequencies` — how often each material is reported: mentions, distinct papers, share of papers,
  cumulative share (the concentration curve), with formulas normalised so ``Li7La3Zr2O12``, ``La3Li7O12Zr2`` and
  ``Li14La6Zr4O24`` count as one;
* :func:`select_papers` — greedy maximum coverage: the fewest papers that cover the most (material, property)
  pairs, optionally weighting each pair by its rarity so that pairs reported in one paper are not lost behind the
  popular ones.  Greedy is the classical (1 − 1/e) approximation of this NP-hard set-cover problem; it runs lazily
  on a heap, so it scales to hundreds of thousands of papers.

>>> import pandas as pd
>>> t = pd.DataFrame({"doi": ["a", "a", "b", "c", "c"],
...                   "formula": ["LiCoO2", "LiFePO4", "Co2Li2O4", "LiFePO4", "Li4Ti5O12"],
...                   "property": ["capacity", "capacity", "capacity", "voltage", "capacity"]})
>>> formula_frequencies(t)[["formula", "mentions", "papers"]].values.tolist()
[['LiCoO2', 2, 2], ['LiFePO4', 2, 2], ['Li4Ti5O12', 1, 1]]
>>> [s.paper for s in select_papers(t).steps]
['a', 'c']
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matinfo.errors import ParameterError

__all__ = ["formula_frequencies", "normalise_formula", "select_papers", "PaperSelection", "SelectionStep"]


def normalise_formula(text: Any) -> str | None:
    """The reduced formula of a printed formula (``None`` when it is not a resolvable formula).

    Variable formulas (``Li7-xLa3Zr2-xTaxO12``) keep their printed form with whitespace removed: they name a
    family, not one composition, and are counted as such.

    >>> normalise_formula("La3Li7O12Zr2"), normalise_formula("Li7-xLa3Zr2-xTaxO12"), normalise_formula("LLZO")
    ('Li7La3Zr2O12', 'Li7-xLa3Zr2-xTaxO12', None)
    """
    from matinfo.core.formula import parse_formula
    from matinfo.core.keys import reduced_formula
    from matinfo.errors import FormulaError

    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    s = "".join(str(text).split())
    if not s:
        return None
    try:
        parsed = parse_formula(s)
    except FormulaError:
        return None
    if parsed.is_resolved:
        return reduced_formula(parsed.composition)
    return s


def _table(records: Any, columns: list[str]):
    import pandas as pd

    frame = records if isinstance(records, pd.DataFrame) else pd.DataFrame(list(records))
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"column(s) {', '.join(map(repr, missing))} not in the records (columns: {', '.join(map(str, frame.columns))}); "
            "name the right ones with paper=, formula=, property="
        )
    return frame


def formula_frequencies(
    records: Any, *, formula: str = "formula", paper: str = "doi", normalise: bool = True
):
    """Mentions and distinct papers per material, most frequent first.

    Parameters
    ----------
    records : DataFrame or iterable of dicts
        One row per extracted or imported record.
    formula, paper : str
        Column names of the material formula and the paper (DOI, file name, ...).
    normalise : bool
        Count formulas by their reduced formula (:func:`normalise_formula`); rows whose formula does not parse are
        kept under their printed text.

    Returns
    -------
    DataFrame
        ``formula``, ``mentions``, ``papers`` (distinct papers reporting it), ``paper_share`` (fraction of all
        papers) and ``cumulative_mentions`` (fraction of all mentions covered by this and the more frequent
        formulas: the concentration curve).  Sorted by papers, then mentions, then formula.
    """
    import pandas as pd

    frame = _table(records, [formula, paper])
    text = frame[formula].astype("string")
    keep = text.notna() & (text.str.strip() != "")
    frame, text = frame[keep], text[keep]
    if normalise:
        cache: dict[str, str] = {}
        names = [cache.setdefault(t, normalise_formula(t) or "".join(t.split())) for t in text]
    else:
        names = list(text)
    t = pd.DataFrame({"formula": names, "paper": frame[paper].to_numpy()})
    n_papers = max(t["paper"].nunique(), 1)
    g = t.groupby("formula").agg(mentions=("paper", "size"), papers=("paper", "nunique")).reset_index()
    g = g.sort_values(["papers", "mentions", "formula"], ascending=[False, False, True], kind="stable")
    g["paper_share"] = g["papers"] / n_papers
    g["cumulative_mentions"] = g["mentions"].cumsum() / max(int(g["mentions"].sum()), 1)
    return g.reset_index(drop=True)


@dataclass(frozen=True)
class SelectionStep:
    """One chosen paper: what it adds and where the coverage stands after it."""

    paper: Any
    new_pairs: int
    gain: float
    covered: int
    coverage: float


@dataclass
class PaperSelection:
    """The greedy reading list (:func:`select_papers`)."""

    steps: list[SelectionStep]
    n_pairs: int
    n_papers: int
    weighting: str
    uncovered: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def papers(self) -> list[Any]:
        return [s.paper for s in self.steps]

    def to_frame(self):
        """One row per chosen paper, in reading order."""
        import pandas as pd

        return pd.DataFrame([s.__dict__ for s in self.steps])

    def papers_for(self, coverage: float) -> int:
        """How many papers of the list reach ``coverage`` (fraction of pairs) — the "few papers" headline."""
        for i, s in enumerate(self.steps, 1):
            if s.coverage >= coverage - 1e-12:
                return i
        return len(self.steps)


def select_papers(
    records: Any,
    *,
    paper: str = "doi",
    keys: tuple[str, ...] = ("formula", "property"),
    weighting: str = "uniform",
    max_papers: int | None = None,
    target_coverage: float = 1.0,
    normalise: bool = True,
) -> PaperSelection:
    """Greedy maximum coverage of (material, property) pairs by papers.

    Parameters
    ----------
    records : DataFrame or iterable of dicts
    paper : str
        The paper column.
    keys : tuple of str
        The columns whose combination is one thing to cover (default material × property).  A ``formula`` key is
        normalised with :func:`normalise_formula` when ``normalise``.
    weighting : {"uniform", "rarity"}
        ``uniform``: every pair counts 1 (fewest papers for the most pairs).  ``rarity``: a pair reported in n
        papers counts 1/n, so papers that carry rarely reported pairs come first.
    max_papers, target_coverage : optional stopping rules (number of papers; fraction of pairs covered).

    Ties are broken by the paper's order of first appearance, so the result is deterministic.
    """
    if weighting not in ("uniform", "rarity"):
        raise ParameterError(f"weighting={weighting!r}: use 'uniform' or 'rarity'")
    if not 0 < target_coverage <= 1:
        raise ParameterError(f"target_coverage={target_coverage!r}: give a fraction in (0, 1]")
    if max_papers is not None and max_papers < 1:
        raise ParameterError(f"max_papers={max_papers!r}: give a positive number or None")
    frame = _table(records, [paper, *keys])
    frame = frame.dropna(subset=[paper, *keys])
    cols = []
    for k in keys:
        col = frame[k].astype(str)
        if normalise and k == "formula":
            cache: dict[str, str] = {}
            col = [cache.setdefault(t, normalise_formula(t) or "".join(t.split())) for t in col]
        cols.append(list(col))
    pairs_of: dict[Any, set[tuple]] = defaultdict(set)
    order: dict[Any, int] = {}
    for p, *key in zip(frame[paper].tolist(), *cols, strict=True):
        pairs_of[p].add(tuple(key))
        order.setdefault(p, len(order))
    n_papers_of: dict[tuple, int] = defaultdict(int)
    for s in pairs_of.values():
        for k in s:
            n_papers_of[k] += 1
    weight = (lambda k: 1.0) if weighting == "uniform" else (lambda k: 1.0 / n_papers_of[k])
    n_pairs = len(n_papers_of)
    # Lazy greedy: a paper's gain only shrinks as pairs get covered, so a stale heap top is re-scored and pushed
    # back; the first top whose score is current is the true best.
    heap = [(-sum(weight(k) for k in s), order[p], p) for p, s in pairs_of.items()]
    heapq.heapify(heap)
    covered: set[tuple] = set()
    steps: list[SelectionStep] = []
    while heap and (max_papers is None or len(steps) < max_papers):
        neg, rank, p = heapq.heappop(heap)
        fresh = [k for k in pairs_of[p] if k not in covered]
        gain = sum(weight(k) for k in fresh)
        if not fresh:
            continue
        if heap and gain < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-gain, rank, p))
            continue
        covered.update(fresh)
        steps.append(SelectionStep(p, len(fresh), round(gain, 12), len(covered), len(covered) / n_pairs))
        if len(covered) / n_pairs >= target_coverage - 1e-12:
            break
    uncovered = sorted(k for k in n_papers_of if k not in covered)
    return PaperSelection(steps, n_pairs, len(pairs_of), weighting, uncovered)
