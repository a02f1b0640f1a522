"""Candidate spaces: what a screen scores, delivered in chunks so that memory does not grow with the space.

A :class:`CandidateSpace` yields pandas DataFrames of at most ``chunk_size`` rows.  Every chunk has

* the space's ``key`` column, which names a candidate in hit lists (``"formula"``, ``"pair"``);
* its ``composition_columns``, read by the feasibility filters (a pair column holds ``"A|B"`` strings);
* an index of *global positions* (0, 1, 2, … over the whole space), which break ties between equal scores so
  that a screen gives the same lists however its chunks were scheduled.

Generated spaces — :class:`PairSpace` (A|B pairs from a set of substances), :class:`GridSpace` (compositions on
a simplex) and, in :mod:`matinfo.screen.substitution`, element substitution on prototypes — are *random access*:
chunk ``i`` is computed from ``i`` alone (combinatorial unranking), so a Dask worker builds its own chunks and
nothing but a chunk number crosses the network.  Tables, CSV files and store searches
(:mod:`matinfo.screen.sources`) are read in order.

>>> space = GridSpace(["Bi", "Te"], step=0.25)
>>> len(space), space.chunk(0, 10)["formula"].tolist()
(5, ['Te1', 'Bi0.25Te0.75', 'Bi0.5Te0.5', 'Bi0.75Te0.25', 'Bi1'])
>>> PairSpace(["Si", "Ge", "Bi"], ordered=False).chunk(0, 10)["pair"].tolist()
['Si|Ge', 'Si|Bi', 'Ge|Bi']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from matinfo.errors import ParameterError

__all__ = ["CandidateSpace", "PairSpace", "GridSpace", "check_compositions", "MAX_SPACE_SIZE"]

#: Largest space a generated space accepts (positions are int64; beyond this the arithmetic is not exact).
MAX_SPACE_SIZE = 2**62


class CandidateSpace:
    """Base class of candidate spaces (see the module docstring).

    Subclasses set ``key``, ``composition_columns`` and ``columns`` and implement either :meth:`chunk` (random
    access, ``random_access = True``, with ``__len__``) or :meth:`chunks` (streamed in order).
    """

    #: Column naming a candidate (its identity in hit lists).
    key: str = "formula"
    #: Columns holding compositions (``"A|B"`` pair strings count as two compositions).
    composition_columns: tuple[str, ...] = ("formula",)
    #: Every column a chunk has.
    columns: tuple[str, ...] = ("formula",)
    #: True when :meth:`chunk` computes chunk ``i`` directly.
    random_access: bool = False

    @property
    def size(self) -> int | None:
        """Number of candidates, or ``None`` when unknown without reading the whole source."""
        try:
            return len(self)  # type: ignore[arg-type]
        except TypeError:
            return None

    def n_chunks(self, chunk_size: int) -> int:
        """Number of chunks of ``chunk_size`` rows (random-access spaces)."""
        return math.ceil(len(self) / _checked_chunk_size(chunk_size))  # type: ignore[arg-type]

    def chunk(self, i: int, chunk_size: int):
        """Chunk ``i`` (rows ``i * chunk_size`` … ``(i + 1) * chunk_size - 1``) of a random-access space."""
        raise TypeError(f"{type(self).__name__} is read in order; iterate over chunks(chunk_size)")

    def chunks(self, chunk_size: int) -> Iterator[Any]:
        """Every chunk in order (DataFrames indexed by global position)."""
        for i in range(self.n_chunks(chunk_size)):
            yield self.chunk(i, chunk_size)

    def describe(self) -> str:
        """One line saying what the space is (printed by ``matinfo screen run`` and stored in overlap.json)."""
        return type(self).__name__


def _checked_chunk_size(chunk_size: int) -> int:
    if not isinstance(chunk_size, int | np.integer) or chunk_size < 1:
        raise ParameterError(f"chunk_size={chunk_size!r}: use a positive number of rows")
    return int(chunk_size)


def _bounds(i: int, chunk_size: int, n: int) -> tuple[int, int]:
    chunk_size = _checked_chunk_size(chunk_size)
    start = int(i) * chunk_size
    if i < 0 or (start >= n and not (n == 0 and i == 0)):
        raise ParameterError(f"chunk {i} is past the end of a space of {n:,} candidates")
    return start, min(start + chunk_size, n)


def check_compositions(items: Iterable[Any], what: str) -> list[str]:
    """Formula strings, stripped and each checked to be readable; duplicates dropped (first kept).

    Raises :class:`~matinfo.errors.ParameterError` naming the first unreadable one.

    >>> check_compositions(["Si", " Bi2Te3", "Si"], "substances")
    ['Si', 'Bi2Te3']
    """
    from matinfo.errors import MatinfoError
    from matinfo.features._composition import composition_items

    out: dict[str, None] = {}
    for pos, raw in enumerate(items):
        text = str(raw).strip() if raw is not None else ""
        if not text:
            raise ParameterError(f"{what}: item {pos + 1} is empty; give one formula per item")
        try:
            composition_items(text)
        except (MatinfoError, ValueError) as exc:
            raise ParameterError(
                f"{what}: item {pos + 1} ({text!r}) is not a formula: {getattr(exc, 'problem', exc)}"
            ) from None
        out.setdefault(text, None)
    return list(out)


def _frame(columns: dict[str, Any], start: int, stop: int):
    import pandas as pd

    return pd.DataFrame(columns, index=pd.RangeIndex(start, stop))


# -- pairs ---------------------------------------------------------------------------------------------------------
def _triangular_unrank(k: np.ndarray, n: int, with_diagonal: bool) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of position ``k`` in the upper triangle (i < j, or i <= j) of an n x n matrix, row by row.

    >>> _triangular_unrank(np.arange(3), 3, False)
    (array([0, 0, 1]), array([1, 2, 2]))
    """
    d = 1 if with_diagonal else 0
    b = 2 * n - 1 + 2 * d  # offset(i) = i * (b - i) / 2 pairs come before row i

    def offset(i: np.ndarray) -> np.ndarray:
        return i * (b - i) // 2

    i = np.floor((b - np.sqrt(np.maximum(b * b - 8.0 * k, 0.0))) / 2).astype(np.int64)
    i = np.clip(i, 0, n - 1)
    for _ in range(3):  # the float estimate is off by at most one; fix it exactly in integers
        i = np.where(offset(i) > k, i - 1, i)
        i = np.where((i + 1 < n) & (offset(i + 1) <= k), i + 1, i)
    j = k - offset(i) + i + 1 - d
    return i, j


