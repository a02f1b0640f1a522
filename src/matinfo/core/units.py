"""Units: one lazily created pint registry, a forgiving parser for paper notations, conversion, formatting.

Importing this module does not import pint; the registry is built on first use (:func:`get_registry`).

Notations accepted by :func:`parse_unit` besides pint's own syntax:

* exponents without ``^``: ``S cm-1``, ``g/cm3``, ``W m-1 K-1``; unicode superscripts: ``S·cm⁻¹``;
* ``·``, ``⋅``, ``.`` and ``-`` between unit symbols, and spaces, mean multiplication: ``Ohm cm``, ``Ω·cm``,
  ``W/m-K``;
* everything after a ``/`` is the denominator, as in papers: ``J/mol K`` is J/(mol·K), ``W/m*K`` is W/(m·K)
  (pint alone would read both left to right);
* ``µ``/``μ`` → ``u``, ``Ω`` → ohm, ``Å`` → angstrom, ``°C``/``℃``/``deg C``/``oC`` → degC; ``Ohm`` as ``ohm``;
* ``mAh``; ``at.%``/``at%``, ``wt%``, ``mol%``, ``vol%``; ``atom``/``atoms`` and ``fu``/``f.u.`` (formula
  unit) as counts; ``Torr``, ``sccm``; ``Scm-1``/``mScm-1`` (siemens glued to centimetre) as ``S cm-1``;
* the heuristic ``W/mK`` → W/(m·K): in a denominator, ``mK`` and ``cmK`` are read as metre·kelvin and
  centimetre·kelvin, never as millikelvin (a thermal conductivity per millikelvin does not occur in data);
  likewise ``Vs`` is volt·second (mobility ``cm2/Vs``) and ``Ohmcm`` is ohm·centimetre.

Counting units are dimensionless, so pint alone would convert ``eV/fu`` to ``eV/atom`` with factor 1.
:func:`convert` refuses that (and ``at%`` ↔ ``wt%``): they need a composition.

>>> format_unit(parse_unit("S cm-1"))
'S/cm'
>>> format_unit("W/mK")
'W/(m*K)'
>>> convert(25.0, "degC", "K")
298.15
>>> convert(0.1, "mS cm⁻¹", "S/cm")
0.0001
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from matinfo.core._unit_text import _DIMENSIONLESS_WORDS, ascii_superscripts, normalise_unit_text
from matinfo.errors import UnitError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pint

__all__ = [
    "UNIT_HINT",
    "get_registry",
    "parse_unit",
    "format_unit",
    "convert",
    "convert_difference",
    "is_dimensionless",
    "describe_dimension",
    "normalise_unit_text",
    "check_counting",
    "ascii_superscripts",
    "conversion_factors",
    "tidy",
]

UNIT_HINT = "write a unit such as 'S/cm', 'S cm-1', 'uV/K', 'W/(m*K)', 'eV/atom', 'g/cm3', 'degC' or 'K'"

_EXTRA_DEFINITIONS = (
    "atom = count = _ = atoms",
    "formula_unit = count = fu = f_u",
    "@alias ohm = Ohm = ohms = Ohms",
    "atomic_percent = 0.01 * count = at_pct",
    "weight_percent = 0.01 * count = wt_pct",
    "mole_percent = 0.01 * count = mol_pct",
    "volume_percent = 0.01 * count = vol_pct",
    "@alias torr = Torr",
    "standard_cubic_centimeter_per_minute = cm ** 3 / min = sccm",
)

# Counting units within one family are incompatible with those of another family (they need a composition).
_FAMILIES = (
    frozenset({"atom", "formula_unit"}),
    frozenset({"atomic_percent", "weight_percent", "mole_percent", "volume_percent"}),
)

_SYMBOLS = {  # our spelling where pint's symbol is not plain ASCII or not the house style
    "ohm": "Ohm",
    "degree_Celsius": "degC",
    "delta_degree_Celsius": "degC",
    "degree_Fahrenheit": "degF",
    "delta_degree_Fahrenheit": "degF",
    "atom": "atom",
    "formula_unit": "fu",
    "atomic_percent": "at%",
    "weight_percent": "wt%",
    "mole_percent": "mol%",
    "volume_percent": "vol%",
    "standard_cubic_centimeter_per_minute": "sccm",
    "percent": "%",
}

_registry: pint.UnitRegistry | None = None
_lock = threading.Lock()


def get_registry() -> pint.UnitRegistry:
    """Return matinfo's one pint registry, creating it (and importing pint) on first call.

    >>> get_registry() is get_registry()
    True
    """
    global _registry
    if _registry is None:
        with _lock:
            if _registry is None:
                import pint

                ureg = pint.UnitRegistry()
                for line in _EXTRA_DEFINITIONS:
                    ureg.define(line)
                _registry = ureg
    return _registry


# ---------------------------------------------------------------------------------------------- parsing


@lru_cache(maxsize=1024)
def _parse(text: str) -> pint.Unit:
    ureg = get_registry()
    if text.strip().lower() in _DIMENSIONLESS_WORDS:
        return ureg.dimensionless
    norm = normalise_unit_text(text)
    read_as = "" if norm == text.strip() else f" (read as {norm!r})"
    try:
        return ureg.parse_units(norm)
    except Exception as exc:  # pint raises many types: UndefinedUnitError, ValueError, AssertionError, ...
        if "scaling factor" in str(exc):
            raise UnitError(
                f"a unit cannot contain a number{read_as}",
                value=text,
                hint="put the factor into the value (1e-3 S/cm, not S/(1e3 cm)) or use a prefix (mS/cm)",
            ) from None
        names = getattr(exc, "unit_names", None)
        if type(exc).__name__ == "UndefinedUnitError" and names:
            names = [names] if isinstance(names, str) else list(names)
            problem = f"unknown unit{read_as}: {', '.join(map(repr, names))} is not a unit matinfo knows"
        else:
            problem = f"unreadable unit{read_as}"
    raise UnitError(problem, value=text, hint=_suggest(text))


_COMMON = (
    "S/cm",
    "mS/cm",
    "uS/cm",
    "S/m",
    "Ohm*cm",
    "uV/K",
    "V/K",
    "W/(m*K)",
    "uW/(cm*K^2)",
    "eV",
    "meV",
    "eV/atom",
    "eV/fu",
    "kJ/mol",
    "J/(mol*K)",
    "K",
    "degC",
    "GPa",
    "MPa",
    "atm",
    "bar",
    "Å",
    "Å^3",
    "nm",
    "g/cm^3",
    "mAh/g",
    "V",
    "mA",
    "mA/cm^2",
    "h",
    "min",
    "s",
    "Hz",
    "%",
    "at%",
    "wt%",
)


def _suggest(text: str) -> str:
    import difflib

    folded = {c.lower(): c for c in _COMMON}
    close = [folded[text.strip().lower()]] if text.strip().lower() in folded else []
    close += [c for c in difflib.get_close_matches(text.strip(), _COMMON, n=3, cutoff=0.6) if c not in close]
    return (f"did you mean {' or '.join(map(repr, close))}? Otherwise " if close else "") + UNIT_HINT


def parse_unit(
    text: str | pint.Unit, *, source: str | None = None, line: int | None = None, field: str | None = None
) -> pint.Unit:
    """Parse a unit written in any of the accepted notations into a ``pint.Unit``.

    ``""``, ``"1"``, ``"-"`` and ``"dimensionless"`` give the dimensionless unit.  Raises :class:`UnitError`
    naming the text (and *source*, *line*, *field* when given) with a hint on accepted spellings.

    >>> parse_unit("S·cm⁻¹") == parse_unit("S/cm")
    True
    >>> str(parse_unit("µV/K"))
    'microvolt / kelvin'
    >>> parse_unit("bananas/cm")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    matinfo.errors.UnitError: value 'bananas/cm': unknown unit...
    """
    if not isinstance(text, str):
        if hasattr(text, "dimensionality") and hasattr(text, "_units"):
            return text
        raise UnitError(
            f"a unit must be text, not {type(text).__name__}",
            value=text,
            field=field,
            source=source,
            line=line,
            hint=UNIT_HINT,
        )
    try:
        return _parse(text)
    except UnitError as err:
        raise err.located(source=source, line=line, field=field) from None


def is_dimensionless(unit: str | pint.Unit | None) -> bool:
    """True for ``None``, ``""`` and units without dimension (``%``, ``atom/fu``).

    >>> is_dimensionless("%"), is_dimensionless("K")
    (True, False)
    """
    return unit is None or parse_unit(unit).dimensionless


# ---------------------------------------------------------------------------------------------- formatting


def _exp(e: float) -> str:
    return "" if e == 1 else f"^{int(e) if float(e).is_integer() else e}"


def format_unit(unit: str | pint.Unit) -> str:
    """Compact canonical ASCII spelling of a unit (``Å`` excepted): numerator, then ``/`` and the denominator.

    Factors keep the order they were written in; several denominator factors are parenthesised.
    The dimensionless unit is ``""``.

    >>> [format_unit(u) for u in ("S cm-1", "µV K-1", "W m-1 K-1", "eV/atom", "K", "Ω·cm", "g/cm3")]
    ['S/cm', 'uV/K', 'W/(m*K)', 'eV/atom', 'K', 'Ohm*cm', 'g/cm^3']
    """
    return _format(parse_unit(unit))


@lru_cache(maxsize=1024)
def _format(unit: pint.Unit) -> str:
    ureg = get_registry()
    num, den = [], []
    for name, e in unit._units.items():
        sym = _SYMBOLS.get(name) or ureg.get_symbol(name)
        sym = sym.replace("µ", "u").replace("Ω", "Ohm")
        (num if e > 0 else den).append(sym + _exp(abs(e)))
    text = "*".join(num)
    if den:
        text = (text or "1") + "/" + (den[0] if len(den) == 1 else "(" + "*".join(den) + ")")
    return text


# ---------------------------------------------------------------------------------------------- conversion

_DIMENSION_NAMES = {  # unit whose dimension gets a name in error messages
    "energy": "eV",
    "length": "m",
    "volume": "m^3",
    "temperature": "K",
    "time": "s",
    "pressure": "Pa",
    "electrical conductivity": "S/m",
    "electrical resistivity": "ohm*m",
    "voltage": "V",
    "current": "A",
    "mass density": "kg/m^3",
    "thermal conductivity": "W/(m*K)",
    "Seebeck coefficient": "V/K",
    "frequency": "Hz",
    "specific capacity": "C/kg",
    "energy per amount": "J/mol",
}


def describe_dimension(unit: str | pint.Unit) -> str:
    """Readable dimension of a unit, named where common.

    >>> describe_dimension("eV")
    'energy ([mass]*[length]^2/[time]^2)'
    >>> describe_dimension("%")
    'dimensionless'
    """
    dim = parse_unit(unit).dimensionality
    if not dim:
        return "dimensionless"
    num = [k + _exp(v) for k, v in dim.items() if v > 0]
    den = [k + _exp(-v) for k, v in dim.items() if v < 0]
    text = "*".join(num) or "1"
    if den:
        text += "/" + (den[0] if len(den) == 1 else "(" + "*".join(den) + ")")
    for name, ref in _DIMENSION_NAMES.items():
        if parse_unit(ref).dimensionality == dim:
            return f"{name} ({text})"
    return text


def _counting(unit: pint.Unit) -> set[str]:
    return {name for name in unit._units if any(name in fam for fam in _FAMILIES)}


def check_counting(from_unit: str | pint.Unit, to_unit: str | pint.Unit) -> None:
    """Raise :class:`UnitError` when the units count different things (``eV/fu`` vs ``eV/atom``, ``at%`` vs
    ``wt%``); a unit that counts nothing (``eV``) goes with either."""
    a, b = _counting(parse_unit(from_unit)), _counting(parse_unit(to_unit))
    for fam in _FAMILIES:
        fa, fb = a & fam, b & fam
        if fa and fb and fa != fb:
            raise UnitError(
                f"cannot convert {_label(from_unit)!r} to {_label(to_unit)!r}: {'/'.join(sorted(fa))} and "
                f"{'/'.join(sorted(fb))} count different things",
                value=_label(from_unit),
                hint="convert with the composition (atoms per formula unit, molar masses) before importing",
            )


def _label(unit: str | pint.Unit) -> str:
    return unit if isinstance(unit, str) else format_unit(unit)


def _check_convertible(from_unit: str | pint.Unit, to_unit: str | pint.Unit) -> tuple[pint.Unit, pint.Unit]:
    src, dst = parse_unit(from_unit), parse_unit(to_unit)
    if src.dimensionality != dst.dimensionality:
        f, t = _label(from_unit), _label(to_unit)
        raise UnitError(
            f"cannot convert {f!r} to {t!r}: {f!r} has dimension {describe_dimension(src)} "
            f"but {t!r} has dimension {describe_dimension(dst)}",
            value=f,
            hint=f"give the value in a unit with the dimension of {t!r}",
        )
    check_counting(from_unit, to_unit)
    return src, dst


@lru_cache(maxsize=1024)
def _affine(from_unit: pint.Unit, to_unit: pint.Unit) -> tuple[float, float]:
    """``(a, b)`` with ``to = a * from + b``; b is non-zero only for offset units such as degC."""
    q = get_registry().Quantity
    offset = q(0.0, from_unit).to(to_unit).magnitude
    if offset == 0:
        return q(1.0, from_unit).to(to_unit).magnitude, 0.0
    return q(1.0, _delta(from_unit)).to(_delta(to_unit)).magnitude, offset


def tidy(x: float) -> float:
    """Round to 15 significant digits: removes binary noise (1.0132500000000001e-04 → 1.01325e-04)."""
    return float(f"{x:.15g}")


_tidy = tidy


def convert(
    value: float | np.ndarray, from_unit: str | pint.Unit, to_unit: str | pint.Unit
) -> float | np.ndarray:
    """Convert *value* (a number or an array of any shape) from *from_unit* to *to_unit*.

    Offset units are handled (°C → K adds 273.15).  Scalar results are rounded to 15 significant digits,
    so ``convert(0.1, "mS/cm", "S/cm") == 1e-4`` exactly; array results are not rounded.
    Raises :class:`UnitError` for unknown units, different dimensions and different counting units.

    >>> convert(1.0, "atm", "GPa")
    0.000101325
    >>> convert(1.0, "eV", "S/cm")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    matinfo.errors.UnitError: value 'eV': cannot convert 'eV' to 'S/cm': 'eV' has dimension energy ...
    """
    a, b = conversion_factors(from_unit, to_unit)
    result: Any = value * a + b if b else value * a
    return _tidy(result) if isinstance(result, (int, float)) else result


def conversion_factors(from_unit: str | pint.Unit, to_unit: str | pint.Unit) -> tuple[float, float]:
    """``(a, b)`` with ``to = a * from + b`` (b is non-zero only for offset units such as degC), after the
    checks of :func:`convert`; looked up once per pair of unit texts.

    >>> conversion_factors("mS/cm", "S/cm")
    (0.001, 0.0)
    """
    if isinstance(from_unit, str) and isinstance(to_unit, str):
        return _text_factors(from_unit, to_unit)
    return _affine(*_check_convertible(from_unit, to_unit))


@lru_cache(maxsize=4096)
def _text_factors(from_unit: str, to_unit: str) -> tuple[float, float]:
    return _affine(*_check_convertible(from_unit, to_unit))


@lru_cache(maxsize=256)
def _delta(unit: pint.Unit) -> pint.Unit:
    ureg = get_registry()
    if not any(f"delta_{name}" in ureg for name in unit._units):
        return unit
    text = "*".join(f"({'delta_' + n if 'delta_' + n in ureg else n})^{e}" for n, e in unit._units.items())
    return ureg.parse_units(text)


def convert_difference(
    value: float | np.ndarray, from_unit: str | pint.Unit, to_unit: str | pint.Unit
) -> float | np.ndarray:
    """Convert a difference or an uncertainty: like :func:`convert`, but offsets do not apply.

    >>> convert_difference(0.5, "degC", "K"), convert_difference(2.0, "mS/cm", "S/cm")
    (0.5, 0.002)
    """
    src, dst = _check_convertible(from_unit, to_unit)
    return convert(value, _delta(src), _delta(dst))
