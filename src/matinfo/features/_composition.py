"""Composition inputs for featurizers: any formula-like row → element amounts → a dense fraction matrix.

Composition featurizers are vectorised: a chunk of rows becomes one ``(n_rows, N_ELEMENTS)`` matrix of atomic
fractions (column ``Z - 1``), and every statistic is a matrix operation on it.  Reading the rows is the only
per-row work, so it is kept cheap: plain formulas (``Li7La3Zr2O12``, ``Ca(OH)2``, ``Li0.95Nb1.01O3``) go through
a small cached parser whose amounts equal pymatgen's ``Composition``; everything else (bracket sites, hydrates,
unicode, variable formulas with values) goes through :func:`matinfo.core.parse_formula`.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from matinfo.errors import FeaturizeError, FormulaError

__all__ = [
    "ELEMENTS",
    "N_ELEMENTS",
    "Z_OF",
    "composition_amounts",
    "fraction_matrix",
    "amount_matrix",
    "padded_amounts",
    "composition_items",
    "gc_paused",
    "prepared_composition",
]

# fmt: off
#: Element symbols by atomic number (index Z - 1), H … Og.
ELEMENTS: tuple[str, ...] = (
    "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P", "S", "Cl", "Ar", "K", "Ca",
    "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y",
    "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce",
    "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir",
    "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm",
    "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc",
    "Lv", "Ts", "Og",
)
# fmt: on
N_ELEMENTS = len(ELEMENTS)
#: Symbol → atomic number.
Z_OF: dict[str, int] = {s: i + 1 for i, s in enumerate(ELEMENTS)}

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


@contextlib.contextmanager
def gc_paused():
    """Pause CPython's cyclic garbage collector for a bulk featurization.

    Reading a formula creates a few small acyclic objects (tuples, floats, cache entries); over 10⁴–10⁶ rows the
    collector would otherwise sweep them, and every long-lived object of the process, again and again, which
    costs about as much as the parsing itself.  Nothing made here forms a reference cycle, so nothing is leaked;
    the collector is switched back on (if it was on) when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _symbol_pattern() -> str:
    """A regex for exactly the element symbols, as a trie on the first letter (fast to match)."""
    by_first: dict[str, list[str]] = {}
    for sym in ELEMENTS:
        by_first.setdefault(sym[0], []).append(sym[1:])
    parts = []
    for first, rests in sorted(by_first.items()):
        seconds = "".join(sorted(r for r in rests if r))
        parts.append(first if not seconds else f"{first}[{seconds}]" + ("?" if "" in rests else ""))
    return "(?:" + "|".join(parts) + ")"


# A formula that can be read in bulk: known element symbols (never followed by a lower-case letter), each with an
# optional amount >= 1e-7 (so that no amount falls below AMOUNT_TOL and dropping is never needed).
_BULK = re.compile(rf"(?:{_symbol_pattern()}(?![a-z])(?:\d*[1-9]\d*(?:\.\d+)?|0*\.(?!0{{7}})\d*[1-9]\d*)?)+")
_BULK_SPLIT = re.compile(r"([A-Z][a-z]?)")
_Z_OR_0 = {**Z_OF, "Q": 0}  # "Q" (no element symbol starts with it) separates the formulas of a chunk


def prepared_composition(x: Any) -> str | tuple[tuple[str, float], ...]:
    """One row for :func:`padded_amounts`: a plain formula string that is valid as it stands (read later, in bulk,
    by one regex scan over the whole chunk), otherwise the checked ``(symbol, amount)`` pairs.  Raises like
    :func:`composition_amounts` for bad input."""
    if type(x) is str and _BULK.fullmatch(x):
        return x
    return composition_items(x)


