"""Canonical keys of a composition: exact identity keys for the database, tolerant comparison separate.

pymatgen's ``Composition.__eq__`` is tolerance-based and its hash is coarse, so the database indexes these
strings instead.  Identity is by exact (rounded) counts: :func:`formula_hash`; tolerant comparison is the
named :func:`composition_distance` (the ASE habit).  Every function accepts a pymatgen
:class:`~pymatgen.core.Composition`, a resolved :class:`~matinfo.core.formula.ParsedFormula`, a mapping
``element -> amount`` or a formula string.

>>> from pymatgen.core import Composition
>>> c = Composition("Li2Nb2O6")
>>> reduced_formula(c), chemical_system(c), anonymous_formula(c), formula_hash(c)
('LiNbO3', 'Li-Nb-O', 'ABC3', 'Li:0.2;Nb:0.2;O:0.6')
>>> round(composition_distance("Li6.4La3Zr1.4Ta0.6O12", "Li7La3Zr2O12"), 4)
0.0417
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping

from pymatgen.core import Composition

from matinfo.core._affine import AMOUNT_TOL
from matinfo.core.formula import ParsedFormula, parse_formula
from matinfo.errors import FormulaError

# pymatgen orders formulas by electronegativity and warns for the noble gases, which have none; the order it
# then uses is still deterministic, so the warning is noise for every He/Ne/Ar compound we key.
warnings.filterwarnings("ignore", message="No Pauling electronegativity", category=UserWarning)

__all__ = [
    "SIGNIFICANT_DIGITS",
    "FRACTION_DECIMALS",
    "reduced_formula",
    "chemical_system",
    "anonymous_formula",
    "atomic_fractions",
    "composition_distance",
    "formula_hash",
]

#: Amounts are rounded to this many significant digits before a formula key is built (float noise).
SIGNIFICANT_DIGITS = 6
#: Atomic fractions in :func:`formula_hash` are rounded to this many decimals (1e-6).
FRACTION_DECIMALS = 6

#: What every key function accepts; strings are parsed with :func:`~matinfo.core.formula.parse_formula`.
CompositionLike = Composition | ParsedFormula | Mapping[str, float] | str

#: Rounded compositions whose pymatgen names are remembered: an import computes the names of each material
#: twice (material and substance rows of one batch) and literature data repeat the same formulas many times.
NAME_CACHE_SIZE = 16384


def _amounts(comp: CompositionLike) -> dict[str, float]:
    """Element symbol -> positive amount; raises :class:`FormulaError` for unresolved or empty input."""
    if isinstance(comp, str):
        comp = parse_formula(comp)
    if isinstance(comp, ParsedFormula):
        if comp.composition is None:
            raise FormulaError(
                f"formula has no single composition: {comp.reason}",
                value=comp.original,
                hint="parse it with values for its variables",
            )
        comp = comp.composition
    if isinstance(comp, Composition):
        amounts = comp.get_el_amt_dict()
    elif isinstance(comp, Mapping):
        amounts = {str(k): float(v) for k, v in comp.items()}
    else:
        raise TypeError(f"expected a Composition, ParsedFormula or mapping, not {type(comp).__name__}")
    if any(v < 0 for v in amounts.values()):
        raise FormulaError("composition has a negative amount", value=amounts, hint="amounts must be >= 0")
    amounts = {k: v for k, v in amounts.items() if v > AMOUNT_TOL}
    if not amounts:
        raise FormulaError("composition has no atoms", value=comp, hint="give at least one element")
    return amounts


def _rounded_items(comp: CompositionLike) -> tuple[tuple[str, float], ...]:
    return tuple((k, float(f"{v:.{SIGNIFICANT_DIGITS}g}")) for k, v in _amounts(comp).items())


@functools.lru_cache(maxsize=NAME_CACHE_SIZE)
def _names(items: tuple[tuple[str, float], ...]) -> tuple[str, str]:
    """(reduced formula, anonymous formula) of rounded amounts, as pymatgen names them.

    ``anonymized_formula`` divides integer amounts by their gcd itself, and amounts rounded to
    :data:`SIGNIFICANT_DIGITS` digits are near-integers only when they are integers, so it gives the same on
    the composition as on its ``reduced_composition`` (which pymatgen would build by reducing again).
    """
    comp = Composition(dict(items))
    return comp.reduced_formula, comp.anonymized_formula


def reduced_formula(comp: CompositionLike) -> str:
    """pymatgen's reduced formula after rounding amounts to :data:`SIGNIFICANT_DIGITS` significant digits.

    Integer amounts are divided by their greatest common divisor; non-integer amounts are kept as they are
    (pymatgen's rule), so ``Li0.3O0.3`` is not ``LiO``: use :func:`formula_hash` for scale-free identity.

    >>> reduced_formula(Composition("Li4O2")), reduced_formula(Composition({"Li": 0.1 + 0.2, "O": 0.3}))
    ('Li2O', 'Li0.3O0.3')
    """
    return _names(_rounded_items(comp))[0]


def chemical_system(comp: CompositionLike) -> str:
    """Elements in alphabetical order joined by ``-``.

    >>> chemical_system(Composition("NbLiO3"))
    'Li-Nb-O'
    """
    return "-".join(sorted(_amounts(comp)))


def anonymous_formula(comp: CompositionLike) -> str:
    """pymatgen's ``anonymized_formula`` of the rounded, reduced composition.

    >>> anonymous_formula(Composition("Fe2O3")), anonymous_formula(Composition("Al4O6"))
    ('A2B3', 'A2B3')
    """
    return _names(_rounded_items(comp))[1]


def atomic_fractions(comp: CompositionLike) -> dict[str, float]:
    """Element -> atomic fraction (sums to 1), in the composition's order.

    >>> atomic_fractions(Composition("LiNbO3"))
    {'Li': 0.2, 'Nb': 0.2, 'O': 0.6}
    """
    amounts = _amounts(comp)
    total = sum(amounts.values())
    return {k: v / total for k, v in amounts.items()}


def composition_distance(a: CompositionLike, b: CompositionLike) -> float:
    """Total-variation distance ½ Σ|x_a − x_b| of atomic fractions over the union of elements, in [0, 1].

    0 for the same fractions (``LiNbO3`` and ``Li2Nb2O6``), 1 for compositions with no element in common.

    >>> composition_distance(Composition("LiNbO3"), {"Li": 2, "Nb": 2, "O": 6})
    0.0
    >>> composition_distance(Composition("Li2O"), Composition("Li2O2"))  # doctest: +ELLIPSIS
    0.1666...
    """
    fa, fb = atomic_fractions(a), atomic_fractions(b)
    return 0.5 * sum(abs(fa.get(el, 0.0) - fb.get(el, 0.0)) for el in fa.keys() | fb.keys())


def formula_hash(comp: CompositionLike) -> str:
    """Exact identity key: ``El:fraction`` sorted by symbol, fractions rounded to 1e-6, joined by ``;``.

    Equal keys mean equal atomic fractions (to 1e-6), so ``LiNbO3`` and ``Li2Nb2O6`` share a key.

    >>> formula_hash(Composition("Li7La3Zr2O12"))
    'La:0.125;Li:0.291667;O:0.5;Zr:0.083333'
    """
    out = []
    for el, x in sorted(atomic_fractions(comp).items()):
        text = f"{round(x, FRACTION_DECIMALS):.{FRACTION_DECIMALS}f}".rstrip("0").rstrip(".")
        out.append(f"{el}:{text}")
    return ";".join(out)
