"""Composition inputs for featurizers: any formula-like row → element amounts → a dense fraction matrix.

Composition featurizers are vectorised: a chunk of rows becomes ``(n_rows, k)`` arrays of element indices
(``Z - 1``) and amounts (:class:`CompositionBatch`), and every statistic is an array operation on them.  Reading
the rows is vectorised too (:func:`read_compositions`): plain formulas (``Li7La3Zr2O12``, ``Ca(OH)2``,
``Li0.95Nb1.01O3``) are read all at once by array operations on their characters, pymatgen Compositions by one
pass over their elements; everything else goes row by row through a small cached parser whose amounts equal
pymatgen's ``Composition``, or (bracket sites, hydrates, unicode, variable formulas with values)
:func:`matinfo.core.parse_formula`.  Both ways give the same floats.
"""

from __future__ import annotations

import collections
import functools
import itertools
import re
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

from matinfo.core.elements import ELEMENTS, Z_OF
from matinfo.errors import FeaturizeError, FormulaError
from matinfo.features.base import Featurizer

__all__ = [
    "CompositionFeaturizer",
    "ELEMENTS",
    "N_ELEMENTS",
    "Z_OF",
    "composition_amounts",
    "fraction_matrix",
    "amount_matrix",
    "padded_amounts",
    "composition_items",
    "CompositionBatch",
    "read_compositions",
]

N_ELEMENTS = len(ELEMENTS)

_TOKEN = re.compile(r"([A-Z][a-z]*)(\d*\.?\d+|\d+\.?)?|(\()|(\))(\d*\.?\d+|\d+\.?)?|(\s+)")
_PLAIN = re.compile(r"[A-Za-z0-9.()\s]+")
# The commonest case, element symbols and plain numbers only ("Li7La3Zr2O12", "Li0.95Nb1.01O3"): one C-level
# scan with findall.  The number pattern is unambiguous, so when the tokens cover the whole text they are the
# tokens the general parser would find.
_FLAT_PAIR = re.compile(r"([A-Z][a-z]*)(\d+(?:\.\d+)?|\.\d+)?")
AMOUNT_TOL = 1e-8  # pymatgen's Composition.amount_tolerance


def _plain_amounts(text: str) -> tuple[tuple[str, float], ...] | None:
    """Amounts of a plain formula (elements, numbers, nested parentheses), or None if it is not plain."""
    if not _PLAIN.fullmatch(text):
        return None
    stack: list[dict[str, float]] = [{}]
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() != pos:
            return None
        pos = m.end()
        sym, num, opening, closing, mult, _space = m.groups()
        if sym is not None:
            if sym not in Z_OF:
                return None  # let the full parser explain it
            amt = float(num) if num else 1.0
            top = stack[-1]
            top[sym] = top.get(sym, 0.0) + amt
        elif opening:
            stack.append({})
        elif closing:
            if len(stack) == 1:
                return None
            group = stack.pop()
            factor = float(mult) if mult else 1.0
            top = stack[-1]
            for k, v in group.items():
                top[k] = top.get(k, 0.0) + v * factor
    if pos != len(text) or len(stack) != 1 or not stack[0]:
        return None
    return tuple(stack[0].items())


def _from_string(text: str) -> dict[str, float]:
    plain = _plain_amounts(text.strip())
    if plain is not None:
        return dict(plain)
    from matinfo.core import parse_formula

    parsed = parse_formula(text)
    if parsed.composition is None:
        raise FeaturizeError(
            f"formula has no single composition: {parsed.reason}",
            value=text,
            hint="substitute values for the variables first, e.g. with matinfo.core.parse_formula(text, variables=...)",
        )
    return parsed.composition.get_el_amt_dict()


def composition_items(x: Any) -> tuple[tuple[str, float], ...]:
    """:func:`composition_amounts` as a tuple of ``(symbol, amount)`` pairs; formula strings skip the copy."""
    if type(x) is str:
        return _string_amounts(x)
    return tuple(composition_amounts(x).items())


