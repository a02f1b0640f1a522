"""Values with units as papers print them: numbers, uncertainties, ranges, lists, powers of ten, bounds.

:func:`find_quantities` scans a sentence and returns every number that carries a unit, as
:class:`QuantityMention` objects with offsets, the value, and the unit read by
:func:`matinfo.core.units.parse_unit` (this module only decides *where* a unit ends; reading it is core's job).

Read, as printed:

* ``1.2 × 10−3 S cm−1``, ``1.2x10^-3``, ``1.2·10⁻³``, ``1.2e-3``, a bare power ``10⁻⁴ S/cm``; ``10-4 S/cm``, its
  superscript lost in text extraction, is 10⁻⁴ (the "range" 10 → 4 would descend; ``10-N`` with N ≥ 10 is a
  power only for conductivities, S per length, and otherwise the range ``10-20 nm``);
* uncertainties ``0.63 ± 0.08``, ``1.2+/-0.3``, ``1.234(5)``, ``(1.2 ± 0.3) × 10−4``, ``1.2 ± 0.3 × 10−4``;
* ranges ``400–800 °C``, ``10-20 nm``, ``from 0.8 to 1.5 A cm−2``, ``between 475 and 525 °C``,
  ``650 °C to 800 °C``: one mention whose ``value`` is the midpoint and ``uncertainty`` the half-width (how a
  range is stored as one value), with ``low`` and ``high`` kept;
* lists sharing one unit, ``500, 550, and 600 °C``, ``∼1.2 and ∼0.7 W cm−2``, ``10 or 15 M``: one mention per
  number, each with the unit; a member's span is its number alone, the last member's includes the unit;
* bounds: comparison signs and words (``<``, ``≥``, ``~``, ``below``, ``above``, ``more than``, ``lower than``,
  ``sub-``) belong to the span; approximations and limits written as adverbs (``approximately``, ``about``,
  ``around``, ``ca.``, ``up to``, ``over``, ``at least``) set :attr:`QuantityMention.bound` but stay outside
  the span — the convention of the SOFC-Exp annotators, measured on its training papers;
* ``40-nm-thick`` (``-thick`` belongs to the value), ``100-nm particles``, spelled durations (``two days``),
  ``pH 7`` (unit ``pH``, dimensionless);
* ``room temperature``, ``RT``, ``r.t.``, ``ambient temperature``: 298.15 K
  (:data:`matinfo.core.values.ROOM_TEMPERATURE_K`, the store's assumption too);
* a reference electrode after a potential, ``~3.2 V vs Li/Li+``, in :attr:`QuantityMention.reference`.

A number without a unit (after list sharing) is not a quantity: counts, years, figure and reference numbers are
never reported.  Numbers glued to letters (``Li7La3Zr2O12``, ``8YSZ``) are parts of words.

>>> [(q.text, q.value, q.unit) for q in find_quantities("It shows 1.2 × 10−3 S cm−1 and ~3.2 V vs Li/Li+.")]
[('1.2 × 10−3 S cm−1', 0.0012, 'S/cm'), ('~3.2 V', 3.2, 'V')]
>>> [(q.text, q.unit) for q in find_quantities("at 500, 550, and 600 °C")]
[('500', 'degC'), ('550', 'degC'), ('600 °C', 'degC')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from matinfo.core.values import Bound
from matinfo.literature._numbers import (
    DASHES,
    EXPONENT,
    MANTISSA,
    Num,
    as_power,
    exponent_of,
    read_number,
    shared_power,
    tidy,
)
from matinfo.literature._special_values import special_values
from matinfo.literature._units_scan import scan_unit

__all__ = ["QuantityMention", "find_quantities", "Bound"]

_D = f"[{DASHES}]"
_PM = re.compile(r"\s?(?:±|\+/-|\+-|\+/−)\s?")
_RANGE_SEP = re.compile(rf"\s?(?:{_D}|~|∼)\s?|\s(?:to|-to-)\s")
_AND_SEP = re.compile(r"\s(?:and|&)\s")
_LIST_SEP = re.compile(r",\s(?:(?:and|or)\s)?|\s(?:and|or)\s|;\s")
_SYMBOL = re.compile(r"(?P<sym><=|>=|[<>≤≥⩽⩾~∼≈≃])\s?")
_PAREN_PM = re.compile(
    rf"\(\s?(?P<v>{MANTISSA})\s?(?:±|\+/-|\+-)\s?(?P<u>{MANTISSA})\s?\)(?P<exp>{EXPONENT})"
)
_SYMBOLS: dict[str, Bound] = {
    "<": "<", "≤": "<=", "⩽": "<=", "<=": "<=", ">": ">", "≥": ">=", "⩾": ">=", ">=": ">=",
    "~": "~", "∼": "~", "≈": "~", "≃": "~",
}  # fmt: skip
#: Bound words that are part of the value's span.
_IN_SPAN: dict[str, Bound] = {
    "below": "<", "less than": "<", "lower than": "<", "smaller than": "<", "above": ">", "more than": ">",
    "higher than": ">", "greater than": ">", "larger than": ">", "exceeding": ">", "in excess of": ">",
    "sub-": "<",
}  # fmt: skip
#: Adverbs that qualify the value but stay outside its span.
_OUTSIDE: dict[str, Bound] = {
    "approximately": "~", "approx.": "~", "about": "~", "around": "~", "ca.": "~", "nearly": "~",
    "roughly": "~", "almost": "~", "up to": "<=", "at most": "<=", "over": ">", "at least": ">=",
}  # fmt: skip


def _words_before(words: dict[str, Bound]) -> re.Pattern[str]:
    alts = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?P<word>{alts})\s?$", re.IGNORECASE)


_IN_SPAN_BEFORE = _words_before(_IN_SPAN)
_OUTSIDE_BEFORE = _words_before(_OUTSIDE)
_SYMBOL_BEFORE = re.compile(r"(?P<sym><=|>=|[<>≤≥⩽⩾~∼≈≃])\s?$")
_FROM_BEFORE = re.compile(r"(?<!\w)(?P<w>from|between)\s$", re.I)
_NOT_A_VALUE_BEFORE = re.compile(
    r"(?:\b(?:Fig|Figs|Figure|Figures|Table|Tables|Eq|Eqs|Eqn|Ref|Refs|Scheme|Section|Sec|No|Nos|Entry|Sample|"
    r"Samples|[Cc]ell|[Ss]tep|ref|eq|Run|run|Cycle|cycle|Chapter|Page|p|pp)\.?\s?|[#§])$"
)
_REFERENCE = re.compile(
    r"\s?(?:vs\.?|versus)\s?(?P<ref>(?:Li|Na|K|Mg|Zn|Ca|Al)\+?/(?:Li|Na|K|Mg|Zn|Ca|Al)(?:\+|2\+|3\+)?|"
    r"SHE|RHE|NHE|SCE|Ag/AgCl|Hg/HgO|Ag/Ag\+)(?![\w])"
)
_SUFFIX = re.compile(rf"{_D}(?:thick|thin|long|wide|deep|diameter|sized?)\b")
_NUMBER_START = re.compile(rf"[\d.⁻]|[{DASHES}+]\d")
_JOIN = re.compile(rf"\s?{_D}\s?|\s(?:to|and)\s")
#: Units after which ``10-12`` is a power of ten, not a range: conductivities (S per length).
_CONDUCTIVITY = re.compile(r"^[munk]?S/")


@dataclass(frozen=True)
class QuantityMention:
    """A printed value with a unit.

    Attributes
    ----------
    start, end : int
        Offsets of the printed value (bound sign or word, number(s), unit, ``-thick``) in the scanned text, plus
        the ``offset`` given to :func:`find_quantities`.
    text : str
        The value as printed (``raw_value``).
    value : float
        The number in the printed unit; a range's midpoint.
    unit : str
        The printed unit in :func:`matinfo.core.units.format_unit` spelling (``'S/cm'``, ``'degC'``, ``'%'``);
        ``'pH'`` for a pH.
    unit_text : str
        The unit as printed.
    uncertainty : float or None
        Standard uncertainty (``±``, concise ``1.234(5)``) or a range's half-width, in the printed unit.
    bound : {'<', '<=', '>', '>=', '~'} or None
    low, high : float or None
        Ends of a range (``None`` for a single value).
    kind : {'value', 'range', 'list', 'room-temperature'}
    number_span, unit_span : tuple of int
        Offsets of the number(s) and of the unit (for a list member: its own number, the shared unit).
    reference : str or None
        Reference electrode of a potential (``'Li/Li+'``).
    """

    start: int
    end: int
    text: str
    value: float
    unit: str
    unit_text: str
    uncertainty: float | None = None
    bound: Bound | None = None
    low: float | None = None
    high: float | None = None
    kind: str = "value"
    number_span: tuple[int, int] = (0, 0)
    unit_span: tuple[int, int] = (0, 0)
    reference: str | None = None

    def shifted(self, offset: int) -> QuantityMention:
        """The same mention with every offset moved by ``offset``."""
        n, u = self.number_span, self.unit_span
        return replace(
            self,
            start=self.start + offset,
            end=self.end + offset,
            number_span=(n[0] + offset, n[1] + offset),
            unit_span=(u[0] + offset, u[1] + offset),
        )


@dataclass(frozen=True)
class _Member:
    """One list member: a number, maybe its uncertainty or the upper end of its range, and a bound sign."""

    lo: Num
    hi: Num | None
    start: int  # including a bound sign written before it
    bound: Bound | None = None

    @property
    def end(self) -> int:
        return self.hi.end if self.hi is not None else self.lo.end


def _allowed_start(s: str, pos: int) -> bool:
    """A number may start here: not inside a word (``Li7``, ``8YSZ``) nor after ``Fig.``/``Table``."""
    if pos == 0:
        return True
    prev = s[pos - 1]
    if prev.isalnum() or prev in ".,)]}_/'’":
        return False
    if prev in DASHES and pos >= 2 and (s[pos - 2].isalpha() or s[pos - 2] in ")]"):
        word = re.search(r"([A-Za-z]+)$", s[: pos - 1])
        return bool(word) and word.group(1).lower() == "sub"
    return not _NOT_A_VALUE_BEFORE.search(s[max(0, pos - 12) : pos])


def find_quantities(text: str, offset: int = 0) -> list[QuantityMention]:
    """Every value with a unit in ``text`` (rules in the module docstring), in text order.

    Parameters
    ----------
    text : str
        A sentence (ranges and lists are not searched across sentence ends).
    offset : int
        Added to every offset of the mentions (the text's start in its document).

    Returns
    -------
    list of QuantityMention

    >>> [(q.text, q.low, q.high, q.unit) for q in find_quantities("sintered between 475 and 525 °C for 2 h")]
    [('between 475 and 525 °C', 475.0, 525.0, 'degC'), ('2 h', None, None, 'h')]
    >>> [(q.value, q.unit) for q in find_quantities("σ = 10-4 S/cm, or 0.5 mS cm-1 at about 25 °C")]
    [(0.0001, 'S/cm'), (0.5, 'mS/cm'), (25.0, 'degC')]
    """
    out: list[QuantityMention] = []
    pos, n = 0, len(text)
    last_end = -1
    while pos < n:
        m = _NUMBER_START.search(text, pos)
        if m is None:
            break
        start = m.start()
        if text[start] in DASHES and start and (text[start - 1].isalnum() or text[start - 1] in ")]"):
            start += 1  # a hyphen inside a compound ("sub-500-nm") or a range dash after a unit, not a sign
        if start - 1 != last_end and not _allowed_start(text, start):
            pos = start + 1
            while pos < n and (text[pos].isalnum() or text[pos] == "."):
                pos += 1
            continue
        found, end = _group(text, start)
        out.extend(found)
        if found:
            last_end = end
        pos = max(end, start + 1)
    out.extend(_special_mentions(text, out))
    out.sort(key=lambda q: q.start)
    out = _merge_unit_ranges(text, out)
    return [q.shifted(offset) for q in out] if offset else out


def _first_number(s: str, start: int) -> Num | None:
    paren = _PAREN_PM.match(s, start - 1) if start and s[start - 1] == "(" else None
    if paren:  # "(1.2 ± 0.3) × 10−4": the bracket opened one character earlier
        exp = exponent_of(paren.group("exp"))
        value = float(f"{paren.group('v').replace(',', '')}e{exp}")
        unc = float(f"{paren.group('u').replace(',', '')}e{exp}")
        return Num(value, start - 1, paren.end(), unc, True)
    return read_number(s, start)


def _member(s: str, first: Num, allow_and: bool) -> _Member:
    """Extend a number by ``± u`` and by a range end (``–``, ``to``, ``and`` after ``between``)."""
    cur = as_power(s, first)
    pm = _PM.match(s, cur.end)
    if pm and cur.uncertainty is None:
        u = read_number(s, pm.end())
        if u is not None:
            value, unc = shared_power(cur, u)
            cur = Num(value, cur.start, u.end, unc, True)
    sep = _RANGE_SEP.match(s, cur.end) or (_AND_SEP.match(s, cur.end) if allow_and else None)
    hi = None
    if sep is not None:
        other = read_number(s, sep.end())
        if other is not None:
            hi = as_power(s, other)
    return _Member(cur, hi, cur.start)


def _group(s: str, start: int) -> tuple[list[QuantityMention], int]:
    """Read the value group starting at ``start``; returns its mentions and where scanning goes on."""
    first = _first_number(s, start)
    if first is None:
        return [], start + 1
    between = _FROM_BEFORE.search(s[max(0, start - 9) : start])
    members = [_member(s, first, bool(between) and between.group("w").lower() == "between")]
    pos = members[0].end
    while True:  # a list of numbers sharing the unit written after the last one
        lm = _LIST_SEP.match(s, pos)
        if lm is None:
            break
        at, bound = lm.end(), None
        sym = _SYMBOL.match(s, at)
        if sym:
            at, bound = sym.end(), _SYMBOLS[sym.group("sym")]
        nxt = read_number(s, at)
        if nxt is None:
            break
        member = _member(s, nxt, False)
        members.append(replace(member, start=lm.end(), bound=bound))
        pos = member.end
    unit = _unit_after(s, pos)
    if unit is None and len(members) > 1:  # not a list after all: only the first number may have a unit
        members = members[:1]
        pos = members[0].end
        unit = _unit_after(s, pos)
    if unit is None:
        return [], pos
    utext, ustart, uend, spelled = unit
    end = uend
    suffix = _SUFFIX.match(s, end)
    if suffix:
        end = suffix.end()
    rm = _REFERENCE.match(s, end)
    ref = rm.group("ref") if rm and spelled.endswith("V") else None
    found = []
    last = len(members) - 1
    for i, mem in enumerate(members):
        lo, hi = mem.lo, mem.hi
        if lo.glued_power and hi is not None and lo.glued_power[1] == hi.end and _CONDUCTIVITY.match(spelled):
            lo, hi = replace(lo, value=lo.glued_power[0], end=hi.end, glued_power=None), None  # 10-12 S/cm
        span_start, bound = mem.start, mem.bound
        if i == 0:
            span_start, bound = _prefix(s, lo.start, hi is not None)
        number_end = hi.end if hi is not None else lo.end
        if hi is not None:
            low, high = sorted((lo.value, hi.value))
            value, unc = (low + high) / 2, (high - low) / 2
        else:
            low = high = None
            value, unc = lo.value, lo.uncertainty
        kind = "list" if len(members) > 1 else "range" if hi is not None else "value"
        span_end = end if i == last else number_end
        found.append(
            QuantityMention(
                start=span_start,
                end=span_end,
                text=s[span_start:span_end],
                value=tidy(value),
                unit=spelled,
                unit_text=utext,
                uncertainty=None if unc is None else tidy(unc),
                bound=bound,
                low=None if low is None else tidy(low),
                high=None if high is None else tidy(high),
                kind=kind,
                number_span=(lo.start, number_end),
                unit_span=(ustart, uend),
                reference=ref,
            )
        )
    return found, end


def _prefix(s: str, num_start: int, is_range: bool) -> tuple[int, Bound | None]:
    """Where the span starts (a sign, a comparative, ``from``) and the bound written before the number."""
    before = s[max(0, num_start - 30) : num_start]
    base = num_start - len(before)
    if is_range:
        fm = _FROM_BEFORE.search(before)
        if fm:
            return base + fm.start(), None
    sm = _SYMBOL_BEFORE.search(before)
    if sm:
        return base + sm.start(), _SYMBOLS[sm.group("sym")]
    im = _IN_SPAN_BEFORE.search(before)
    if im:
        return base + im.start(), _IN_SPAN[im.group("word").lower()]
    om = _OUTSIDE_BEFORE.search(before)
    if om:
        return num_start, _OUTSIDE[om.group("word").lower()]
    return num_start, None


_GAPS = ("", " ", "\u00a0", "\u2009", "\u202f", "-", "\u2010", "\u2011")


def _unit_after(s: str, pos: int) -> tuple[str, int, int, str] | None:
    """The unit right after a number: after no space, one space, or a hyphen (``40-nm-thick``)."""
    for gap in _GAPS:
        if s.startswith(gap, pos):
            found = scan_unit(s, pos + len(gap))
            if found is not None:
                return found
    return None


def _special_mentions(s: str, found: list[QuantityMention]) -> list[QuantityMention]:
    """Room temperature, pH values and spelled durations where no number mention is."""
    taken = [(q.start, q.end) for q in found]
    return [
        QuantityMention(m.start, m.end, m.text, m.value, m.unit, m.unit_text, kind=m.kind,
                        number_span=m.number_span, unit_span=m.unit_span)
        for m in special_values(s, taken)
    ]  # fmt: skip


def _merge_unit_ranges(s: str, qs: list[QuantityMention]) -> list[QuantityMention]:
    """``650 °C to 800 °C``, ``from 0.89 V to 0.3 V``, ``between 3 and 4 V``: two mentions, one range."""
    out: list[QuantityMention] = []
    i = 0
    while i < len(qs):
        a = qs[i]
        b = qs[i + 1] if i + 1 < len(qs) else None
        if b is not None and a.kind == "value" == b.kind and a.unit == b.unit and a.bound is None is b.bound:
            gap = s[a.end : b.start]
            fm = _FROM_BEFORE.search(s[max(0, a.start - 9) : a.start])
            is_and = gap.strip().lower() == "and"
            if _JOIN.fullmatch(gap) and (
                not is_and or (fm is not None and fm.group("w").lower() == "between")
            ):
                start = a.start - len(fm.group()) if fm else a.start
                low, high = sorted((a.value, b.value))
                out.append(
                    replace(a, start=start, end=b.end, text=s[start : b.end], value=tidy((low + high) / 2),
                            uncertainty=tidy((high - low) / 2), low=low, high=high, kind="range",
                            number_span=(a.number_span[0], b.number_span[1]), unit_span=b.unit_span,
                            reference=a.reference or b.reference)
                )  # fmt: skip
                i += 2
                continue
        out.append(a)
        i += 1
    return out
