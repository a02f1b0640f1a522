"""Affine amounts (``2.5-2y+2z``): their algebra, their reading, and linear programmes on variable formulas.

Private module: :class:`Amount` is re-exported by :mod:`matinfo.core.formula`.  The linear programmes run on
the arrays of :meth:`matinfo.core.formula.ParsedFormula.affine_arrays`: amounts ``a(v) = const + coef @ v``
over the domain ``v >= 0, a(v) >= 0``.  SciPy is imported only when a programme runs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from matinfo.errors import FormulaError

__all__ = ["Amount", "AmountReader", "AMOUNT_TOL", "min_amounts", "is_feasible", "closest_fractions"]

#: Amounts above ``-AMOUNT_TOL`` count as non-negative (float noise); amounts below ``AMOUNT_TOL`` as zero.
AMOUNT_TOL = 1e-9


def _fmt(x: float) -> str:
    """Format a number without float noise or exponent for ordinary amounts: 2.0 -> '2', 0.1+0.2 -> '0.3'."""
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.10g}"


@dataclass(frozen=True, eq=False)
class Amount:
    """An amount affine in variables: ``const + Σ coef·var``.

    ``coefs`` holds ``(variable, coefficient)`` pairs in the order written, without zero coefficients.
    Equality ignores that order.

    >>> a = Amount(2.5, (("y", -2.0), ("z", 2.0)))
    >>> str(a), a.variables, a.evaluate({"y": 0.25, "z": 0.5})
    ('2.5-2y+2z', ('y', 'z'), 3.0)
    >>> str(Amount(1.0) - Amount.var("x") * 0.5)
    '1-0.5x'
    """

    const: float = 0.0
    coefs: tuple[tuple[str, float], ...] = ()

    @classmethod
    def var(cls, name: str, coef: float = 1.0) -> Amount:
        """The amount ``coef·name``."""
        return cls(0.0, ((name, float(coef)),) if coef else ())

    @property
    def variables(self) -> tuple[str, ...]:
        """Variable names with a non-zero coefficient, in the order written."""
        return tuple(name for name, _ in self.coefs)

    @property
    def is_constant(self) -> bool:
        """True when no variable occurs."""
        return not self.coefs

    def coef(self, name: str) -> float:
        """Coefficient of variable ``name`` (0.0 when absent)."""
        return dict(self.coefs).get(name, 0.0)

    def evaluate(self, values: Mapping[str, float]) -> float:
        """Value for the given variable values; raises ``KeyError`` naming a missing variable."""
        return self.const + sum(c * values[name] for name, c in self.coefs)

    def substitute(self, values: Mapping[str, float]) -> Amount:
        """Replace the variables that have a value in ``values`` by that value."""
        const = self.const + sum(c * values[n] for n, c in self.coefs if n in values)
        return Amount(const, tuple((n, c) for n, c in self.coefs if n not in values))

    def __add__(self, other: Amount | float) -> Amount:
        if not isinstance(other, Amount):
            return Amount(self.const + float(other), self.coefs)
        merged = dict(self.coefs)
        for name, c in other.coefs:
            merged[name] = merged.get(name, 0.0) + c
        return Amount(self.const + other.const, tuple((n, c) for n, c in merged.items() if c != 0.0))

    __radd__ = __add__

    def __neg__(self) -> Amount:
        return Amount(-self.const, tuple((n, -c) for n, c in self.coefs))

    def __sub__(self, other: Amount | float) -> Amount:
        return self + (-other)

    def __mul__(self, other: Amount | float) -> Amount:
        """Product; one factor must be constant (a product of variables is not affine: ``ValueError``)."""
        if isinstance(other, Amount):
            if not other.is_constant:
                if not self.is_constant:
                    raise ValueError(f"product ({self})·({other}) of variable amounts is not affine")
                return other * self.const
            other = other.const
        k = float(other)
        if k == 0.0:
            return Amount(0.0)
        return Amount(self.const * k, tuple((n, c * k) for n, c in self.coefs))

    __rmul__ = __mul__

    def __float__(self) -> float:
        if self.coefs:
            raise TypeError(f"amount {self} depends on {', '.join(self.variables)}")
        return self.const

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (int, float)):
            return self.is_constant and self.const == other
        if not isinstance(other, Amount):
            return NotImplemented
        return self.const == other.const and dict(self.coefs) == dict(other.coefs)

    def __hash__(self) -> int:
        return hash(self.const) if not self.coefs else hash((self.const, frozenset(self.coefs)))

    def __str__(self) -> str:
        out = _fmt(self.const) if self.const or not self.coefs else ""
        for name, c in self.coefs:
            mag = "" if abs(c) == 1.0 else _fmt(abs(c))
            sign = "-" if c < 0 else ("+" if out else "")
            out += f"{sign}{mag}{name}"
        return out

    def __repr__(self) -> str:
        return f"Amount({str(self)!r})"


_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_AMOUNT_PAREN = re.compile(r"\(([0-9.+\-/a-zδ\s]+)\)")


class AmountReader:
    """Reads affine amounts (``1+x``, ``2.5-2y+2z``, ``1-x/2``, ``(1 - x)``) from a normalised formula text.

    ``text`` is the input as given (for messages), ``s`` its one-to-one normalised copy, ``i`` the position.
    Variables are single lowercase letters; ``δ`` is named ``delta``.  Subclasses set ``symbols`` (element
    symbols, for hints) and may override :meth:`stray`.
    """

    symbols: frozenset[str] = frozenset()

    def __init__(self, text: str, s: str) -> None:
        self.text, self.s, self.i = text, s, 0

    def error(self, problem: str, pos: int | None = None, hint: str | None = None) -> FormulaError:
        at = f" at position {pos}" if pos is not None else ""
        return FormulaError(f"{problem}{at}", value=self.text, hint=hint)

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def skip_ws(self) -> None:
        while self.peek().isspace():
            self.i += 1

    def starts_amount(self, j: int) -> bool:
        ch = self.s[j] if j < len(self.s) else ""
        if ch.isdigit() or ch.islower() or ch == "δ":
            return True
        if ch == "." and j + 1 < len(self.s) and self.s[j + 1].isdigit():
            return True
        return ch == "(" and _AMOUNT_PAREN.match(self.s, j) is not None

    def stray(self, ch: str, pos: int) -> FormulaError:
        return self.error(f"unexpected character {ch!r}", pos)

    def scale(self, amounts: dict[str, Amount], sites: list[dict[str, Amount]], mult: Amount, pos: int):
        """Multiply a group's amounts and site groups by ``mult`` (an error if both hold variables)."""
        try:
            scaled = {k: v * mult for k, v in amounts.items()}
            return scaled, [{k: v * mult for k, v in g.items()} for g in sites]
        except ValueError:
            raise self.error(
                f"amount '{mult}' multiplies a group whose amounts contain variables",
                pos,
                hint="products of variables are not affine; expand the formula",
            ) from None

    def amount(self) -> Amount:
        """An affine amount: terms joined by + or -, or such an expression in parentheses."""
        start = self.i
        paren = self.peek() == "("
        if paren:
            self.i += 1
            self.skip_ws()
        total = self.term()
        while True:
            if paren:
                self.skip_ws()
            op, pos = self.peek(), self.i
            if op not in ("+", "-") or not op:
                break
            self.i += 1
            if paren:
                self.skip_ws()
            if not self.starts_amount(self.i) or self.peek() == "(":
                raise self.error(
                    f"'{op}' is not followed by an amount",
                    pos,
                    hint="charges are not supported; amounts look like 'Ti2-x' or 'Li1+x'",
                )
            t = self.term()
            total = total + t if op == "+" else total - t
        if paren:
            if self.peek() != ")":
                raise self.stray(self.peek(), self.i) if self.peek() else self.error("')' expected", self.i)
            self.i += 1
        text = self.text[start : self.i]
        if not all(math.isfinite(c) for c in (total.const, *(c for _, c in total.coefs))):
            raise self.error(f"amount '{text}' is too large", start, hint="amounts are ordinary numbers")
        if total.is_constant and total.const < 0:
            raise self.error(
                f"amount '{text}' = {total.const:g} is negative", start, hint="amounts must be non-negative"
            )
        return total

    def term(self) -> Amount:
        """``number``, ``number? variable`` or either followed by ``/number``."""
        pos, s = self.i, self.s
        m = _NUMBER.match(s, pos)
        value = float(m.group()) if m else 1.0
        self.i = m.end() if m else pos
        name = None
        while self.peek().islower() or self.peek() == "δ":
            if name is not None:
                pair = s[self.i - 1 : self.i + 1]
                cap = pair.capitalize()
                hint = (
                    f"element symbols start with a capital letter: did you mean '{cap}'?"
                    if cap in self.symbols
                    else "products of variables are not affine; variables are single letters"
                )
                raise self.error(f"'{pair}' is not a variable", self.i - 1, hint=hint)
            name = "delta" if self.peek() == "δ" else self.peek()
            self.i += 1
        if not m and name is None:
            raise self.stray(self.peek(), self.i) if self.peek() else self.error("amount expected", self.i)
        if self.peek() == "/":
            d = _NUMBER.match(s, self.i + 1)
            if not d or float(d.group()) == 0:
                nxt = s[self.i + 1 : self.i + 2]
                why = (
                    "division by a variable is not affine"
                    if nxt.islower() or nxt == "δ"
                    else f"divisor '{s[self.i + 1 : self.i + 4]}' is not a non-zero number"
                )
                raise self.error(why, self.i, hint="divide by a non-zero number: 'Ti1-x/2'")
            value /= float(d.group())
            self.i = d.end()
        return Amount.var(name, value) if name else Amount(value)


