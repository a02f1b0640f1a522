"""Values without a printed number-and-unit pair: room temperature, pH, spelled durations.

Private to :mod:`matinfo.literature.values`: ``room temperature``/``RT``/``r.t.``/``ambient temperature`` is
298.15 K (:data:`matinfo.core.values.ROOM_TEMPERATURE_K`, the store's assumption too); ``pH 7``/``pH = 12.5`` has
the dimensionless unit ``pH``; ``two days``, ``three hours`` are durations.

>>> [(v.text, v.value, v.unit) for v in special_values("stirred for two days at room temperature, pH 7", [])]
[('room temperature', 298.15, 'K'), ('pH 7', 7.0, 'pH'), ('two days', 2.0, 'd')]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from matinfo.core.values import ROOM_TEMPERATURE_K
from matinfo.literature._numbers import MANTISSA
from matinfo.literature._units_scan import scan_unit

__all__ = ["SpecialValue", "special_values"]

_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
}  # fmt: skip
_WORD_QUANTITY = re.compile(
    r"(?<![\w-])(?P<num>"
    + "|".join(_WORD_NUMBERS)
    + r")\s(?P<unit>seconds?|minutes?|hours?|days?|weeks?|months?)\b",
    re.I,
)
_ROOM = re.compile(r"(?<![\w-])(?:room[\s-]temperature|ambient[\s-]temperature|RT|r\.\s?t\.)(?![\w-])", re.I)
_PH = re.compile(rf"(?<![\w-])pH(?:\s?(?:=|of|value of|~|∼|≈))?\s?(?P<num>{MANTISSA})(?![\d.]\d|\s?[%°])")


@dataclass(frozen=True)
class SpecialValue:
    """One such value: offsets, text, value, unit (format_unit spelling or ``pH``), kind and spans."""

    start: int
    end: int
    text: str
    value: float
    unit: str
    unit_text: str
    kind: str
    number_span: tuple[int, int]
    unit_span: tuple[int, int]


def _overlaps(a: int, b: int, taken: Sequence[tuple[int, int]]) -> bool:
    return any(x < b and a < y for x, y in taken)


def special_values(s: str, taken: Sequence[tuple[int, int]]) -> list[SpecialValue]:
    """The special values of ``s`` that do not overlap the ``taken`` spans (values already found)."""
    out = []
    for m in _ROOM.finditer(s):
        if m.group() == "rt" or _overlaps(m.start(), m.end(), taken):
            continue
        span = (m.start(), m.end())
        out.append(
            SpecialValue(*span, m.group(), ROOM_TEMPERATURE_K, "K", m.group(), "room-temperature", span, span)
        )
    for m in _PH.finditer(s):
        if not _overlaps(m.start(), m.end(), taken):
            value = float(m.group("num").replace(",", ""))
            num, unit = (m.start("num"), m.end("num")), (m.start(), m.start() + 2)
            out.append(SpecialValue(m.start(), m.end(), m.group(), value, "pH", "pH", "value", num, unit))
    for m in _WORD_QUANTITY.finditer(s):
        found = scan_unit(s, m.start("unit"))
        if found is None or _overlaps(m.start(), m.end(), taken):
            continue
        utext, ustart, uend, spelled = found
        value = float(_WORD_NUMBERS[m.group("num").lower()])
        num = (m.start(), m.end("num"))
        out.append(
            SpecialValue(
                m.start(), uend, s[m.start() : uend], value, spelled, utext, "value", num, (ustart, uend)
            )
        )
    return out
