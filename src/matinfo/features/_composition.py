"""Composition inputs for featurizers: any formula-like row → element amounts → a dense fraction matrix.

Composition featurizers are vectorised: a chunk of rows becomes one ``(n_rows, N_ELEMENTS)`` matrix of atomic
fractions (column ``Z - 1``), and every statistic is a matrix operation on it.  Reading the rows is the only
per-row work, so it is kept cheap: plain formulas (``Li7La3Zr2O12``, ``Ca(OH)2``, ``Li0.95Nb1.01O3``) go through
a small cached parser whose amounts equal pymatgen's ``Composition``; everything else (bracket sites, hydrates,
unicode, variable formulas with values) goes through :func:`matinfo.core.parse_formula`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from matinfo.errors import FeaturizeError, FormulaError

__all__ = ["ELEMENTS", "N_ELEMENTS", "Z_OF", "composition_amounts", "fraction_matrix", "amount_matrix"]

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
AMOUNT_TOL = 1e-8  # pymatgen's Composition.amount_tolerance


@functools.lru_cache(maxsize=65536)
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


def composition_amounts(x: Any) -> dict[str, float]:
    """Element symbol → amount for one input row.

    Accepts a formula string, a pymatgen ``Composition`` (or anything with ``get_el_amt_dict``, such as
    ``Structure.composition``), a :class:`~matinfo.core.ParsedFormula` with a composition, or a mapping of
    symbols to amounts.  Oxidation-state decorations are dropped.  Raises
    :class:`~matinfo.errors.FeaturizeError` (or :class:`~matinfo.errors.FormulaError`) for unparseable
    formulas, unknown elements, negative amounts and empty compositions.
    """
    if isinstance(x, str):
        amounts = _from_string(x)
    elif hasattr(x, "get_el_amt_dict"):
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


def fraction_matrix(rows: list[Mapping[str, float]]) -> np.ndarray:
    """``(n, N_ELEMENTS)`` matrix of atomic fractions (each row sums to 1), column ``Z - 1``."""
    m = amount_matrix(rows)
    return m / m.sum(axis=1, keepdims=True)


# FormulaError is a LocatedError too; re-exported so featurizers can catch both with one name.
RowInputError = (FeaturizeError, FormulaError)
