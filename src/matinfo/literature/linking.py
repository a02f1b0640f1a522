"""Within a sentence: which value is which property, under which conditions, of which material.

Rules, in order (each value is decided once):

1. **Property.** The nearest property word before the value whose quantity fits the value's unit
   (:func:`~matinfo.literature.properties.fits`); else the nearest fitting word after it (within
   :data:`AFTER_REACH` characters: ``1.2 mS cm−1 ionic conductivity``); else the property the unit names by itself
   (``mAh g−1``); a potential with a reference electrode (``3.2 V vs Li/Li+``) is an average voltage.  Percent
   values and numbers without unit (``ZT of 1.2``) need a property word within :data:`PERCENT_REACH`
   characters before them.  Everything else is a condition candidate.
2. **Conditions.** Temperature, voltage, current density, specific current, C-rate, pressure and frequency
   values that are not properties, ``room temperature``, the atmosphere (``in air``, ``in wet H2``, ``under Ar``)
   and the reference electrode.  Lists paired by ``respectively`` go by position (``25, 51 and 97 mW cm−2 at
   500, 550 and 600 °C, respectively``); otherwise the nearest one after the value — a temperature also across
   other values of the same clause (``1.20 W cm−2 and a current density of 2.83 A cm−2 at 650 °C``), not past
   a comma or ``while``; a voltage or current only if it follows this value or its list — else the nearest before it that no other value owns (``0.5 mS cm−1 at 25 °C and Ea = 0.32 eV``:
   25 °C is the conductivity's) and no value of another property separates from it; a condition before every
   value (``At 600 °C, ...``) holds for all.
3. **Material.** With ``respectively`` and as many specific materials as values of the property, by position;
   else the last specific material between the property word and the value (``the band gap of TiO2 is``); else
   the nearest one before the property word; else the nearest after the value; else the last specific material
   of the previous sentence in the same paragraph (``link`` says which).

>>> from matinfo.literature.values import find_quantities
>>> s = "LLZO shows an ionic conductivity of 0.5 mS cm−1 at 25 °C and Ea = 0.32 eV."
>>> [(v.quantity.text, v.property, v.conditions) for v in assign_properties(s, find_quantities(s))]
[('0.5 mS cm−1', 'ionic_conductivity', {'temperature': 298.15}), ('0.32 eV', 'activation_energy', {})]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from matinfo.literature.materials import MaterialMention
from matinfo.literature.properties import default_property, find_terms, fits, same_dimension
from matinfo.literature.values import QuantityMention

__all__ = ["PropertyValue", "assign_properties", "link_materials", "AFTER_REACH", "PERCENT_REACH"]

#: How far after a value (characters) a property word may follow it: ``1.2 mS cm−1 ionic conductivity``.
AFTER_REACH = 40
#: How far before a percentage or a unitless number a property word must be.
PERCENT_REACH = 60
_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)
_ATMOSPHERE = re.compile(
    r"\b(?:in|under)\s+(?P<gas>(?:(?:wet|dry|humidified|flowing|static|pure|ambient|synthetic)\s+)?"
    r"(?:air|vacuum|H2(?:/H2O|/N2|/Ar)?|O2|N2|Ar|He|CO2|CH4|argon|nitrogen|oxygen|hydrogen|helium))\b"
)
_C_RATE = re.compile(r"(?<![\w.])(?P<n>\d+(?:\.\d+)?|\d*/\d+)\s?C(?:[\s-]rate)?\b(?![\w°])")
_UNITLESS = re.compile(
    r"\s?(?:\(\w+\)\s?)?(?:of|=|value of|values of|reach(?:ed|es)?|was|is|as high as|up to|around|about|~|∼|≈)?"
    r"\s?(?P<num>\d+(?:\.\d+)?)(?![\d.]?\d)"
)
#: Condition quantities and the canonical-unit reference of their dimension.
_CONDITIONS = (("temperature", "K"), ("voltage", "V"), ("current_density", "mA/cm^2"),
               ("specific_current", "mA/g"), ("pressure", "GPa"), ("frequency", "Hz"))  # fmt: skip


@dataclass(frozen=True)
class PropertyValue:
    """A value identified as a property, with its conditions (canonical units) and the word that named it.

    ``term_start`` is the offset (in the sentence) of the property word, or of the value when a unit named it.
    ``material`` and ``link`` are set by :func:`link_materials`.
    """

    quantity: QuantityMention
    property: str
    term_start: int
    conditions: dict[str, float | str] = field(default_factory=dict)
    material: MaterialMention | None = None
    link: str | None = None


def _condition_kind(q: QuantityMention) -> str | None:
    if q.kind == "room-temperature":
        return "temperature"
    for name, ref in _CONDITIONS:
        if q.unit and q.unit != "pH" and same_dimension(q.unit, ref):
            return name
    return None


def _unitless_values(sentence: str, terms: list, taken: Sequence[QuantityMention]) -> list[QuantityMention]:
    """``ZT of 1.2``, ``coulombic efficiency of 99.5`` (no unit): a number right after a dimensionless property."""
    out = []
    for term, m in terms:
        if term.quantity not in ("zt", "coulombic_efficiency"):
            continue
        u = _UNITLESS.match(sentence, m.end())
        if u is None:
            continue
        a, b = u.start("num"), u.end("num")
        if any(q.start < b and a < q.end for q in taken) or sentence[b : b + 1] in ("%", "°"):
            continue
        value = float(u.group("num"))
        out.append(QuantityMention(a, b, sentence[a:b], value, "", "", number_span=(a, b), unit_span=(b, b)))
    return out


def assign_properties(
    sentence: str, quantities: Sequence[QuantityMention], *, conductivity: str | None = None
) -> list[PropertyValue]:
    """Property values of one sentence with their conditions (rules 1 and 2 of the module docstring).

    Parameters
    ----------
    sentence : str
    quantities : sequence of QuantityMention
        From :func:`~matinfo.literature.values.find_quantities` on ``sentence`` (offsets within it).
    conductivity : str, optional
        What an unqualified conductivity is in this document
        (:func:`~matinfo.literature.properties.document_conductivity`).

    Returns
    -------
    list of PropertyValue
        In text order; ``material`` not yet set.
    """
    terms = find_terms(sentence, conductivity=conductivity)
    qs = sorted(list(quantities) + _unitless_values(sentence, terms, quantities), key=lambda q: q.start)
    props: list[PropertyValue] = []
    conditions: list[tuple[QuantityMention, str]] = []
    for q in qs:
        chosen = _choose_term(sentence, q, terms)
        if chosen is not None:
            props.append(PropertyValue(q, chosen[0], chosen[1]))
            continue
        kind = _condition_kind(q)
        if q.unit == "V" and q.reference:
            props.append(PropertyValue(q, "average_voltage", q.start))
        elif (
            q.kind != "room-temperature"
            and (prop := default_property(q.unit, sentence, conductivity=conductivity)) is not None
        ):
            props.append(PropertyValue(q, prop, q.start))
        elif kind is not None:
            conditions.append((q, kind))
    return [replace(p, conditions=_conditions_for(sentence, p, props, conditions)) for p in props]


def _choose_term(sentence: str, q: QuantityMention, terms: list) -> tuple[str, int] | None:
    if q.kind == "room-temperature":
        return None
    percentish = q.unit in ("", "%")
    before = [(q.start - m.end(), t, m) for t, m in terms if m.end() <= q.start and fits(t.quantity, q.unit)]
    before = [b for b in before if not percentish or b[0] <= PERCENT_REACH]
    if before:
        _, t, m = min(before, key=lambda x: x[0])
        if not _blocked(sentence, m.end(), q.start, t.quantity):
            return t.quantity, m.start()
    if percentish:
        return None
    after = [(m.start() - q.end, t, m) for t, m in terms if m.start() >= q.end and fits(t.quantity, q.unit)]
    after = [a for a in after if a[0] <= AFTER_REACH]
    if after:
        _, t, m = min(after, key=lambda x: x[0])
        return t.quantity, m.start()
    if before:  # blocked but the only candidate: still the best reading
        _, t, m = min(before, key=lambda x: x[0])
        return t.quantity, m.start()
    return None


def _blocked(sentence: str, a: int, b: int, quantity: str) -> bool:
    """A sentence break (``;``) lies between the property word and the value."""
    return ";" in sentence[a:b]


def _conditions_for(
    sentence: str, p: PropertyValue, props: list[PropertyValue], conditions: list[tuple[QuantityMention, str]]
) -> dict[str, float | str]:
    from matinfo.literature.properties import canonical_value

    out: dict[str, float | str] = {}
    respectively = bool(_RESPECTIVELY.search(sentence))
    same = [x for x in props if x.property == p.property]
    index = same.index(p)
    by_kind: dict[str, list[QuantityMention]] = {}
    for q, kind in conditions:
        by_kind.setdefault(kind, []).append(q)
    for kind, qs in by_kind.items():
        if kind == "voltage" and p.property in ("open_circuit_voltage", "average_voltage"):
            continue
        if respectively and len(qs) == len(same) > 1:
            chosen = qs[index]
        else:
            owners = {id(q): _owner(sentence, props, q) for q in qs}
            after = [q for q in qs if q.start >= p.quantity.end and _owned_by(owners[id(q)], p, kind)
                     and not _other_value_between(props, p, q, sentence)]  # fmt: skip
            before = [q for q in qs if q.end <= p.quantity.start and owners[id(q)] in (None, p)
                      and not _other_value_between(props, p, q, sentence)]  # fmt: skip
            chosen = after[0] if after else before[-1] if before else None
        if chosen is None:
            continue
        if kind == "temperature" and chosen.kind == "room-temperature":
            out["temperature"] = chosen.value
            continue
        try:
            out[kind] = canonical_value(kind, chosen.value, chosen.unit)
        except (ValueError, KeyError):
            continue
    gas = _ATMOSPHERE.search(sentence)
    if gas:
        out["atmosphere"] = gas.group("gas")
    if p.quantity.reference:
        out["reference_electrode"] = p.quantity.reference
    if p.property in ("specific_capacity", "average_voltage", "coulombic_efficiency", "energy_density"):
        rate = _C_RATE.search(sentence)
        if rate and "/" not in rate.group("n"):
            out["c_rate"] = float(rate.group("n"))
        elif rate:
            num, den = rate.group("n").split("/")
            out["c_rate"] = (float(num) if num else 1.0) / float(den)
    return out


_CLAUSE_BREAK = re.compile(r"[,;]|\b(?:while|whereas|but|although)\b")


def _other_value_between(
    props: list[PropertyValue], p: PropertyValue, q: QuantityMention, sentence: str = ""
) -> bool:
    """A value of another property separates condition ``q`` from value ``p``: ``q`` is that one's.

    After ``p``, a condition reaches across other values within one clause (``1.2 W cm−2 and a current density
    of 2.8 A cm−2 at 650 °C``); before ``p``, never — except one before every value (``At 600 °C, ...``).
    """
    if all(q.end <= o.quantity.start for o in props):
        return False
    after = q.start >= p.quantity.end
    lo, hi = (p.quantity.end, q.start) if after else (q.end, p.quantity.start)
    crossed = any(lo <= o.quantity.start and o.quantity.end <= hi for o in props if o.property != p.property)
    if crossed and after:
        return bool(_CLAUSE_BREAK.search(sentence[lo:hi]))
    return crossed


_OWNED_GAP = re.compile(r"\s*(?:at|@|under|in|,)?\s*")


def _owned_by(owner: PropertyValue | None, p: PropertyValue, kind: str) -> bool:
    """A condition after ``p`` can be ``p``'s: nobody owns it, or ``p`` or a value of its property does (a
    list), or — for a temperature, which a clause shares — a later value does."""
    if owner is None or owner is p or owner.property == p.property:
        return True
    return kind == "temperature" and owner.quantity.start >= p.quantity.start


def _owner(sentence: str, props: list[PropertyValue], q: QuantityMention) -> PropertyValue | None:
    """The value a condition directly follows (``0.5 S cm−1 at 600 °C``), if any."""
    before = [o for o in props if o.quantity.end <= q.start]
    if not before:
        return None
    last = max(before, key=lambda o: o.quantity.end)
    return last if _OWNED_GAP.fullmatch(sentence[last.quantity.end : q.start]) else None


def link_materials(
    sentence_start: int,
    values: list[PropertyValue],
    mentions: Sequence[MaterialMention],
    previous: MaterialMention | None,
    sentence: str,
) -> list[PropertyValue]:
    """Give each property value its material (rule 3 of the module docstring).

    Parameters
    ----------
    sentence_start : int
        Offset of the sentence in the document (mentions carry document offsets, values sentence offsets).
    values : list of PropertyValue
    mentions : sequence of MaterialMention
        The sentence's specific material mentions.
    previous : MaterialMention or None
        The last specific mention of the previous sentence in the paragraph.
    sentence : str

    Returns
    -------
    list of PropertyValue
        Values without a material in reach are left out.
    """
    mats = [m for m in mentions if not any(
        v.quantity.start + sentence_start < m.end and m.start < v.quantity.end + sentence_start for v in values
    )]  # fmt: skip
    out = []
    respectively = bool(_RESPECTIVELY.search(sentence))
    for v in values:
        same = [x for x in values if x.property == v.property]
        firsts = _distinct(mats, before=same[0].quantity.start + sentence_start)
        if respectively and len(same) > 1 and len(firsts) == len(same):
            out.append(replace(v, material=firsts[same.index(v)], link="respectively"))
            continue
        term = min(v.term_start, v.quantity.start) + sentence_start
        value_start = v.quantity.start + sentence_start
        between = [m for m in mats if term <= m.start and m.end <= value_start]  # "the band gap of TiO2 is"
        before = [m for m in mats if m.end <= term]
        after = [m for m in mats if m.start >= v.quantity.end + sentence_start]
        if between:
            out.append(replace(v, material=between[-1], link="sentence"))
        elif before:
            out.append(replace(v, material=before[-1], link="sentence"))
        elif after:
            out.append(replace(v, material=after[0], link="sentence"))
        elif previous is not None:
            out.append(replace(v, material=previous, link="previous-sentence"))
    return out


def _distinct(mats: Sequence[MaterialMention], before: int) -> list[MaterialMention]:
    """Specific mentions before ``before``, one per material (an abbreviation and its long form are one)."""
    out: list[MaterialMention] = []
    seen: set[str] = set()
    for m in mats:
        if m.end > before:
            break
        key = m.formula or m.long_form or m.text
        if key in seen or m.long_form and any(o.text == m.long_form for o in out):
            continue
        seen.add(key)
        out.append(m)
    return out