def _linprog(c, A_ub=None, b_ub=None, A_eq=None, b_eq=None, bounds=(0, None)):
    from scipy.optimize import linprog  # imported lazily: keeps `import matinfo.core` cheap

    return linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs")


def min_amounts(const: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Smallest value of each amount over ``{v >= 0, const + coef @ v >= 0}``; NaN when the domain is empty.

    Shapes: ``const`` (n_el,), ``coef`` (n_el, n_var); returns (n_el,).  Amounts with no negative coefficient
    are at their minimum at ``v = 0`` and need no programme.

    >>> min_amounts(np.array([1.0, 0.0, 2.0]), np.array([[-1.0], [1.0], [-1.0]]))
    array([0., 0., 1.])
    """
    const = np.asarray(const, dtype=float)
    coef = np.asarray(coef, dtype=float).reshape(len(const), -1)
    out = const.copy()
    if coef.shape[1] == 0:
        return out
    if not is_feasible(const, coef):
        return np.full_like(const, np.nan)
    for i in np.flatnonzero((coef < 0).any(axis=1)):
        res = _linprog(coef[i], A_ub=-coef, b_ub=const)
        out[i] = const[i] + res.fun if res.status == 0 else -np.inf
    return out


def is_feasible(const: np.ndarray, coef: np.ndarray) -> bool:
    """Whether some ``v >= 0`` gives all amounts ``const + coef @ v >= 0``."""
    if (const >= -AMOUNT_TOL).all():
        return True
    res = _linprog(np.zeros(coef.shape[1]), A_ub=-coef, b_ub=const + AMOUNT_TOL)
    return res.status == 0


def closest_fractions(
    const: np.ndarray, coef: np.ndarray, target: np.ndarray, *, max_value: float = 1e3
) -> tuple[float, np.ndarray] | None:
    """Variable values whose atomic fractions are closest (L1) to ``target``; ``None`` if the domain is empty.

    ``target`` (n_all,) are fractions summing to 1 over the formula's n_el elements followed by any extra
    elements (those rows count as amount 0).  Variables range over ``[0, max_value]`` with amounts ``>= 0``.
    Charnes–Cooper transform: with ``t = 1/Σa(v)`` and ``w = t·v`` the fractions ``t·const + coef @ w`` are
    linear, so minimise ``Σ(e⁺ + e⁻)`` subject to ``t·const + coef @ w - e⁺ + e⁻ = target``,
    ``Σ fractions = 1``, fractions ``>= 0``, ``0 <= w <= max_value·t``, ``e± >= 0``.  Σ fractions = 1 forces
    ``t > 0``.  Returns ``(½ L1 distance, v = w / t)``.

    >>> d, v = closest_fractions(np.array([1.0, 0.0]), np.array([[-1.0], [1.0]]), np.array([0.7, 0.3]))
    >>> round(d, 9), v.round(6)
    (0.0, array([0.3]))
    """
    n_el, n_var = coef.shape
    n_all = len(target)
    # unknowns: [t, w (n_var), e+ (n_all), e- (n_all)]
    frac = np.zeros((n_all, 1 + n_var))
    frac[:n_el, 0] = const
    frac[:n_el, 1:] = coef
    eye = np.eye(n_all)
    A_eq = np.vstack([np.hstack([frac, -eye, eye]), np.concatenate([frac.sum(axis=0), np.zeros(2 * n_all)])])
    b_eq = np.concatenate([target, [1.0]])
    cap = np.hstack([-max_value * np.ones((n_var, 1)), np.eye(n_var), np.zeros((n_var, 2 * n_all))])
    A_ub = np.vstack([np.hstack([-frac[:n_el], np.zeros((n_el, 2 * n_all))]), cap])
    c = np.concatenate([np.zeros(1 + n_var), np.ones(2 * n_all)])
    res = _linprog(c, A_ub=A_ub, b_ub=np.zeros(n_el + n_var), A_eq=A_eq, b_eq=b_eq)
    if res.status != 0 or res.x[0] <= 0:
        return None
    t, w = res.x[0], res.x[1 : 1 + n_var]
    return max(float(res.fun) / 2.0, 0.0), np.clip(w / t, 0.0, max_value)