def composition_amounts(x: Any) -> dict[str, float]:
    """Element symbol → amount for one input row.

    Accepts a formula string, a pymatgen ``Composition`` (or anything with ``get_el_amt_dict``, such as
    ``Structure.composition``), a :class:`~matinfo.core.ParsedFormula` with a composition, or a mapping of
    symbols to amounts.  Oxidation-state decorations are dropped.  Raises
    :class:`~matinfo.errors.FeaturizeError` (or :class:`~matinfo.errors.FormulaError`) for unparseable
    formulas, unknown elements, negative amounts and empty compositions.
    """
    if isinstance(x, str):
        return dict(_string_amounts(x))
    if hasattr(x, "get_el_amt_dict"):
        amounts = x.get_el_amt_dict()
    elif hasattr(x, "composition") and hasattr(x, "reason"):  # ParsedFormula
        if x.composition is None:
            raise FeaturizeError(f"formula has no single composition: {x.reason}", value=x.original)
        amounts = x.composition.get_el_amt_dict()
    elif isinstance(x, Mapping):
        amounts = {str(k): float(v) for k, v in x.items()}
    elif x is None or (isinstance(x, float) and np.isnan(x)):
        raise FeaturizeError("missing composition", value=x, hint="fill in the formula or drop the row")
    else:
        raise FeaturizeError(
            f"cannot read a composition from a {type(x).__name__}",
            value=x,
            hint="pass formula strings, pymatgen Compositions or {element: amount} mappings",
        )
    return _checked(amounts, x)


@functools.lru_cache(maxsize=65536)
def _string_amounts(text: str) -> tuple[tuple[str, float], ...]:
    """Checked amounts of a formula string, cached (a bad formula raises and is not cached)."""
    # Fast path for element symbols and plain numbers: one C-level findall; the tokens must cover the whole text.
    flat: dict[str, float] = {}
    covered = 0
    for sym, num in _FLAT_PAIR.findall(text):
        if sym not in Z_OF:
            break  # let the full parser explain it
        covered += len(sym) + len(num)
        flat[sym] = flat.get(sym, 0.0) + (float(num) if num else 1.0)
    else:
        if covered == len(text) and flat and min(flat.values()) > AMOUNT_TOL:
            return tuple(flat.items())
    return tuple(_checked(_from_string(text), text).items())


def _checked(amounts: Mapping[str, float], x: Any) -> dict[str, float]:
    """Drop amounts below :data:`AMOUNT_TOL`; raise for unknown elements, negative or NaN amounts, no atoms."""
    out: dict[str, float] = {}
    for sym, amt in amounts.items():
        if sym not in Z_OF:
            raise FeaturizeError(
                f"unknown element {sym!r}", value=x, hint="check the spelling of the element symbol"
            )
        if amt < -AMOUNT_TOL or amt != amt:
            raise FeaturizeError(
                f"amount of {sym} is {amt}", value=x, hint="amounts must be non-negative numbers"
            )
        if amt > AMOUNT_TOL:
            out[sym] = out.get(sym, 0.0) + float(amt)
    if not out:
        raise FeaturizeError(
            "composition has no atoms", value=x, hint="give at least one element with an amount > 0"
        )
    return out


def amount_matrix(rows: list[Mapping[str, float]]) -> np.ndarray:
    """``(n, N_ELEMENTS)`` matrix of amounts, column ``Z - 1``."""
    m = np.zeros((len(rows), N_ELEMENTS))
    for i, amounts in enumerate(rows):
        for sym, amt in amounts.items():
            m[i, Z_OF[sym] - 1] = amt
    return m


