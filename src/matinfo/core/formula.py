"""Parse chemical formulas as papers print them, including variable (doped, solid-solution) formulas.

:func:`parse_formula` reads ``LiNbO3``, ``Li6.4La3Zr1.4Ta0.6O12``, site brackets ``[Li0.95Nb0.01]NbO3``,
hydrates ``CuSO4·5H2O`` / ``CuSO4.5H2O`` / ``CaSO4·xH2O``, nested groups ``Ca3(PO4)2`` and ``{}``,
pymatgen style ``Pb0.975 Ga0.025 Te1``, subscript digits ``Li₂O`` and amounts affine in single-letter
variables: ``Li1+xAlxTi2-x(PO4)3``, ``LiyNb1-yTizO2.5-2y+2z``, ``La1-xSrxMnO3-δ`` (``δ`` is named ``delta``),
``La(1-x)Sr(x)MnO3``, ``Ti1-x/2``.  Concrete amounts end in a pymatgen :class:`~pymatgen.core.Composition`.

Reading rules (where print is ambiguous):

* Element symbols are case-sensitive and greedy: ``Co`` is cobalt, ``CO`` carbon + oxygen, ``Nby`` is Nb + y.
  A lowercase letter that does not complete a symbol is a variable (``Nd`` is neodymium, never N + d).
* ``.`` is a decimal point when a digit follows, except before a water count (``CuSO4.5H2O``,
  ``CaSO4.0.5H2O``); before anything else (``LiOH.H2O``, ``CuSO4 . 5H2O``) it separates a hydrate part.
* A part may start with a multiplier: ``5H2O``, ``xH2O``, ``(1-x)H2O``.  Whitespace separates items only.
* Charges, isotopes (D, T) and products of variables are refused with :class:`~matinfo.errors.FormulaError`.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType

import numpy as np
from pymatgen.core import Composition, Element

from matinfo.core import _affine
from matinfo.core._affine import _NUMBER, AMOUNT_TOL, Amount, AmountReader
from matinfo.errors import FormulaError

__all__ = ["parse_formula", "ParsedFormula", "Amount"]

_SYMBOLS = frozenset(e.symbol for e in Element)
_CHAR_MAP = str.maketrans(
    "₀₁₂₃₄₅₆₇₈₉−–—‐‑‒•∙⋅*ẟ",  # each replacement is one character, so positions stay those of the input
    "0123456789------····δ",
)
_WATER_COUNT = re.compile(r"\d+(?:\.\d+)?\s*H2O(?![a-z])")
_CLOSE = {"(": ")", "[": "]", "{": "}"}
_BRACKETS_EG = "'Ca3(PO4)2', '[Li0.95Nb0.01]NbO3'"
_TAGS = {"[": "bracket-site", "(": "parentheses", "{": "parentheses"}


def _normalise(text: str) -> str:
    """Map look-alike characters one-to-one and mark hydrate dots as ``·`` (decimal dots stay ``.``)."""
    t = text.translate(_CHAR_MAP)
    s = list(t)
    skip_until = -1
    for i, ch in enumerate(t):
        if ch != "." or i < skip_until:
            continue
        nxt = t[i + 1] if i + 1 < len(t) else ""
        if nxt.isdigit():
            m = _WATER_COUNT.match(t, i + 1)
            if m:  # CuSO4.5H2O: the dot before a water count separates, dots inside the count are decimal
                s[i], skip_until = "·", m.end()
        elif nxt:
            s[i] = "·"
    return "".join(s)


class _Parser(AmountReader):
    """Recursive descent over the normalised text; positions are indices into the original text."""

    symbols = _SYMBOLS

    def __init__(self, text: str) -> None:
        super().__init__(text, _normalise(text))
        self.notation: set[str] = set()

    # --- formula -------------------------------------------------------------------------------------
    def parse(self) -> tuple[dict[str, Amount], list[dict[str, Amount]]]:
        total: dict[str, Amount] = {}
        sites: list[dict[str, Amount]] = []
        self.skip_ws()
        if not self.peek():
            raise self.error("empty formula", hint="give a formula such as 'LiNbO3'")
        while True:
            self.skip_ws()
            start = self.i
            if not self.peek() or self.peek() == "·":
                raise self.error("empty hydrate part", start, hint="write parts on both sides: 'CuSO4·5H2O'")
            mult = self.amount() if self.starts_amount(self.i) else None
            self.skip_ws()
            amounts, part_sites = self.sequence(None)
            if not amounts:
                what = f"multiplier '{self.s[start : self.i].strip()}'" if mult is not None else "part"
                raise self.error(f"{what} is not followed by a formula", start, hint="e.g. '5H2O'")
            if mult is not None:
                amounts, part_sites = self.scale(amounts, part_sites, mult, start)
            _merge(total, amounts)
            sites += part_sites
            if not self.peek():
                return total, sites
            self.i += 1  # the sequence stopped on "·"
            self.notation.add("hydrate")

    def sequence(self, closer: str | None) -> tuple[dict[str, Amount], list[dict[str, Amount]]]:
        amounts: dict[str, Amount] = {}
        sites: list[dict[str, Amount]] = []
        while True:
            self.skip_ws()
            ch, pos = self.peek(), self.i
            if not ch or ch == "·" or ch in ")]}":
                if closer and ch != closer:
                    found = f"'{ch}'" if ch else "the end"
                    raise self.error(
                        f"'{closer}' expected but {found} found",
                        pos,
                        hint=f"close every bracket: {_BRACKETS_EG}",
                    )
                if ch and ch in ")]}" and not closer:
                    raise self.error(f"unbalanced '{ch}'", pos, hint=f"remove it or open it: {_BRACKETS_EG}")
                return amounts, sites
            if ch.isupper():
                sym = self.element()
                _merge(amounts, {sym: self.amount() if self.starts_amount(self.i) else Amount(1.0)})
            elif ch in _CLOSE:
                self.i += 1
                inner, inner_sites = self.sequence(_CLOSE[ch])
                self.i += 1
                if not inner:
                    raise self.error(f"empty group '{ch}{_CLOSE[ch]}'", pos, hint="remove it or fill it")
                if self.starts_amount(at := self.i):
                    inner, inner_sites = self.scale(inner, inner_sites, self.amount(), at)
                if ch == "[":
                    inner_sites = [inner, *inner_sites]
                self.notation.add(_TAGS[ch])
                _merge(amounts, inner)
                sites += inner_sites
            else:
                raise self.stray(ch, pos)

    def stray(self, ch: str, pos: int) -> FormulaError:
        if ch == "." and not self.s[pos + 1 : pos + 2].isdigit():
            return self.error(
                "stray '.'", pos, hint="remove it; write hydrates as 'CuSO4·5H2O' or 'CuSO4.5H2O'"
            )
        if ch.isdigit() or ch == ".":
            m = _NUMBER.match(self.s, pos)
            num = m.group() if m else ch
            return self.error(
                f"number '{num}' does not follow an element or group",
                pos,
                hint="write amounts right after the symbol, without spaces: 'Li2O', 'Pb0.975 Te1'",
            )
        if ch in "+-":
            return self.error(
                f"unexpected sign '{ch}'",
                pos,
                hint="formulas must be charge-free and amounts cannot start with a sign; "
                "write e.g. 'Ti2-x' rather than 'Ti-x' or 'Fe3+'",
            )
        if ch.islower() or ch == "δ":
            return self.error(
                f"variable '{ch}' does not follow an element or group",
                pos,
                hint="element symbols start with a capital letter; variables follow one: 'Li1-x'",
            )
        return self.error(
            f"unexpected character {ch!r}",
            pos,
            hint="formulas use element symbols, numbers, ()[]{}, single-letter variables, "
            "+ - / and '·' between hydrate parts",
        )

    def element(self) -> str:
        pos, s = self.i, self.s
        two = s[pos : pos + 2]
        if len(two) == 2 and two[1].islower() and two in _SYMBOLS:
            self.i += 2
            return two
        if s[pos] in _SYMBOLS:
            self.i += 1
            return s[pos]
        m = re.match(r"[A-Z][a-z]*", s[pos:])
        word = m.group() if m else s[pos]
        hint = (
            "isotopes are not supported; write 'H'"
            if word[0] in "DT" and len(word) == 1
            else "check the spelling; symbols are case-sensitive ('Co' is cobalt, 'CO' carbon and oxygen)"
        )
        raise self.error(f"unknown element '{word}'", pos, hint=hint)


def _merge(into: dict[str, Amount], more: Mapping[str, Amount]) -> None:
    for k, v in more.items():
        into[k] = into[k] + v if k in into else v


@dataclasses.dataclass(frozen=True)
class ParsedFormula:
    """A parsed formula: affine amounts per element, and its composition once every variable has a value.

    >>> p = parse_formula("Li1+xAlxTi2-x(PO4)3")
    >>> p.variables, str(p.amounts["Ti"]), p.is_resolved, sorted(p.notation)
    (('x',), '2-x', False, ['parentheses', 'variable'])
    >>> p.evaluate(x=0.3).formula
    'Li1.3 Ti1.7 Al0.3 P3 O12'
    >>> p.required_elements
    ('Li', 'P', 'O')
    """

    original: str
    amounts: Mapping[str, Amount]
    variables: tuple[str, ...] = ()
    values: Mapping[str, float] = dataclasses.field(default_factory=lambda: MappingProxyType({}))
    composition: Composition | None = None
    reason: str | None = None
    sites: tuple[Mapping[str, Amount], ...] = ()
    notation: frozenset[str] = frozenset()

    def __hash__(self) -> int:
        return hash((self.original, tuple(sorted(self.values.items()))))

    def __repr__(self) -> str:
        return f"ParsedFormula({self.original!r}, variables={self.variables!r}, resolved={self.is_resolved})"

    @property
    def is_resolved(self) -> bool:
        """True when every variable has a value and :attr:`composition` is set."""
        return self.composition is not None

    @property
    def elements(self) -> tuple[str, ...]:
        """Every element written, in order of first appearance."""
        return tuple(self.amounts)

    @property
    def free_variables(self) -> tuple[str, ...]:
        """Variables without a value in :attr:`values`."""
        return tuple(v for v in self.variables if v not in self.values)

    def evaluate(self, **values: float) -> Composition:
        """Composition for the given variable values (added to, and overriding, :attr:`values`).

        Raises :class:`FormulaError` if a variable has no value or an amount would be negative.

        >>> parse_formula("La1-xSrxMnO3-δ").evaluate(x=0.2, delta=0.05).formula
        'Sr0.2 La0.8 Mn1 O2.95'
        """
        vals = {**self.values, **_clean_values(values, self)}
        missing = [v for v in self.variables if v not in vals]
        if missing:
            has = "has no value" if len(missing) == 1 else "have no values"
            raise FormulaError(
                f"variable {', '.join(missing)} {has}",
                value=self.original,
                hint=f"call evaluate({', '.join(f'{v}=...' for v in missing)})",
            )
        out = {}
        for el, a in self.amounts.items():
            x = a.evaluate(vals)
            if not math.isfinite(x):
                raise FormulaError(
                    f"amount of {el} '{a}' is not finite",
                    value=self.original,
                    hint="use ordinary numbers for amounts and variable values",
                )
            if x < -AMOUNT_TOL:
                given = ", ".join(f"{k}={vals[k]:g}" for k in a.variables)
                raise FormulaError(
                    f"amount of {el} '{a}' is {x:g} < 0 for {given}",
                    value=self.original,
                    hint="choose variable values that keep every amount non-negative",
                )
            if x > AMOUNT_TOL:
                out[el] = x
        if not out:
            raise FormulaError("every amount is zero", value=self.original, hint="a formula needs atoms")
        return Composition(out)

    def affine_arrays(self) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray, np.ndarray]:
        """``(elements, free variables, const (n_el,), coef (n_el, n_var))`` with amounts = const + coef @ v.

        Variables that have a value in :attr:`values` are substituted.

        >>> parse_formula("Li1+xAlxTi2-x(PO4)3").affine_arrays()[3][:, 0].tolist()
        [1.0, 1.0, -1.0, 0.0, 0.0]
        """
        free = self.free_variables
        subst = [a.substitute(self.values) for a in self.amounts.values()]
        const = np.array([a.const for a in subst], dtype=float)
        coef = np.array([[a.coef(v) for v in free] for a in subst], dtype=float)
        coef = coef.reshape(len(subst), len(free))
        return self.elements, free, const, coef

    @cached_property
    def required_elements(self) -> tuple[str, ...]:
        """Elements whose amount is positive for every free-variable value (variables >= 0, amounts >= 0)."""
        els, _, const, coef = self.affine_arrays()
        lows = _affine.min_amounts(const, coef)
        return tuple(el for el, low in zip(els, lows, strict=True) if low > AMOUNT_TOL)

    def closest_fractions(
        self, target: Mapping[str, float], *, max_value: float = 1e3
    ) -> tuple[float, dict[str, float]]:
        """Free-variable values whose atomic fractions are closest to ``target`` (amounts or fractions).

        Returns ``(distance, values)``: the total-variation distance ½ Σ|x - x_target| of atomic fractions
        (0 = same fractions, 1 = nothing in common) and the values, found by a linear programme over
        variables in ``[0, max_value]`` with every amount ``>= 0``.  A value at ``max_value`` means the fit
        improves without bound as that variable grows (``TizO2.5+2z`` tends to TiO2).

        >>> d, v = parse_formula("Li1+xAlxTi2-x(PO4)3").closest_fractions({"Li": 1.3, "Al": 0.3, "Ti": 1.7,
        ...                                                                "P": 3, "O": 12})
        >>> round(d, 9), round(v["x"], 6)
        (0.0, 0.3)
        """
        els, free, const, coef = self.affine_arrays()
        target = {str(k): float(v) for k, v in target.items()}
        total = sum(target.values())
        if not (math.isfinite(total) and total > 0) or any(v < 0 for v in target.values()):
            raise FormulaError(
                "target amounts must be non-negative with a positive sum",
                value=target,
                hint="pass a mapping such as {'Li': 1, 'Nb': 1, 'O': 3}",
            )
        if not max_value > 0:
            raise FormulaError("max_value must be positive", value=max_value, hint="e.g. max_value=10")
        names = list(els) + [e for e in target if e not in self.amounts]
        tvec = np.array([target.get(e, 0.0) / total for e in names])
        res = _affine.closest_fractions(const, coef, tvec, max_value=max_value)
        if res is None:
            raise FormulaError(
                "no variable values keep every amount non-negative with a positive total",
                value=self.original,
                hint="check the formula and the values given",
            )
        dist, v = res
        return dist, {name: float(x) for name, x in zip(free, v, strict=True)}


def _clean_values(values: Mapping[str, float], where: object) -> dict[str, float]:
    out = {}
    for k, v in values.items():
        name = "delta" if k in ("δ", "ẟ") else k
        try:
            x = float(v)
        except (TypeError, ValueError):
            x = math.nan
        if not math.isfinite(x):
            raise FormulaError(
                f"value of variable {k!r} is not a finite number: {v!r}",
                value=where,
                hint=f"give a number, e.g. variables={{{name!r}: 0.1}}",
            )
        out[name] = x
    return out


def parse_formula(
    text: str,
    *,
    variables: Mapping[str, float] | None = None,
    source: str | None = None,
    line: int | None = None,
    field: str | None = None,
) -> ParsedFormula:
    """Parse a printed chemical formula; resolve its composition when every variable has a value.

    ``variables`` gives values by name (``delta`` or ``δ`` for δ); names absent from the formula are ignored.
    ``source``, ``line`` and ``field`` locate errors.  Raises :class:`~matinfo.errors.FormulaError`.

    >>> parse_formula("[Li0.95Nb0.01]NbO3").composition.formula
    'Li0.95 Nb1.01 O3'
    >>> parse_formula("CuSO4·5H2O").composition.reduced_formula
    'CuH10SO9'
    >>> parse_formula("Li1+xAlxTi2-x(PO4)3", variables={"x": 0.3}).composition.formula
    'Li1.3 Ti1.7 Al0.3 P3 O12'
    >>> parse_formula("CaSO4·xH2O").reason
    "variable formula: x has no value; give it with variables={'x': ...}"
    """
    loc = {"source": source, "line": line, "field": field}
    try:
        return _parse(text, variables or {})
    except FormulaError as err:
        raise err.located(**loc) from None


def _parse(text: str, variables: Mapping[str, float]) -> ParsedFormula:
    if not isinstance(text, str):
        raise FormulaError(
            f"formula must be a string, not {type(text).__name__}",
            value=text,
            hint="pass the formula text, e.g. 'LiNbO3'",
        )
    p = _Parser(text)
    amounts, sites = p.parse()
    names = tuple(dict.fromkeys(v for a in amounts.values() for v in a.variables))
    if names:
        p.notation.add("variable")
    vals = {k: v for k, v in _clean_values(variables, text).items() if k in names}
    free = [v for v in names if v not in vals]
    parsed = ParsedFormula(
        original=text,
        amounts=MappingProxyType(amounts),
        variables=names,
        values=MappingProxyType(vals),
        sites=tuple(MappingProxyType(g) for g in sites),
        notation=frozenset(p.notation),
    )
    if not free:
        return dataclasses.replace(parsed, composition=parsed.evaluate())
    _, _, const, coef = parsed.affine_arrays()
    if vals and not _affine.is_feasible(const, coef):
        raise FormulaError(
            f"no value of {', '.join(free)} keeps every amount non-negative with "
            f"{', '.join(f'{k}={v:g}' for k, v in vals.items())}",
            value=text,
            hint="check the values given",
        )
    them = "it" if len(free) == 1 else "them"
    has = "has no value" if len(free) == 1 else "have no values"
    example = ", ".join(f"{v!r}: ..." for v in free)
    reason = f"variable formula: {', '.join(free)} {has}; give {them} with variables={{{example}}}"
    return dataclasses.replace(parsed, reason=reason)
