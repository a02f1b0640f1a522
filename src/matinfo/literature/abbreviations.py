"""Abbreviations defined in the text: ``Li7La3Zr2O12 (LLZO)``, ``yttria-stabilized zirconia (YSZ)``.

The long form of ``LONG (SHORT)`` is found with the algorithm of Schwartz & Hearst (Pacific Symposium on
Biocomputing 8:451, 2003): walking both strings from the end, every character of the short form must appear in
order in the long form, the first one at the start of a word (a capital inside a formula, ``La`` of
``Li7La3Zr2O12``, counts as the start of an element symbol); the long form is the shortest run of at most
``min(len(short) + 5, 2 * len(short))`` words before the bracket that does.  The reverse order,
``LLZO (Li7La3Zr2O12)``, is taken when the bracket holds a formula.  ``(denoted as X)``, ``(hereafter X)``,
``(X for short)`` are read too.

>>> [(a.short, a.long) for a in find_abbreviations("Garnet Li7La3Zr2O12 (LLZO) and yttria-stabilized zirconia (YSZ).")]
[('LLZO', 'Li7La3Zr2O12'), ('YSZ', 'yttria-stabilized zirconia')]
>>> [(a.short, a.long) for a in find_abbreviations("LSCF (La0.6Sr0.4Co0.2Fe0.8O3−δ) cathodes")]
[('LSCF', 'La0.6Sr0.4Co0.2Fe0.8O3−δ')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matinfo.literature.formulas import formula_of

__all__ = ["Abbreviation", "find_abbreviations", "abbreviation_map"]

_PAREN = re.compile(r"\((?P<inner>[^()]{1,80})\)")
_INTRO = re.compile(
    r"^(?:denoted\s+(?:as\s+)?|hereafter\s+(?:denoted\s+(?:as\s+)?|called\s+|referred\s+to\s+as\s+)?|"
    r"abbreviated\s+(?:as\s+)?|referred\s+to\s+as\s+|named\s+|called\s+|i\.e\.,?\s+|or\s+)",
    re.I,
)
_SHORT = re.compile(r"^(?=.*[A-Z].*[A-Z0-9])[A-Za-z0-9][A-Za-z0-9\-+/.]{1,14}$")
_WORD = re.compile(r"[^\s]+")


@dataclass(frozen=True)
class Abbreviation:
    """A defined abbreviation: the short form, its long form, and their offsets in the text."""

    short: str
    long: str
    short_span: tuple[int, int]
    long_span: tuple[int, int]


def _short_form(inner: str) -> str | None:
    text = _INTRO.sub("", inner.strip())
    text = re.sub(r"\s+for\s+short$", "", text)
    text = re.split(r"[;,]\s", text)[0].strip()
    if not _SHORT.match(text) or text.replace(".", "").isdigit():
        return None
    return text


def _matches(short: str, long: str) -> bool:
    """Schwartz–Hearst: the short form's characters appear in order in the long form, the first at a word start."""
    s_i, l_i = len(short) - 1, len(long) - 1
    while s_i >= 0:
        c = short[s_i].lower()
        if not c.isalnum():
            s_i -= 1
            continue
        while l_i >= 0 and (
            long[l_i].lower() != c
            or (s_i == 0 and l_i > 0 and long[l_i - 1].isalnum() and not long[l_i].isupper())
        ):
            l_i -= 1
        if l_i < 0:
            return False
        l_i -= 1
        s_i -= 1
    return True


def _long_before(text: str, end: int, short: str) -> tuple[int, int] | None:
    """Offsets of the shortest matching long form ending at ``end`` (just before the bracket)."""
    words = list(_WORD.finditer(text[max(0, end - 300) : end]))
    base = max(0, end - 300)
    limit = min(len(short) + 5, 2 * len(short))
    for n in range(1, min(limit, len(words)) + 1):
        first = words[-n]
        if re.search(r"[.;:!?]$", first.group()) and n > 1:
            break
        start = base + first.start()
        candidate = text[start:end].rstrip()
        if candidate.lower().startswith(short.lower()) and n == 1 and len(candidate) == len(short):
            continue
        if candidate and candidate[0].lower() == short[0].lower() and _matches(short, candidate):
            return start, start + len(candidate)
    return None


def find_abbreviations(text: str) -> list[Abbreviation]:
    """Abbreviations defined in ``text``, in order of definition.

    Parameters
    ----------
    text : str
        A document's text (or a sentence).

    Returns
    -------
    list of Abbreviation
        One per definition site; the long form keeps its printed text.
    """
    out = []
    for m in _PAREN.finditer(text):
        inner = m.group("inner")
        short = _short_form(inner)
        if short is not None:
            long_span = _long_before(text, m.start(), short)
            if long_span is not None:
                s0 = m.start("inner") + inner.index(short)
                out.append(
                    Abbreviation(short, text[long_span[0] : long_span[1]], (s0, s0 + len(short)), long_span)
                )
                continue
        # reverse order: SHORT (formula)
        inner_clean = inner.strip()
        if formula_of(inner_clean) is not None:
            prev = re.search(r"(\S+)\s*$", text[: m.start()])
            if prev and _SHORT.match(prev.group(1)) and formula_of(prev.group(1)) is None:
                short = prev.group(1)
                if _matches(short, inner_clean):
                    i0 = m.start("inner") + inner.index(inner_clean)
                    out.append(
                        Abbreviation(
                            short, inner_clean, (prev.start(1), prev.end(1)), (i0, i0 + len(inner_clean))
                        )
                    )
    return out


def abbreviation_map(text: str) -> dict[str, str]:
    """``{short: long}`` for a document; the first definition of a short form wins.

    >>> abbreviation_map("gadolinium-doped ceria (GDC) ... GDC (Gd0.1Ce0.9O1.95)")
    {'GDC': 'gadolinium-doped ceria'}
    """
    out: dict[str, str] = {}
    for a in find_abbreviations(text):
        out.setdefault(a.short, a.long)
    return out