class CompositionBatch:
    """A chunk of compositions read at once: ``(n, k)`` element indices (``Z - 1``, :data:`N_ELEMENTS` in unused
    slots) and amounts (0 in unused slots), what :func:`padded_amounts` returns.  Featurizers get it from
    :func:`read_compositions` in their ``_prepare_batch`` and pass it to :func:`padded_amounts` unchanged."""

    __slots__ = ("idx", "amounts")

    def __init__(self, idx: np.ndarray, amounts: np.ndarray) -> None:
        self.idx, self.amounts = idx, amounts

    def __len__(self) -> int:
        return len(self.idx)


# The bulk reader works on character codes: class 1 capital, 2 lower-case, 3 digit, 4 decimal point, 5 "(", 6 ")",
# 0 anything else (square brackets, spaces, "·", signs, ...: the row goes to the per-row parser).
_CLASS = np.zeros(128, dtype=np.int8)
_CLASS[ord("A") : ord("Z") + 1] = 1
_CLASS[ord("a") : ord("z") + 1] = 2
_CLASS[ord("0") : ord("9") + 1] = 3
_CLASS[[ord("."), ord("("), ord(")")]] = [4, 5, 6]
_DEPTH_STEP = np.array([0, 0, 0, 0, 0, 1, -1], dtype=np.intp)
#: Z of a symbol from its character codes, ``128 * first + (second or 0)``; 0 for no element.
_SYMBOL_Z = np.zeros(128 * 128, dtype=np.intp)
for _sym, _z in Z_OF.items():
    _SYMBOL_Z[128 * ord(_sym[0]) + (ord(_sym[1]) if len(_sym) > 1 else 0)] = _z
_Z_OR_0 = collections.defaultdict(int, Z_OF)
_POW10 = 10.0 ** np.arange(23)  # exact in float64
# An amount with at most this many digits has an integer mantissa below 2**53, so mantissa / 10**decimals is one
# correctly rounded division: the same float as float(text), as in the per-row parser and pymatgen.
_MAX_DIGITS = 15


