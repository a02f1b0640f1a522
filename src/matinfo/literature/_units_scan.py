"""Where a printed unit ends: the longest run of unit symbols after a number that core can read.

Reading the unit is :func:`matinfo.core.units.parse_unit`'s job; this module only proposes where it stops.  A
run is a chain of unit symbols (``mS``, ``cm−1``, ``°C``, ``wt.%``, ``mAh``, ``hours``), each with an optional
exponent (``−1``, ``^-2``, ``²``), joined by a space, ``·``, ``/``, ``per`` or nothing (``Scm−1``, ``Ωcm2``).  The
longest prefix of the run (ending after a symbol) that parses wins; a symbol must not run into a word
(``M`` of ``Mw``, ``K`` of ``KOH``), so chemical formulas after a unit are not swallowed.

>>> scan_unit("0.5 mS cm-1 at 25 °C", 4)
('mS cm-1', 4, 11, 'mS/cm')
>>> scan_unit("2 M NaOH", 2)
('M', 2, 3, 'M')
"""

from __future__ import annotations

import re
from functools import lru_cache

from matinfo.errors import UnitError

__all__ = ["scan_unit"]

_PREFIX = "[yzafpnµμumcdkMGT]"
_PREFIXED = ("mol", "eV", "Wh", "Ah", "Hz", "Pa", "bar", "Torr", "Ω", "ohm", "Ohm", "Oe", "Gy", "S", "V", "A", "W", "J",
             "g", "m", "s", "L", "l", "M", "F", "T", "K", "C")  # fmt: skip
_PLAIN = ("wt. %", "at. %", "mol. %", "vol. %", "wt.%", "at.%", "mol.%", "vol.%", "wt%", "at%", "mol %",
          "mol%", "vol%", "°C", "° C", "℃", "oC", "°F", "°", "%", "‰", "Å", "atm", "Torr", "torr", "ppm", "sccm",
          "rpm", "mins", "min", "hours", "hour", "hrs", "hr", "h", "minutes", "minute", "seconds", "second",
          "sec", "days", "day", "weeks", "week", "months", "month", "years", "degC", "mAh", "atoms", "atom",
          "f.u.", "fu", "mol", "eV", "Hz", "Pa", "bar", "Ω", "ohm", "Ohm", "Oe", "S", "V", "A", "W", "J", "g",
          "m", "s", "L", "M", "F", "T", "K", "cal", "kcal", "Da", "kDa")  # fmt: skip
#: Symbols that only count after a prefix (bare ``C`` is a C-rate or a carbon, bare ``l`` a letter).
_NEEDS_PREFIX = ("C", "l")
_ATOM = re.compile(
    "(?:"
    + "|".join(
        sorted(
            [re.escape(p) for p in _PLAIN]
            + [_PREFIX + re.escape(u) for u in _PREFIXED]
            + [re.escape(u) for u in _PREFIXED if u not in _NEEDS_PREFIX and u not in _PLAIN],
            key=len,
            reverse=True,
        )
    )
    + ")"
)
_EXPONENT = re.compile(r"(?:\^\s?[-−–+]?\d|[-−–]\d(?!\d|\.\d)|\d(?!\d|\.\d)|[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
#: Symbols that take only negative exponents (``°C−1``): a digit after them is a citation (``800 °C21``).
_NEGATIVE_ONLY = re.compile(r"(?:°\s?[CF]?|℃|oC|%|‰)$")
_NEGATIVE_EXPONENT = re.compile(r"(?:\^\s?[-−–]\d|[-−–]\d(?!\d|\.\d)|⁻[⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_SEPARATOR = re.compile(r"\s?[·⋅•∙*]\s?|\s?/\s?\(?|\s+per\s+|\s(?=[^\s])|\.(?=[A-Za-zµμΩ])|\)?\s?/\s?|")
_WORDISH = re.compile(r"[A-Za-zα-ωΑ-Ωµμ0-9]")
#: Digits glued after a unit are a citation (``800 °C21``), unless letters follow them (``K2O``).
_CITATION = re.compile(r"\d{1,3}(?:[,–-]\d{1,3})*(?!\w|\.\d)")


def _atom_at(s: str, pos: int) -> int | None:
    """End of the unit symbol (with its exponent) at ``pos``, or None."""
    m = _ATOM.match(s, pos)
    if m is None:
        return None
    end = m.end()
    e = (_NEGATIVE_EXPONENT if _NEGATIVE_ONLY.search(m.group()) else _EXPONENT).match(s, end)
    if e:
        end = e.end()
    return end


def scan_unit(s: str, pos: int) -> tuple[str, int, int, str] | None:
    """The unit starting at ``pos`` of ``s``: ``(text, start, end, format_unit spelling)`` or None.

    Parameters
    ----------
    s : str
        The text (a sentence).
    pos : int
        Where the unit would start (after the number and its gap).

    Returns
    -------
    tuple or None
        The unit as printed, its offsets, and its spelling by :func:`matinfo.core.units.format_unit`.
    """
    ends: list[int] = []
    i = pos
    depth = 0
    while True:
        end = _atom_at(s, i)
        if end is None:
            break
        if s[end : end + 1] == ")" and depth:
            end += 1
            depth -= 1
        ends.append(end)
        sep = _SEPARATOR.match(s, end)
        if sep is None or sep.end() == end and not _ATOM.match(s, end):
            break
        depth += sep.group().count("(")
        i = sep.end()
    for end in reversed(ends):
        if end < len(s) and _WORDISH.match(s, end) and s[end - 1] not in "%°":
            # the symbol runs into a word ("Mw", "KOH"); digits after a complete symbol are a citation
            if s[end - 1].isdigit() or not _CITATION.match(s, end):
                continue
        text = s[pos:end]
        spelled = _format(text)
        if spelled is not None:
            return text, pos, end, spelled
    return None


@lru_cache(maxsize=4096)
def _format(text: str) -> str | None:
    from matinfo.core.units import format_unit

    if text.count("(") != text.count(")"):
        return None
    try:
        spelled = format_unit(text)
    except UnitError:
        return None
    return spelled or None