class PairSpace(CandidateSpace):
    """Every A|B pair of a set of substances (interfaces: film|substrate, electrode|electrolyte).

    Parameters
    ----------
    substances : sequence of str
        Formulas (elements and compounds); duplicates are dropped, the first kept.
    ordered : bool
        ``True`` (default): A|B and B|A are different candidates (a film on a substrate), n(n-1) pairs;
        ``False``: one of them (A before B in the given order), n(n-1)/2 pairs.
    self_pairs : bool
        Include A|A (n more pairs).

    Chunks have columns ``pair`` (``"A|B"``, the key), ``A`` and ``B``.  The order is row-major: all pairs
    with the first substance as A, then the second, ….

    >>> space = PairSpace(["Si", "Ge", "Bi"])
    >>> len(space), space.chunk(1, 4)["pair"].tolist()
    (6, ['Bi|Si', 'Bi|Ge'])
    """

    key = "pair"
    composition_columns = ("pair",)
    columns = ("pair", "A", "B")
    random_access = True

    def __init__(self, substances: Sequence[str], *, ordered: bool = True, self_pairs: bool = False) -> None:
        self.substances = check_compositions(substances, "substances")
        if len(self.substances) < (1 if self_pairs else 2):
            raise ParameterError(
                f"a pair space needs at least {'one substance' if self_pairs else 'two substances'}, "
                f"got {len(self.substances)}"
            )
        self.ordered = bool(ordered)
        self.self_pairs = bool(self_pairs)
        self._names = np.asarray(self.substances, dtype=object)

    def __len__(self) -> int:
        n = len(self.substances)
        if self.ordered:
            return n * n if self.self_pairs else n * (n - 1)
        return n * (n + 1) // 2 if self.self_pairs else n * (n - 1) // 2

    def indices(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Substance indices (A, B) of the pairs at positions ``start`` … ``stop - 1``."""
        k = np.arange(start, stop, dtype=np.int64)
        n = len(self.substances)
        if self.ordered and self.self_pairs:
            return k // n, k % n
        if self.ordered:
            i, r = k // (n - 1), k % (n - 1)
            return i, r + (r >= i)
        return _triangular_unrank(k, n, self.self_pairs)

    def chunk(self, i: int, chunk_size: int):
        start, stop = _bounds(i, chunk_size, len(self))
        a, b = self.indices(start, stop)
        first, second = self._names[a], self._names[b]
        return _frame({"pair": first + "|" + second, "A": first, "B": second}, start, stop)

    def describe(self) -> str:
        kind = "ordered" if self.ordered else "unordered"
        self_ = " incl. A|A" if self.self_pairs else ""
        return f"{len(self):,} {kind} A|B pairs{self_} of {len(self.substances)} substances"


# -- composition grids -----------------------------------------------------------------------------------------
def _binomial_table(n: int, parts: int) -> np.ndarray:
    """``T[k] = C(k + parts - 1, parts - 1)``: compositions of k into ``parts`` non-negative parts, k = 0 … n."""
    return np.array([math.comb(k + parts - 1, parts - 1) for k in range(n + 1)], dtype=np.int64)


def _unrank_compositions(r: np.ndarray, n: int, m: int) -> np.ndarray:
    """The compositions of ``n`` into ``m`` non-negative parts at ranks ``r``, in lexicographic order of the
    parts (first part ascending).

    Compositions whose first part is below v come first; there are C(n+m-1, m-1) - C(n-v+m-1, m-1) of them, so
    the first part is n - k for the smallest k with C(k+m-1, m-1) >= total - r (one ``searchsorted``), and so
    on for the remaining parts.

    >>> _unrank_compositions(np.arange(6), 2, 3).tolist()
    [[0, 0, 2], [0, 1, 1], [0, 2, 0], [1, 0, 1], [1, 1, 0], [2, 0, 0]]
    """
    out = np.zeros((len(r), m), dtype=np.int64)
    rest = np.full(len(r), n, dtype=np.int64)
    r = np.asarray(r, dtype=np.int64).copy()
    for p in range(m - 1):
        table = _binomial_table(n, m - p)
        total = table[rest]
        k = np.searchsorted(table, total - r, side="left")
        out[:, p] = rest - k
        r -= total - table[k]
        rest = k
    out[:, m - 1] = rest
    return out


def _amount_text(x: float) -> str:
    return f"{x:.10g}"


class GridSpace(CandidateSpace):
    """Compositions on a simplex: the atomic fractions of ``elements`` in steps of ``step`` (summing to 1).

    Parameters
    ----------
    elements : sequence of str or str
        Element symbols, or one string ``"Bi-Sb-Te"``.
    step : float
        Fraction step; ``1 / step`` must be a whole number (0.05, 0.01, 0.0025 …).  Or give ``divisions``.
    divisions : int
        Number of steps from 0 to 1 (``divisions=3`` gives thirds), instead of ``step``.
    all_present : bool
        Only compositions with every element present (no edges or corners of the simplex).

    Chunks have ``formula`` (``"Bi0.35Sb0.15Te0.5"``, the key; elements with fraction 0 left out) and one
    column ``x(El)`` per element with its fraction.  There are C(d + m - 1, m - 1) compositions of m elements with
    d divisions (C(d - 1, m - 1) with ``all_present``).

    >>> g = GridSpace("Bi-Sb-Te", step=0.05)
    >>> len(g), GridSpace("Bi-Sb-Te", step=0.05, all_present=True).chunk(0, 2)["formula"].tolist()
    (231, ['Bi0.05Sb0.05Te0.9', 'Bi0.05Sb0.1Te0.85'])
    """

    key = "formula"
    composition_columns = ("formula",)
    random_access = True

    def __init__(
        self,
        elements: Sequence[str] | str,
        step: float | None = None,
        *,
        divisions: int | None = None,
        all_present: bool = False,
    ) -> None:
        from matinfo.core.elements import Z_OF

        els = [e.strip() for e in (elements.split("-") if isinstance(elements, str) else elements)]
        bad = [e for e in els if e not in Z_OF]
        if bad or not els:
            raise ParameterError(
                f"grid elements {els!r}: {bad[0]!r} is not an element symbol"
                if bad
                else "a grid needs at least one element"
            )
        if len(set(els)) != len(els):
            raise ParameterError(f"grid elements {els!r}: an element is given twice")
        if (step is None) == (divisions is None):
            raise ParameterError("give either step (e.g. 0.05) or divisions (e.g. 20), not both or neither")
        if divisions is None:
            if not step or step <= 0 or step > 1:
                raise ParameterError(f"step={step!r}: use a fraction step between 0 and 1, e.g. 0.05")
            d = round(1.0 / step)
            if abs(d * step - 1.0) > 1e-6:
                raise ParameterError(
                    f"step={step!r} does not divide 1 into whole steps; use e.g. {1 / max(d, 1):.6g}, "
                    "or divisions=N"
                )
            divisions = d
        if int(divisions) < 1:
            raise ParameterError(f"divisions={divisions!r}: use a positive whole number")
        self.elements = tuple(els)
        self.divisions = int(divisions)
        self.all_present = bool(all_present)
        m, d = len(els), self.divisions
        if self.all_present and d < m:
            raise ParameterError(
                f"with all_present, {m} elements need at least {m} divisions (step <= {1 / m:.4g})"
            )
        self._free = d - m if self.all_present else d
        self._len = math.comb(self._free + m - 1, m - 1)
        if self._len > MAX_SPACE_SIZE:
            raise ParameterError(f"the grid has {self._len:.3g} compositions, more than {MAX_SPACE_SIZE:.3g}")
        tokens = []
        for el in els:
            tok = np.empty(d + 1, dtype=object)
            tok[0] = ""
            for k in range(1, d + 1):
                tok[k] = el + _amount_text(k / d)
            tokens.append(tok)
        self._tokens = tokens
        self.columns = ("formula", *(f"x({el})" for el in els))

    def __len__(self) -> int:
        return self._len

    def counts(self, start: int, stop: int) -> np.ndarray:
        """``(rows, elements)`` whole-step counts (summing to ``divisions``) at positions ``start`` … ``stop - 1``."""
        parts = _unrank_compositions(np.arange(start, stop, dtype=np.int64), self._free, len(self.elements))
        return parts + 1 if self.all_present else parts

    def chunk(self, i: int, chunk_size: int):
        start, stop = _bounds(i, chunk_size, len(self))
        counts = self.counts(start, stop)
        formula = self._tokens[0][counts[:, 0]]
        for j in range(1, len(self.elements)):
            formula = formula + self._tokens[j][counts[:, j]]
        cols: dict[str, Any] = {"formula": formula}
        for j, el in enumerate(self.elements):
            cols[f"x({el})"] = counts[:, j] / self.divisions
        return _frame(cols, start, stop)

    def describe(self) -> str:
        where = ", every element present" if self.all_present else ""
        return (
            f"{len(self):,} compositions of {'-'.join(self.elements)} in steps of "
            f"{_amount_text(1 / self.divisions)}{where}"
        )
