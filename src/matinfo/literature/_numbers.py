"""Reading one printed number at a position: mantissa, power of ten, concise uncertainty, sign.

Private to :mod:`matinfo.literature.values`, which groups numbers into values, ranges and lists.

>>> n = read_number("1.2 × 10−3 S cm−1", 0)
>>> n.value, n.end, n.has_exponent
(0.0012, 10, True)
>>> read_number("1.234(5) Å", 0).uncertainty
0.005
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

__all__ = [
    "Num",
    "read_number",
    "as_power",
    "shared_power",
    "exponent_of",
    "tidy",
    "DASHES",
    "MANTISSA",
    "EXPONENT",
]

_SUP_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_D = f"[{DASHES}]"
_SUP = "[⁰¹²³⁴⁵⁶⁷⁸⁹]"
MANTISSA = r"\d{1,3}(?:,\d{3})+(?![\d,]\d)|\d+(?:\.\d+)?|\.\d+"
_TIMES = r"\s?[×xX*·⋅∙]\s?"
_EXP_TAIL = rf"(?:\s?\^\s?[{DASHES}+]?\s?\d{{1,3}}|{_D}\s?\d{{1,3}}|\+\d{{1,3}}|[⁻⁺]?{_SUP}+)"
EXPONENT = rf"(?:{_TIMES}10{_EXP_TAIL}|[eE][{DASHES}+]?\d{{1,3}}(?![A-Za-z]))"
_NUMBER = re.compile(
    rf"(?P<sign>[{DASHES}+](?=\d|\.\d))?"
    rf"(?:(?P<pow>10(?:\s?\^\s?[{DASHES}+]?\d{{1,3}}|[⁻⁺]?{_SUP}+))(?![\d.])"
    rf"|(?P<mant>{MANTISSA})(?P<conc>\(\d{{1,3}}\))?(?P<exp>{EXPONENT})?)"
)
#: ``10-4``: a bare 10 whose exponent's superscript was lost in text extraction.
GLUED_POWER = re.compile(rf"(?P<dash>{_D})(?P<n>\d{{1,2}})(?![\d.])")


@dataclass(frozen=True)
class Num:
    """A number read at ``[start, end)``.

    ``glued_power`` is set for a bare ``10`` followed by ``-N`` whose reading (range or power of ten) is not
    decided yet: ``(10**-N, end of the power)``.
    """

    value: float
    start: int
    end: int
    uncertainty: float | None = None
    has_exponent: bool = False
    glued_power: tuple[float, int] | None = None
    mantissa: float | None = None


def tidy(x: float) -> float:
    """Round to 12 significant digits (removes binary noise of midpoints and powers)."""
    return float(f"{x:.12g}")


def _ascii(text: str) -> str:
    return text.translate(_SUP_DIGITS).translate(str.maketrans(DASHES, "-" * len(DASHES)))


def _exp_value(text: str) -> int:
    m = re.search(r"[-+]?\s?\d+$", _ascii(text).replace("^", ""))
    return int(m.group().replace(" ", "")) if m else 0


def _num(mant: str, exp: int, sign: str = "") -> float:
    neg = "-" if sign and _ascii(sign) == "-" else ""
    return float(f"{neg}{mant.replace(',', '')}e{exp}")


def exponent_of(text: str | None) -> int:
    """The power of ten of an exponent part: ``× 10−3`` → -3, ``e-4`` → -4."""
    if not text:
        return 0
    stripped = text.lstrip()
    if stripped[0] in "eE":
        return _exp_value(stripped[1:])
    return _exp_value(text[text.index("10") + 2 :])


def read_number(s: str, pos: int) -> Num | None:
    """The number starting exactly at ``pos`` of ``s``, or None.

    Parameters
    ----------
    s : str
    pos : int

    Returns
    -------
    Num or None
    """
    m = _NUMBER.match(s, pos)
    if m is None or m.end() == pos:
        return None
    sign = m.group("sign") or ""
    if m.group("pow"):
        return Num(_num("1", _exp_value(m.group("pow")[2:]), sign), pos, m.end(), has_exponent=True)
    mant, exp_text = m.group("mant"), m.group("exp")
    exp = exponent_of(exp_text)
    unc = None
    if m.group("conc"):
        decimals = len(mant.partition(".")[2])
        unc = float(f"{m.group('conc')[1:-1]}e{exp - decimals}")
    glued = None
    if mant == "10" and not exp_text and not sign:
        g = GLUED_POWER.match(s, m.end())
        if g:
            glued = (_num("1", -int(g.group("n"))), g.end())
    return Num(_num(mant, exp, sign), pos, m.end(), unc, bool(exp_text), glued, _num(mant, 0, sign))


def as_power(s: str, num: Num, *, ascending_range_possible: bool = True) -> Num:
    """Read a bare ``10-N`` as 10⁻ᴺ where a range cannot be meant.

    A true minus sign (U+2212) is always an exponent; a hyphen or en dash is one when ``N < 10`` (the range
    10 → N would descend) or when ``ascending_range_possible`` is False (the caller knows the unit makes a
    power of ten the reading: conductivities).

    >>> as_power("10-4", read_number("10-4", 0)).value, as_power("10-20", read_number("10-20", 0)).value
    (0.0001, 10.0)
    """
    if num.glued_power is None:
        return num
    g = GLUED_POWER.match(s, num.end)
    if g is None:
        return num
    if g.group("dash") == "\u2212" or int(g.group("n")) < 10 or not ascending_range_possible:
        return replace(num, value=num.glued_power[0], end=g.end(), glued_power=None, has_exponent=True)
    return num


def shared_power(first: Num, unc: Num) -> tuple[float, float]:
    """``1.2 ± 0.3 × 10−4``: a power written after the uncertainty applies to both numbers.

    Returns ``(value, uncertainty)``.
    """
    unc_value = abs(unc.value)
    if not first.has_exponent and unc.has_exponent and unc.mantissa:
        factor = unc.value / unc.mantissa
        return tidy(first.value * factor), tidy(unc_value)
    return first.value, unc_value