def _bulk_triplets(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row (index into ``texts``), Z and amount of every element of valid plain formulas, duplicates summed."""
    # "Ag0.5Ge1QFe2O3" splits into ["", "Ag", "0.5", "Ge", "1", "Q", "", "Fe", "2", "O", "3"]: symbols and
    # the text after each, which for a formula that passed _BULK is its amount or nothing.
    parts = _BULK_SPLIT.split("Q".join(texts))
    syms, nums = parts[1::2], parts[2::2]
    z = np.fromiter(map(_Z_OR_0.__getitem__, syms), dtype=np.intp, count=len(syms))
    amt = np.array([t or "1" for t in nums], dtype=float)
    row = np.cumsum(z == 0)
    keep = z > 0
    row, z, amt = row[keep], z[keep], amt[keep]
    key = row * 128 + z
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    if len(uniq) < len(key):  # an element written twice (CH3COOH): sum, keep the first position
        amt = np.bincount(inverse, weights=amt)
        order = np.argsort(first)
        row, z, amt = row[first[order]], z[first[order]], amt[order]
    return row, z, amt


def padded_amounts(
    rows: list[Mapping[str, float]] | list[tuple[tuple[str, float], ...] | str],
) -> tuple[np.ndarray, np.ndarray]:
    """The rows as ``(n, k)`` element indices (``Z - 1``) and amounts, k = most elements in a row.

    A row is a mapping of symbols to amounts, a tuple of ``(symbol, amount)`` pairs, or a plain formula string
    accepted by :func:`prepared_composition`.  Unused slots have index ``N_ELEMENTS`` (one past the last element,
    so a lookup table with an extra row can serve them) and amount 0.  Elements keep their order within a row.

    >>> idx, amt = padded_amounts([{"Fe": 2.0, "O": 3.0}, {"Cu": 1.0}, "CH3COOH"])
    >>> idx.tolist(), amt.tolist()
    ([[25, 7, 118], [28, 118, 118], [5, 0, 7]], [[2.0, 3.0, 0.0], [1.0, 0.0, 0.0], [2.0, 4.0, 2.0]])
    """
    n = len(rows)
    texts = [i for i, r in enumerate(rows) if type(r) is str]
    others = [i for i, r in enumerate(rows) if type(r) is not str] if len(texts) < n else []
    parts = []
    if texts:
        row, z, amt = _bulk_triplets([rows[i] for i in texts])
        parts.append((np.asarray(texts, dtype=np.intp)[row], z, amt))
    if others:
        pairs = [r if isinstance(r, tuple) else tuple(r.items()) for r in (rows[i] for i in others)]
        counts = np.fromiter(map(len, pairs), dtype=np.intp, count=len(pairs))
        total = int(counts.sum())
        syms, amts = zip(*itertools.chain.from_iterable(pairs), strict=True) if total else ((), ())
        z = np.fromiter(map(Z_OF.__getitem__, syms), dtype=np.intp, count=total)
        parts.append((np.repeat(np.asarray(others, dtype=np.intp), counts), z, np.asarray(amts, dtype=float)))
    if len(parts) == 2:
        row, z, amt = (np.concatenate(a) for a in zip(*parts, strict=True))
        order = np.argsort(row, kind="stable")
        row, z, amt = row[order], z[order], amt[order]
    elif parts:
        row, z, amt = parts[0]
    else:
        row = z = np.zeros(0, dtype=np.intp)
        amt = np.zeros(0)
    counts = np.bincount(row, minlength=n)
    k = int(counts.max()) if n else 0
    col = np.arange(len(row)) - np.repeat(np.cumsum(counts) - counts, counts)
    idx = np.full((n, k), N_ELEMENTS, dtype=np.intp)
    amounts = np.zeros((n, k))
    idx[row, col] = z - 1
    amounts[row, col] = amt
    return idx, amounts


def fraction_matrix(rows: list[Mapping[str, float]]) -> np.ndarray:
    """``(n, N_ELEMENTS)`` matrix of atomic fractions (each row sums to 1), column ``Z - 1``."""
    m = amount_matrix(rows)
    return m / m.sum(axis=1, keepdims=True)


# FormulaError is a LocatedError too; re-exported so featurizers can catch both with one name.
RowInputError = (FeaturizeError, FormulaError)