def _read_plain(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read plain formulas with array operations over all the texts at once, no per-text Python work.

    A plain formula is element symbols, each with an optional decimal amount, and groups in parentheses (not
    nested) with an optional multiplier: ``Li7La3Zr2O12``, ``Li0.95Nb1.01O3``, ``Ba3Eu(PO4)3``.  Returns ``ok``
    (per text: read here) and, for the elements of the ok texts in order, row (index into ``texts``), Z, amount
    and slot (position within its row); the amounts are the floats :func:`composition_items` gives.  Any other
    text is not ok and left to the per-row parser: other characters (square brackets, spaces, hydrate dots, ...),
    nested or unbalanced parentheses, an unknown symbol, an amount not written ``12``, ``1.5`` or ``.5`` or with
    more than 15 digits, an amount <= :data:`AMOUNT_TOL` (which the per-row parser drops), or an element written
    twice (``CH3COOH``, which it sums).
    """
    n = len(texts)
    lens = np.fromiter(map(len, texts), dtype=np.intp, count=n)
    joined = "".join(texts)
    if not joined:
        empty = np.zeros(0, dtype=np.intp)
        return np.zeros(n, dtype=bool), empty, empty, np.zeros(0), empty
    if joined.isascii():
        c = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    else:  # any non-ASCII character is class 0 (code 127 is DEL)
        c = np.minimum(np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32), 127).astype(np.uint8)
    size = len(c)
    ends = np.cumsum(lens)
    starts = ends - lens
    row_of = np.repeat(np.arange(n), lens)
    cls = _CLASS[c]
    upper = cls == 1
    opening = cls == 5
    # Bad characters: class 0, a lower-case letter not right after a capital, anything but a capital after "(".
    wrong = cls == 0
    wrong[1:] |= ((cls[1:] == 2) & ~upper[:-1]) | (opening[:-1] & ~upper[1:])
    # Parentheses: depth 0 or 1 everywhere, 0 at the end of every text (depth counted from each text's start).
    depth = np.cumsum(_DEPTH_STEP[cls])
    first = np.minimum(starts, size - 1)
    depth -= np.repeat(depth[first] - _DEPTH_STEP[cls[first]], lens)
    wrong |= (depth < 0) | (depth > 1)
    bad = lens == 0
    bad[row_of[wrong]] = True
    bad[lens > 0] |= depth[ends[lens > 0] - 1] != 0
    # Every text starts with a capital or "(", so that no token crosses from one text into the next.
    bad[np.flatnonzero(~bad)[~(upper | opening)[starts[~bad]]]] = True
    # Tokens start at capitals and parentheses; element symbols are a capital and, within the same text, an
    # optional lower-case letter; symbols and ")" may have a number after them.
    head = np.flatnonzero(upper | opening | (cls == 6))
    m = len(head)
    tok_row = row_of[head]
    tok_end = ends[tok_row]
    is_sym = upper[head]
    nxt = np.minimum(head + 1, size - 1)
    two = is_sym & (head + 1 < tok_end) & (cls[nxt] == 2)
    z = np.where(is_sym, _SYMBOL_Z[c[head].astype(np.intp) * 128 + np.where(two, c[nxt], 0)], -1)
    bad[tok_row[z == 0]] = True
    num_start = head + 1 + two
    num_end = np.minimum(np.r_[head[1:], size], tok_end)
    nlen = num_end - num_start
    # Numbers: a mantissa from the digits and a power of ten from the point, in good texts only.
    p = np.flatnonzero((cls >= 3) & (cls <= 4) & ~bad[row_of])
    t = np.cumsum(upper | opening | (cls == 6))[p] - 1
    is_dot = cls[p] == 4
    dot_tok = t[is_dot]
    ndots = np.bincount(dot_tok, minlength=m)
    dot = num_end.copy()
    dot[dot_tok] = p[is_dot]
    decimals = np.where(ndots > 0, num_end - dot - 1, 0)
    tok_bad = (ndots > 1) | ((ndots == 1) & (decimals == 0)) | (nlen - ndots > _MAX_DIGITS)
    dp, dt = p[~is_dot], t[~is_dot]
    power = np.clip(dot[dt] - dp - (dp < dot[dt]) + decimals[dt], 0, 22)
    mantissa = np.bincount(dt, weights=(c[dp] - 48) * _POW10[power], minlength=m)
    amt = np.where(nlen > 0, mantissa / _POW10[np.clip(decimals, 0, 22)], 1.0)
    tok_bad |= ~(amt > AMOUNT_TOL)
    # An element inside a group: times the group's multiplier (the number after the next ")"), as
    # (amount) * multiplier, the same product as the per-row parser's.
    inside = is_sym & (depth[head] == 1)
    if inside.any():
        closing = np.flatnonzero(cls[head] == 6)
        after = np.minimum(np.searchsorted(closing, np.flatnonzero(inside)), max(len(closing) - 1, 0))
        amt[inside] = amt[inside] * amt[closing[after]] if len(closing) else np.nan
        tok_bad |= ~(amt > AMOUNT_TOL)
    bad[tok_row[tok_bad]] = True
    keep = is_sym & ~bad[tok_row]
    row, z, amt, slot = _without_repeats(n, tok_row[keep], z[keep], amt[keep], bad)
    return ~bad, row, z, amt, slot


def _without_repeats(
    n: int, row: np.ndarray, z: np.ndarray, amt: np.ndarray, bad: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Slot of each element within its row (rows in order); rows with an element twice are marked ``bad`` (in
    place) and dropped, for the per-row parser, which sums them."""
    counts = np.bincount(row, minlength=n)
    slot = np.arange(len(row)) - np.repeat(np.cumsum(counts) - counts, counts)
    k = int(counts.max()) if len(row) else 0
    if k > 1:
        grid = np.zeros((n, k), dtype=np.intp)
        grid[row, slot] = z
        dup = np.zeros(n, dtype=bool)
        for j in range(1, k):
            dup |= ((grid[:, :j] == grid[:, j, None]) & (grid[:, j, None] > 0)).any(axis=1)
        if dup.any():
            bad |= dup
            keep = ~dup[row]
            row, z, amt, slot = row[keep], z[keep], amt[keep], slot[keep]
    return row, z, amt, slot


def _read_compositions(comps: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_read_plain` for pymatgen ``Composition`` objects: their elements' symbols and amounts, as
    ``get_el_amt_dict`` gives them.  Not ok (left to the per-row reader): an unknown symbol, an amount <=
    :data:`AMOUNT_TOL` or NaN, and a symbol twice (``Fe2+`` and ``Fe3+``: ``get_el_amt_dict`` sums them)."""
    n = len(comps)
    items = [c.items() for c in comps]
    counts = np.fromiter(map(len, items), dtype=np.intp, count=n)
    flat = [(el.symbol, amt) for it in items for el, amt in it]
    syms, amts = zip(*flat, strict=True) if flat else ((), ())
    row = np.repeat(np.arange(n), counts)
    z = np.fromiter(map(_Z_OR_0.__getitem__, syms), dtype=np.intp, count=len(syms))
    amt = np.asarray(amts, dtype=float)
    bad = counts == 0
    bad[row[(z == 0) | ~(amt > AMOUNT_TOL)]] = True
    keep = ~bad[row]
    row, z, amt, slot = _without_repeats(n, row[keep], z[keep], amt[keep], bad)
    return ~bad, row, z, amt, slot


def read_compositions(
    rows: list[Any], *, stop_on_error: bool = False
) -> tuple[CompositionBatch, list[tuple[int, BaseException]]]:
    """Read a chunk of raw composition rows at once (the ``_prepare_batch`` of composition featurizers).

    Plain formula strings, and pymatgen Compositions, are read together by array operations
    (:func:`_read_plain`, :func:`_read_compositions`); every other row (other formulas, mappings, ...) goes
    through :func:`composition_items`, with the same amounts.  Returns
    the batch of the rows that could be read, in order, and ``(position, exception)`` for each that could not
    (the exception :func:`composition_amounts` raises for it), in order of position; with ``stop_on_error`` only
    the first.

    >>> batch, failed = read_compositions(["Fe2O3", "Xx", "Ca(OH)2"])
    >>> batch.idx.tolist(), batch.amounts.tolist(), [(i, type(e).__name__) for i, e in failed]
    ([[25, 7, 118], [19, 7, 0]], [[2.0, 3.0, 0.0], [1.0, 2.0, 2.0]], [(1, 'FormulaError')])
    """
    from matinfo.features.base import _ROW_ERRORS

    n = len(rows)
    comp_type = getattr(sys.modules.get("pymatgen.core.composition"), "Composition", None)
    texts = [i for i, r in enumerate(rows) if type(r) is str]
    comps = (
        [i for i, r in enumerate(rows) if isinstance(r, comp_type)] if comp_type and len(texts) < n else []
    )
    parts = []
    left = np.ones(n, dtype=bool)  # rows for the per-row reader
    for positions, reader in ((texts, _read_plain), (comps, _read_compositions)):
        if positions:
            at = np.asarray(positions, dtype=np.intp)
            ok, row, z, amt, slot = reader(rows if len(positions) == n else [rows[i] for i in positions])
            parts.append((at[row], z, amt, slot))
            left[at[ok]] = False
    slow = np.flatnonzero(left).tolist()
    failures: list[tuple[int, BaseException]] = []
    pairs: list[tuple[tuple[str, float], ...]] = []
    done: list[int] = []
    for i in slow:
        try:
            pairs.append(composition_items(rows[i]))
        except _ROW_ERRORS as exc:
            failures.append((i, exc))
            if stop_on_error:
                break
            continue
        done.append(i)
    parts.append(_pairs_part(done, pairs))
    if failures:
        kept = np.ones(n, dtype=bool)
        kept[[i for i, _ in failures]] = False
        new_row = np.cumsum(kept) - 1
        parts = [(new_row[r], zz, a, s) for r, zz, a, s in parts]
        n = int(kept.sum())
    return _padded(n, parts), failures


def _pairs_part(
    rows: list[int], pairs: list[tuple[tuple[str, float], ...]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(row, Z, amount, slot) arrays of checked ``(symbol, amount)`` pairs, ``pairs[j]`` in row ``rows[j]``."""
    counts = np.fromiter(map(len, pairs), dtype=np.intp, count=len(pairs))
    total = int(counts.sum())
    syms, amts = zip(*itertools.chain.from_iterable(pairs), strict=True) if total else ((), ())
    return (
        np.repeat(np.asarray(rows, dtype=np.intp), counts),
        np.fromiter(map(Z_OF.__getitem__, syms), dtype=np.intp, count=total),
        np.asarray(amts, dtype=float),
        np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts),
    )


def _padded(n: int, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]) -> CompositionBatch:
    """Scatter (row, Z, amount, slot) parts into an ``(n, k)`` batch."""
    k = max((int(s.max()) + 1 for _, _, _, s in parts if len(s)), default=0)
    idx = np.full((n, k), N_ELEMENTS, dtype=np.intp)
    amounts = np.zeros((n, k))
    for row, z, amt, slot in parts:
        idx[row, slot] = z - 1
        amounts[row, slot] = amt
    return CompositionBatch(idx, amounts)


def padded_amounts(
    rows: CompositionBatch | list[Mapping[str, float]] | list[tuple[tuple[str, float], ...] | str],
) -> tuple[np.ndarray, np.ndarray]:
    """The rows as ``(n, k)`` element indices (``Z - 1``) and amounts, k = most elements in a row.

    ``rows``: a :class:`CompositionBatch` (returned as it is), or a list of prepared rows, each a mapping of
    symbols to amounts, a tuple of ``(symbol, amount)`` pairs, or a formula string (read by
    :func:`composition_items`; a bad one raises).  Unused slots have index ``N_ELEMENTS`` (one past the last
    element, so a lookup table with an extra row can serve them) and amount 0.  Elements keep their order within
    a row.

    >>> idx, amt = padded_amounts([{"Fe": 2.0, "O": 3.0}, {"Cu": 1.0}, "CH3COOH"])
    >>> idx.tolist(), amt.tolist()
    ([[25, 7, 118], [28, 118, 118], [5, 0, 7]], [[2.0, 3.0, 0.0], [1.0, 0.0, 0.0], [2.0, 4.0, 2.0]])
    """
    if isinstance(rows, CompositionBatch):
        return rows.idx, rows.amounts
    pairs = [
        composition_items(r) if type(r) is str else r if isinstance(r, tuple) else tuple(r.items())
        for r in rows
    ]
    batch = _padded(len(rows), [_pairs_part(list(range(len(rows))), pairs)])
    return batch.idx, batch.amounts


def fraction_matrix(rows: list[Mapping[str, float]]) -> np.ndarray:
    """``(n, N_ELEMENTS)`` matrix of atomic fractions (each row sums to 1), column ``Z - 1``."""
    m = amount_matrix(rows)
    return m / m.sum(axis=1, keepdims=True)


# FormulaError is a LocatedError too; re-exported so featurizers can catch both with one name.
RowInputError = (FeaturizeError, FormulaError)


class CompositionFeaturizer(Featurizer):
    """Base of the featurizers that read one composition per row (formula, Composition, mapping).

    Rows are read in bulk by :func:`read_compositions` (one numpy pass over plain formulas, the full parser for
    the rest); subclasses implement ``_describe`` and a vectorised ``_compute_batch`` over the result.
    """

    def _prepare(self, x: Any) -> tuple[tuple[str, float], ...]:
        return composition_items(x)

    def _prepare_batch(self, rows: list[Any]) -> tuple[CompositionBatch, list[tuple[int, BaseException]]]:
        return read_compositions(rows, stop_on_error=self.on_error == "raise")
