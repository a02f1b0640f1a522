"""Measured values (number, uncertainty or bound, unit) and measurement/processing conditions, read from text.

Value notations read by :func:`parse_measured`:

* plain numbers ``1.58489e-06``, ``-3.2``, ``.5``, with thousands separators ``5,000`` (a comma followed by
  groups of exactly three digits; ``1,5`` is refused as ambiguous, ``1,500`` reads as 1500);
* powers of ten ``1.2×10^-3``, ``1.2x10-3``, ``1.2·10⁻³``, ``10^-4``;
* bounds ``<1E-8``, ``<=``, ``≤``, ``>300``, ``>=``, ``≥``, and approximate values ``~5``, ``≈5``, ``ca. 5``;
* uncertainties ``1.2 ± 0.3``, ``1.2+/-0.3``, ``1.2 +- 0.3``, concise ``1.234(5)`` (= 1.234 ± 0.005) and
  ``1.2(3)e-4``, and ``(1.2 ± 0.3)e-4``.  An exponent written after the value belongs to the value only
  (``1.2e-4 ± 3e-5``), except a ``×10^n`` after the uncertainty of a value without exponent, which papers
  use for both: ``1.2 ± 0.3 ×10^-4`` is (1.2 ± 0.3)×10⁻⁴;
* a unit after the number in any notation :func:`~matinfo.core.units.parse_unit` reads: ``3.4e-4 S/cm``,
  ``0.1 mS cm-1``, ``25 °C``, ``300K``;
* missing values ``""``, ``nan``, ``n/a``, ``NA``, ``-``, ``?`` give ``Measured(value=None)``.

>>> parse_measured("1.2(3)e-4 S cm-1")
Measured(value=0.00012, uncertainty=3e-05, bound=None, unit='S/cm', text='1.2(3)e-4 S cm-1')
>>> parse_measured("<1E-8", default_unit="S/cm").bound
'<'
>>> parse_condition("temperature", "25 °C")
Condition(key='temperature', value=298.15, unit='K', kind='number')
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Literal

from matinfo.core import units
from matinfo.core.quantities import QuantityDef, find_quantity, get_quantity, quantity_key, to_canonical
from matinfo.errors import QuantityError, UnitError

__all__ = [
    "Bound",
    "Measured",
    "parse_measured",
    "Condition",
    "parse_condition",
    "VALUE_HINT",
    "ROOM_TEMPERATURE_K",
    "ATMOSPHERIC_PRESSURE_GPA",
]

Bound = Literal["<", "<=", ">", ">=", "~"]
VALUE_HINT = "write a number, optionally with ± uncertainty or a bound such as <1e-8, and a unit: 3.4e-4 S/cm"
#: Value assumed for "RT" / "room temperature" (25 °C).
ROOM_TEMPERATURE_K = 298.15
#: Value assumed for "ambient" / "atmospheric" pressure (1 atm).
ATMOSPHERIC_PRESSURE_GPA = 1.01325e-4

_BOUNDS = {
    "<": "<",
    "<=": "<=",
    "=<": "<=",
    "≤": "<=",
    "⩽": "<=",
    ">": ">",
    ">=": ">=",
    "=>": ">=",
    "≥": ">=",
    "⩾": ">=",
}
_MISSING = {"", "nan", "na", "n/a", "n.a.", "none", "null", "-", "--", "—", "?", "n.d.", "nd"}
_NUM = r"[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)"
_EXP = r"(?:[eE][+-]?\d+|\s*[x×*·]\s*10(?:\s*\^\s*[+-]?\d+|[+-]\d+))"
_PM = r"\s*(?:±|\+/-|\+-)\s*"
_VALUE_RE = re.compile(
    rf"""^(?P<bound><=|>=|=<|=>|[<>≤≥⩽⩾~≈∼≃]|ca\.?(?=\s)|approx\.?|about)?\s*
    (?:
        (?P<pow>10\s*\^\s*[+-]?\d+)
      | \(\s*(?P<pv>{_NUM}){_PM}(?P<pu>{_NUM})\s*\)(?P<pexp>{_EXP})?
      | (?P<v>{_NUM})(?:\((?P<cu>\d+)\))?(?P<vexp>{_EXP})?(?:{_PM}(?P<u>{_NUM})(?P<uexp>{_EXP})?)?
    )\s*(?P<unit>.*)$""",
    re.VERBOSE | re.DOTALL,
)


def _with_value(err: QuantityError | UnitError, value: object) -> QuantityError | UnitError:
    """The same error, naming *value* (the text as given) instead of the number or unit checked."""
    return type(err)(
        err.problem, source=err.source, line=err.line, field=err.field, value=value, hint=err.hint
    )


def _exponent(text: str | None) -> int:
    return int(re.search(r"[+-]?\d+$", text).group()) if text else 0  # type: ignore[union-attr]


def _number(mantissa: str, exponent: int) -> float:
    return float(f"{mantissa.replace(',', '').lstrip('+')}e{exponent}")


@dataclass(frozen=True)
class Measured:
    """A reported number: value with uncertainty, or a bound, in a unit.

    ``value`` is ``None`` for a missing value; ``uncertainty`` is a standard uncertainty (≥ 0) or ``None``;
    ``bound`` is ``None`` for a value given exactly, ``"<"``, ``"<="``, ``">"``, ``">="`` for limits and
    ``"~"`` for an approximate value; ``unit`` is in :func:`~matinfo.core.units.format_unit` spelling
    (``None`` when unknown, ``""`` for dimensionless); ``text`` is the text it was read from.

    >>> Measured(1.2, 0.3, None, "mS/cm").to("S/cm")
    Measured(value=0.0012, uncertainty=0.0003, bound=None, unit='S/cm', text='')
    >>> str(parse_measured("1.2+/-0.3 S cm-1"))
    '1.2 ± 0.3 S/cm'
    """

    value: float | None
    uncertainty: float | None = None
    bound: Bound | None = None
    unit: str | None = None
    text: str = ""

    def __post_init__(self) -> None:
        if self.bound is not None and self.bound not in ("<", "<=", ">", ">=", "~"):
            raise QuantityError(
                "bound must be one of <, <=, >, >=, ~ or None", value=self.bound, field="bound"
            )
        if self.uncertainty is not None and not self.uncertainty >= 0:
            raise QuantityError(
                "an uncertainty must be a number ≥ 0",
                value=self.uncertainty,
                field="uncertainty",
                hint="give the absolute value",
            )

    @property
    def is_exact(self) -> bool:
        """True unless the value is a bound or approximate."""
        return self.bound is None

    def to(self, unit: str) -> Measured:
        """The same measurement in another unit (value and uncertainty converted, offsets handled).

        >>> parse_measured("25 ± 0.5 °C").to("K")
        Measured(value=298.15, uncertainty=0.5, bound=None, unit='K', text='25 ± 0.5 °C')
        """
        target = units.format_unit(units.parse_unit(unit))
        if not self.unit and target:
            raise UnitError(
                "the value has no unit to convert from",
                value=self.text or self.value,
                hint=f"give its unit, e.g. parse_measured(text, default_unit={unit!r})",
            )
        src = self.unit or ""
        value = None if self.value is None else units.convert(self.value, src, target)
        unc = None if self.uncertainty is None else units.convert_difference(self.uncertainty, src, target)
        if self.value is None:
            units.convert(1.0, src, target)  # checks the dimension
        return replace(self, value=value, uncertainty=unc, unit=target)  # type: ignore[arg-type]

    def canonical(self, quantity: str | QuantityDef) -> Measured:
        """The measurement in the canonical unit of *quantity*, with dimension and sign checked.

        >>> parse_measured(">= 0.1 mS/cm").canonical("ionic_conductivity")
        Measured(value=0.0001, uncertainty=None, bound='>=', unit='S/cm', text='>= 0.1 mS/cm')
        """
        q = get_quantity(quantity)
        if self.value is None and not self.unit and q.dtype == "number":  # missing: nothing to convert
            return replace(self, unit=q.canonical_unit)
        try:
            to_canonical(q, 0.0 if self.value is None else self.value, self.unit)
            if q.dimensionless:
                return replace(self, unit="")
            return self.to(q.canonical_unit)  # type: ignore[arg-type]
        except (QuantityError, UnitError) as err:
            raise _with_value(err, self.text or str(self)) from None

    def __str__(self) -> str:
        if self.value is None:
            return "n/a"
        text = (self.bound or "") + repr(self.value)
        if self.uncertainty is not None:
            text += f" ± {self.uncertainty!r}"
        return f"{text} {self.unit}" if self.unit else text


def parse_measured(
    text: str | float,
    *,
    default_unit: str | None = None,
    source: str | None = None,
    line: int | None = None,
    field: str | None = None,
) -> Measured:
    """Read a value as printed in a table or paper (notations in the module docstring).

    *default_unit* is the unit of a number written without one (e.g. from the column header).  A number
    (``int`` or ``float``) is accepted as is, ``NaN`` as missing.  Raises :class:`QuantityError` for text that
    is not a value (message names *source*, *line*, *field* and the text) and :class:`UnitError` for an
    unknown unit.

    >>> parse_measured("5,000 mAh/g").value
    5000.0
    >>> parse_measured("1.234(5)").uncertainty
    0.005
    >>> parse_measured("~10^-4", default_unit="S/cm")
    Measured(value=0.0001, uncertainty=None, bound='~', unit='S/cm', text='~10^-4')
    """
    where = {"source": source, "line": line, "field": field}
    unit = None if default_unit is None else units.format_unit(units.parse_unit(default_unit, **where))
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = None if math.isnan(text) else float(text)
        return Measured(value, None, None, unit, str(text))
    if not isinstance(text, str):
        raise QuantityError(
            f"expected text or a number, not {type(text).__name__}", value=text, hint=VALUE_HINT, **where
        )
    s = units.ascii_superscripts(text.strip()).replace("\u2212", "-").replace("\u2013", "-")
    if s.lower() in _MISSING:
        return Measured(None, None, None, unit, text)
    m = _VALUE_RE.match(s)
    if m is None:
        raise QuantityError("not a number", value=text, hint=VALUE_HINT, **where)
    g = m.groupdict()
    bound = None if g["bound"] is None else _BOUNDS.get(g["bound"], "~")
    if g["pow"] is not None:
        value, unc = _number("1", _exponent(g["pow"])), None
    elif g["pv"] is not None:
        exp = _exponent(g["pexp"])
        value, unc = _number(g["pv"], exp), _number(g["pu"], exp)
    else:
        exp = _exponent(g["vexp"])
        value, unc = _number(g["v"], exp), None
        if g["cu"] is not None:
            if g["u"] is not None:
                raise QuantityError(
                    "two uncertainties (in parentheses and after ±)",
                    value=text,
                    hint="give one of them",
                    **where,
                )
            decimals = len(g["v"].partition(".")[2])
            unc = float(f"{g['cu']}e{exp - decimals}")
        elif g["u"] is not None:
            uexp = _exponent(g["uexp"])
            if g["vexp"] is None and g["uexp"] and "10" in g["uexp"]:  # 1.2 ± 0.3 ×10^-4: shared
                value = _number(g["v"], uexp)
            unc = _number(g["u"], uexp)
    if unc is not None and unc < 0:
        raise QuantityError("negative uncertainty", value=text, hint="write 1.2 ± 0.3", **where)
    if unc is not None and bound is not None and bound != "~":
        raise QuantityError(
            f"a bound ({bound}) cannot have an uncertainty",
            value=text,
            hint="write either <1e-8 or 1e-8 ± 2e-9",
            **where,
        )
    rest = g["unit"].strip()
    if re.match(rf"^(?:-|to|,|;|/)\s*{_NUM}", rest) or rest.startswith(","):
        what = "a decimal comma or a list" if rest.startswith(",") else "a range or list"
        hint = "write one number with a decimal point (1.5, 1500 or 1,500); a range as midpoint ± half-width"
        raise QuantityError(f"{what} is not one value", value=text, hint=hint, **where)
    if rest:
        try:
            unit = units.format_unit(units.parse_unit(rest))
        except UnitError as err:
            raise UnitError(
                f"cannot read the unit {rest!r} after the number: {err.problem}",
                value=text,
                hint=err.hint,
                **where,
            ) from None
    return Measured(value, unc, bound, unit, text)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Condition:
    """One condition of a measurement or process, e.g. ``temperature = 298.15 K`` or ``atmosphere = Ar``.

    Known conditions (see :mod:`~matinfo.core.quantities`) are in their canonical unit; ``unit`` is ``None``
    for text and bool conditions and for numbers of unknown conditions given without unit.
    """

    key: str
    value: float | str | bool
    unit: str | None = None
    kind: Literal["number", "text", "bool"] = "number"

    def __str__(self) -> str:
        return f"{self.key} = {self.value}" + (f" {self.unit}" if self.unit else "")


_ROOM = {
    "rt",
    "r.t.",
    "r. t.",
    "room temperature",
    "room temp",
    "room temp.",
    "ambient",
    "ambient temperature",
}
_AMBIENT_P = {"ambient", "atmospheric", "ambient pressure", "atmospheric pressure"}
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


def _has_dim(q: QuantityDef | None, ref: str) -> bool:
    return bool(
        q
        and q.canonical_unit
        and units.parse_unit(q.canonical_unit).dimensionality == units.parse_unit(ref).dimensionality
    )


def parse_condition(
    key: str,
    value: str | float | bool | tuple[float, str],
    unit: str | None = None,
    *,
    source: str | None = None,
    line: int | None = None,
    field: str | None = None,
) -> Condition:
    """Read one condition, normalised for storage.

    * A known key (name or alias, e.g. ``T``) becomes the quantity's name; numbers are converted to its
      canonical unit.  A number with neither a unit in the text nor *unit* is taken to be in the
      canonical unit already (``temperature=300`` is 300 K).  ``(value, unit)`` pairs are accepted.
    * ``"RT"``, ``"room temperature"``, ``"ambient"`` for a temperature mean 298.15 K (25 °C), an assumption:
      reports rarely say which room temperature; ``"ambient"``/``"atmospheric"`` pressure is 1 atm.
    * An approximate value (``~25 °C``) is stored as its number; an uncertainty is dropped (a condition is a
      set point); a bound (``>300 K``) is refused.
    * Text conditions (``atmosphere``, ``doping``) keep their text; bool ones read true/false/yes/no/1/0.
    * An unknown key is kept (as :func:`~matinfo.core.quantities.quantity_key`) with a number and its unit as
      written, or else the text.

    >>> parse_condition("T", "RT")
    Condition(key='temperature', value=298.15, unit='K', kind='number')
    >>> parse_condition("Pressure", 1, "atm")
    Condition(key='pressure', value=0.000101325, unit='GPa', kind='number')
    >>> parse_condition("atmosphere", " Ar ")
    Condition(key='atmosphere', value='Ar', unit=None, kind='text')
    """
    field = field if field is not None else (key if isinstance(key, str) else None)
    where = {"source": source, "line": line, "field": field}
    q = find_quantity(key) if isinstance(key, str) else None
    name = q.name if q else quantity_key(key) if isinstance(key, str) else ""
    if not name:
        raise QuantityError("a condition needs a name", value=key, hint="e.g. 'temperature'", **where)
    if isinstance(value, tuple) and len(value) == 2:
        value, unit = value[0], value[1] if unit is None else unit
    missing = (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and value.strip().lower() in _MISSING)
    )
    if missing:
        raise QuantityError(
            "condition has no value",
            value=value,
            **where,
            hint="leave the condition out, or give a value such as '300 K'",
        )
    if q is not None and q.dtype == "text":
        return Condition(name, str(value).strip(), None, "text")
    if (q is not None and q.dtype == "bool") or isinstance(value, bool):
        flag = str(value).strip().lower()
        if flag not in _TRUE | _FALSE:
            raise QuantityError(
                f"{name} must be true or false", value=value, hint="write true or false", **where
            )
        return Condition(name, flag in _TRUE, None, "bool")
    if isinstance(value, str):
        low = " ".join(value.lower().split())
        if low in _ROOM and (q is None and "temp" in name or _has_dim(q, "K")):
            value, unit = ROOM_TEMPERATURE_K, "K"
        elif low in _AMBIENT_P and _has_dim(q, "GPa"):
            value, unit = ATMOSPHERIC_PRESSURE_GPA, "GPa"
    try:
        m = parse_measured(value, default_unit=unit, **where)  # type: ignore[arg-type]
    except (QuantityError, UnitError):
        if q is None and isinstance(value, str):
            return Condition(name, value.strip(), None, "text")
        raise
    if m.bound not in (None, "~"):
        raise QuantityError(
            f"a condition is one value, not a bound ({m.bound})",
            value=value,
            **where,
            hint="give the value the measurement was made at",
        )
    if q is None:
        return Condition(name, m.value, m.unit or None, "number")  # type: ignore[arg-type]
    given = m.unit if m.unit else (q.canonical_unit or None)
    try:
        number = to_canonical(q, m.value, given, **where)  # type: ignore[arg-type]
    except (QuantityError, UnitError) as err:
        raise _with_value(err, value) from None
    return Condition(name, number, q.canonical_unit or None, "number")
