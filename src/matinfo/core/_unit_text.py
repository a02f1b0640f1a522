"""Paper-style unit text → pint syntax: superscripts, unicode symbols, implicit products, ``W/mK``.

The text rules behind :func:`matinfo.core.units.parse_unit` (its module docstring lists them).
"""

from __future__ import annotations

import re

_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUP_RUN = re.compile(r"[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+")


def ascii_superscripts(text: str) -> str:
    """Replace unicode superscript exponents by ``^`` and ASCII digits (``cm⁻¹`` → ``cm^-1``).

    >>> ascii_superscripts("S·cm⁻¹ and 10⁻³")
    'S·cm^-1 and 10^-3'
    """
    return _SUP_RUN.sub(lambda m: "^" + m.group().translate(_SUP), text)


_CHAR_MAP = {
    "\u2212": "-",
    "\u2013": "-",
    "\u2010": "-",
    "\u2011": "-",  # minus signs and dashes
    "\u00b5": "u",
    "\u03bc": "u",  # micro sign, Greek mu
    "\u03a9": "ohm",
    "\u2126": "ohm",  # Greek Omega, ohm sign
    "\u00c5": "angstrom",
    "\u212b": "angstrom",
    "\u2103": "degC",
    "\u2109": "degF",
    "\u00b7": " ",
    "\u22c5": " ",
    "\u2022": " ",
    "\u2219": " ",
    "\u00d7": " ",  # multiplication dots
}
_SUBS = (  # ordered regex rewrites applied after _CHAR_MAP
    (re.compile(r"A\u030a"), "angstrom"),
    (re.compile(r"(?:°|º|\bdeg\.?)\s*([CF])\b"), r"deg\1"),
    (re.compile(r"\bo([CF])\b"), r"deg\1"),  # "700 oC": the degree sign as a letter o (text from PDFs)
    (re.compile(r"°\s*K\b"), "K"),
    (re.compile(r"°"), " degree "),
    (re.compile(r"\b(?:at|atom|atomic)\s*\.?\s*%"), " atomic_percent "),
    (re.compile(r"\b(?:wt|weight|mass)\s*\.?\s*%"), " weight_percent "),
    (re.compile(r"\b(?:mol|mole)\s*\.?\s*%"), " mole_percent "),
    (re.compile(r"\b(?:vol|volume)\s*\.?\s*%"), " volume_percent "),
    (re.compile(r"%"), " percent "),
    (re.compile(r"\bf\s*\.\s*u\s*\.?"), " fu "),
    (re.compile(r"\s+per\s+"), "/"),
    (re.compile(r"\*\*"), "^"),
    (re.compile(r"(?<=[A-Za-z])[.-](?=[A-Za-z])"), " "),  # m.K, m-K
    (re.compile(r"([A-Za-z])\s+([+-]\d)"), r"\1\2"),  # "cm -1" → "cm-1"
    (re.compile(r"\b([A-Za-z]+)([+-]?\d+)\b"), r"\1^\2"),  # cm-1 → cm^-1, cm3 → cm^3
    (re.compile(r"\s*\^\s*"), "^"),
    (re.compile(r"\b(?:[Oo]hm|ohm)(c?m)\b"), r"ohm \1"),  # Ohmcm
    (re.compile(r"\bVs\b"), "V s"),
    (re.compile(r"\b([munk]?S)(cm|m)(?=\^|\b)"), r"\1 \2"),  # Scm^-1, mScm^-1: siemens glued to the length
)
_DENOMINATOR_COMPOUND = re.compile(r"\b(c?m)K\b")  # W/mK: metre·kelvin, not millikelvin
_DIMENSIONLESS_WORDS = {"", "1", "-", "dimensionless", "unitless", "none", "a.u.", "arb. units"}


def _split_top_level(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "/" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _product(part: str) -> str:
    part = re.sub(r"\s*([*()])\s*", r"\1", part.strip())
    return re.sub(r"\s+", "*", part)


def normalise_unit_text(text: str) -> str:
    """Rewrite a paper-style unit into pint syntax (see the module docstring for the rules).

    >>> normalise_unit_text("W/mK")
    'W/(m*K)'
    >>> normalise_unit_text("mA h g-1")
    'mA*h*g^-1'
    >>> normalise_unit_text("mScm−1"), normalise_unit_text("vol.%"), normalise_unit_text("oC")
    ('mS*cm^-1', 'volume_percent', 'degC')
    """
    s = ascii_superscripts(text.strip())
    s = "".join(_CHAR_MAP.get(ch, ch) for ch in s)
    for pattern, repl in _SUBS:
        s = pattern.sub(repl, s)
    parts = _split_top_level(s)
    out = _product(parts[0]) or "1"
    for den in parts[1:]:
        den = _product(_DENOMINATOR_COMPOUND.sub(r"\1 K", den))
        out += f"/({den})" if re.search(r"[*/]", den) else f"/{den}"
    return out
