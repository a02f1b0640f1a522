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

import dataclasses
import functools
import math
import re
import string
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from pymatgen.core import Composition
from pymatgen.util.string import formula_double_format

from matinfo.core._affine import AMOUNT_TOL
from matinfo.core.formula import Amount, ParsedFormula, parse_formula
from matinfo.errors import FormulaError

# pymatgen orders formulas by electronegativity and warns for the noble gases, which have none; the order it
# then uses is still deterministic, so the warning is noise for every He/Ne/Ar compound we key.
warnings.filterwarnings("ignore", message="No Pauling electronegativity", category=UserWarning)

__all__ = [
    "CompositionKeys",
    "composition_keys",
    "parse_plain_formula",
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
    Plain element amounts take :func:`_fast_names`, pymatgen's rules without building a ``Composition``
    (~45 → ~6 µs a composition); anything else (tiny amounts, unknown symbols) asks pymatgen.
    """
    fast = _fast_names(items)
    if fast is not None:
        return fast
    comp = Composition(dict(items))
    return comp.reduced_formula, comp.anonymized_formula


@functools.cache
def _electronegativities() -> dict[str, float]:
    """Pauling electronegativity of every element symbol (NaN where pymatgen has none, e.g. He)."""
    from pymatgen.core import Element

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {el.symbol: float(el.X) for el in Element}


def _fast_names(items: tuple[tuple[str, float], ...]) -> tuple[str, str] | None:
    """pymatgen's ``reduced_formula`` and ``anonymized_formula`` of ``items`` computed directly, or ``None``
    when the input is outside what this mirrors (then pymatgen itself is asked).

    Mirrors ``Composition.get_reduced_formula_and_factor``, ``reduce_formula`` (electronegativity order,
    symbol as tie-break, the polyanion rule, ``special_formulas``) and ``anonymized_formula`` of pymatgen
    2024–2026; ``tests/core/test_keys.py`` compares both on thousands of compositions.
    """
    xs = _electronegativities()
    amounts = dict(items)
    if len(amounts) != len(items):
        return None
    for el, amt in items:
        if el not in xs or not amt >= 1e-6:  # unknown symbol, or near pymatgen's 1e-8 cut: ask pymatgen
            return None
    order = sorted(amounts, key=lambda s: (_INF if xs[s] != xs[s] else xs[s], s))
    values = amounts.values()
    if all(abs(v - round(v)) < _PMG_TOL for v in values):  # reduce_formula on integers
        ints = {el: round(v) for el, v in items}
        factor = math.gcd(*ints.values())
        tail = ""
        if len(order) >= 3 and xs[order[-1]] - xs[order[-2]] < 1.65:  # polyanion: (SO4)3
            s1, s2 = order[-2], order[-1]
            n1, n2 = ints[s1] // factor, ints[s2] // factor
            g = math.gcd(n1, n2)
            if g != 1:
                tail = f"({s1}{_count(n1 // g)}{s2}{_count(n2 // g)}){g}"
                order = order[:-2]
        reduced = "".join([s + _count(ints[s] // factor) for s in order]) + tail
        reduced = Composition.special_formulas.get(reduced, reduced)
    else:
        reduced = "".join([f"{s}{formula_double_format(amounts[s], ignore_ones=False)}" for s in order])
    if all(v == int(v) for v in values):
        g = math.gcd(*(int(v) for v in values))
        anon = "".join(
            [
                f"{c}{_count(int(v) // g)}"
                for c, v in zip(string.ascii_uppercase, sorted(values), strict=False)
            ]
        )
    else:
        anon = ""
        for letter, amt in zip(string.ascii_uppercase, sorted(values), strict=False):
            if amt == 1:
                text = ""
            elif abs(amt % 1) < _PMG_TOL:
                text = str(int(amt))
            else:
                text = str(amt)
            anon += f"{letter}{text}"
    return reduced, anon


#: pymatgen's ``Composition.amount_tolerance``.
_PMG_TOL = 1e-8
_INF = math.inf


def _count(n: int) -> str:
    return "" if n == 1 else str(n)


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


@dataclass(frozen=True)
class CompositionKeys:
    """Every key of one composition, computed together (what an import stores for each material)."""

    #: Element -> amount as given (the composition's order).
    amounts: dict[str, float]
    #: Element -> atomic fraction (:func:`atomic_fractions`).
    fractions: dict[str, float]
    reduced_formula: str
    anonymous_formula: str
    chemical_system: str
    formula_hash: str


def composition_keys(comp: CompositionLike) -> CompositionKeys:
    """:func:`reduced_formula`, :func:`anonymous_formula`, :func:`chemical_system`, :func:`formula_hash` and
    :func:`atomic_fractions` at once, reading the composition once.

    >>> k = composition_keys(Composition("Li2Nb2O6"))
    >>> k.reduced_formula, k.anonymous_formula, k.chemical_system, k.formula_hash
    ('LiNbO3', 'ABC3', 'Li-Nb-O', 'Li:0.2;Nb:0.2;O:0.6')
    """
    return _keys_of_amounts(_amounts(comp))


def _keys_of_amounts(amounts: dict[str, float]) -> CompositionKeys:
    """:func:`composition_keys` of what :func:`_amounts` returned (``amounts`` becomes the keys' own)."""
    reduced, anon = _names(tuple([(k, float(f"{v:.{SIGNIFICANT_DIGITS}g}")) for k, v in amounts.items()]))
    total = sum(amounts.values())
    fractions = {k: v / total for k, v in amounts.items()}
    return CompositionKeys(
        amounts,
        fractions,
        reduced,
        anon,
        "-".join(sorted(amounts)),
        _hash_of_fractions(fractions),
    )


def _hash_of_fractions(fractions: Mapping[str, float]) -> str:
    out = []
    for el, x in sorted(fractions.items()):
        text = f"{round(x, FRACTION_DECIMALS):.{FRACTION_DECIMALS}f}".rstrip("0").rstrip(".")
        out.append(f"{el}:{text}")
    return ";".join(out)


_PLAIN = re.compile(r"(?:[A-Z][a-z]?(?:\d+(?:\.\d+)?)?)+")
_PLAIN_ITEM = re.compile(r"([A-Z][a-z]?)(\d+(?:\.\d+)?)?")
_HYDRATE_DOT = re.compile(r"\.\d+(?:\.\d+)?\s*H2O(?![a-z])")


def parse_plain_formula(text: str) -> ParsedFormula | None:
    """:func:`~matinfo.core.formula.parse_formula` for plain formulas (element symbols and decimal amounts
    only: ``Fe2O3``, ``Li6.4La3Zr1.4Ta0.6O12``), ~5x faster; ``None`` for anything else (brackets, hydrates,
    variables, spaces, unusual characters), which the full parser must read.

    The result equals the full parser's (``tests/store/test_fast_paths.py`` compares them on the OQMD
    formulas); bulk imports of computed data sets are almost all plain.

    >>> parse_plain_formula("Fe2O3").composition.formula, parse_plain_formula("Li1+xO") is None
    ('Fe2 O3', True)
    """
    if not isinstance(text, str) or _PLAIN.fullmatch(text) is None:
        return None
    if "." in text and _HYDRATE_DOT.search(text):  # CuSO4.5H2O is a hydrate, not O4.5
        return None
    symbols = _electronegativities()
    amounts: dict[str, float] = {}
    for m in _PLAIN_ITEM.finditer(text):
        el, num = m.group(1), m.group(2)
        if el not in symbols:  # "Nby": the full parser reads Nb + variable y, or reports the symbol
            return None
        x = float(num) if num else 1.0
        amounts[el] = amounts[el] + x if el in amounts else x
    lazy = True
    for x in amounts.values():
        if not (math.isfinite(x) and x > AMOUNT_TOL):  # zero amounts and overflow: the full parser decides
            return None
        if x < Composition.amount_tolerance:  # pymatgen drops it: plain_amounts would not be its amounts
            lazy = False
    if lazy:
        return _PlainFormula._make(text, amounts)
    return ParsedFormula(
        original=text,
        amounts=MappingProxyType({el: Amount(x) for el, x in amounts.items()}),
        variables=(),
        values=MappingProxyType({}),
        composition=Composition(amounts),
        sites=(),
        notation=frozenset(),
    )


class _LazyComposition:
    """The ``composition`` of a :class:`_PlainFormula`: pymatgen's ``Composition``, built on first access
    (an import reads the amounts instead and never needs it)."""

    def __get__(self, obj, cls=None):
        if obj is None:
            return None
        comp = Composition(obj._plain_amounts)
        obj.__dict__["composition"] = (
            comp  # an instance attribute from now on (this is a non-data descriptor)
        )
        return comp


class _PlainFormula(ParsedFormula):
    """What :func:`parse_plain_formula` returns: a :class:`ParsedFormula` (equal to the parser's, same fields)
    whose composition is built when first read.  ``_plain_amounts`` holds element -> amount as ``float``,
    every amount at least pymatgen's tolerance, so it equals ``composition.get_el_amt_dict()``."""

    composition = _LazyComposition()

    @classmethod
    def _make(cls, text: str, amounts: dict[str, float]) -> _PlainFormula:
        obj = object.__new__(cls)
        obj.__dict__.update(
            original=text,
            amounts=MappingProxyType({el: Amount(x) for el, x in amounts.items()}),
            variables=(),
            values=MappingProxyType({}),
            reason=None,
            sites=(),
            notation=frozenset(),
            _plain_amounts=amounts,
        )
        return obj

    @property
    def is_resolved(self) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParsedFormula):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in dataclasses.fields(ParsedFormula))

    __hash__ = ParsedFormula.__hash__


def plain_composition_keys(amounts: dict[str, float]) -> CompositionKeys:
    """``composition_keys(amounts)`` of :func:`plain_amounts` (str symbols, float amounts above pymatgen's
    tolerance: what ``_amounts`` would return for them is a copy), without checking them again."""
    return _keys_of_amounts(dict(amounts))


def plain_amounts(parsed: ParsedFormula) -> dict[str, float] | None:
    """Element -> amount of a formula read by :func:`parse_plain_formula` (its composition's
    ``get_el_amt_dict()``, without building the composition), else None."""
    return parsed.__dict__.get("_plain_amounts") if type(parsed) is _PlainFormula else None
