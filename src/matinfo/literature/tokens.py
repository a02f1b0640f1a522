"""Word tokens with character offsets, cut so that formulas, composites and numbers stay whole.

A token is a run of non-space characters with unbalanced brackets and trailing punctuation split off, and cut
where a ``/``, ``|`` or a hyphen before a capital joins two words (so that a tagger can keep ``Ni-YSZ`` together
or take ``Pt/GDC/Pt`` apart): ``Ca3(PO4)2``, ``[Li0.95Nb0.01]NbO3``, ``(Sr,A)Ti0.65Fe0.35O3−δ``,
``La1-xSrxMnO3-δ``, ``YSZ-based`` and ``1.2×10−3`` stay one token, ``(LLZO),`` becomes ``(``, ``LLZO``, ``)``,
``,`` and ``Ni-YSZ`` becomes ``Ni``, ``-``, ``YSZ``.  A sentence-final ``.`` is split off unless the
word is a known abbreviation (``Fig.``, ``ca.``, ``al.``).  Offsets index the text given, so spans found on tokens
map back to the document unchanged.

>>> [t.text for t in tokenize("Li7La3Zr2O12 (LLZO), i.e. a garnet, conducts ~1 mS cm−1 at 25 °C.")]
['Li7La3Zr2O12', '(', 'LLZO', ')', ',', 'i.e.', 'a', 'garnet', ',', 'conducts', '~1', 'mS', 'cm−1', 'at', '25', '°C', '.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Token", "tokenize", "ABBREVIATIONS", "SPACE_CHARS"]

#: Characters treated as spaces (besides ``str.isspace``): no-break, thin and narrow spaces.
SPACE_CHARS = "\u00a0\u2009\u202f\u200a\u2002\u2003\u2007\u2008"

#: Words (lower case, without the final dot) whose dot does not end a sentence and stays with the word.
ABBREVIATIONS = frozenset(
    (
        "fig figs eq eqs eqn eqns ref refs tab no nos vs ca approx e.g i.e cf al resp viz vol pp sec "
        "ch chap dr prof mr ms mrs st wt at mol min max avg exp expt calc corp inc ltd co.ltd jpn etc "
        "ed eds fwhm temp conc sol soln aq dept univ"
    ).split()
)

_OPEN, _CLOSE = "([{", ")]}"
_PAIR = {")": "(", "]": "[", "}": "{"}
_TRAIL = ",;:!?\"'”’»"
_LEAD = "\"'“‘«"
_CHUNK = re.compile(rf"[^\s{SPACE_CHARS}]+")


@dataclass(frozen=True)
class Token:
    """One token: its text and ``[start, end)`` offsets in the text that was tokenized."""

    text: str
    start: int
    end: int


def _is_formula(word: str) -> bool:
    from matinfo.literature.formulas import formula_of

    return formula_of(word) is not None


def _balance(s: str) -> int:
    return sum(ch in _OPEN for ch in s) - sum(ch in _CLOSE for ch in s)


def _split_chunk(chunk: str, start: int) -> list[Token]:
    """Peel punctuation off one whitespace-free chunk; the middle keeps balanced brackets."""
    lo, hi = 0, len(chunk)
    head: list[Token] = []
    tail: list[Token] = []
    while lo < hi:
        ch, last = chunk[lo], chunk[hi - 1]
        core = chunk[lo:hi]
        if ch in _LEAD:
            head.append(Token(ch, start + lo, start + lo + 1))
            lo += 1
        elif last in _TRAIL:
            tail.append(Token(last, start + hi - 1, start + hi))
            hi -= 1
        elif last == "." and hi - lo > 1 and not _keeps_dot(core):
            tail.append(Token(".", start + hi - 1, start + hi))
            hi -= 1
        elif ch in _OPEN and (_balance(core) > 0 or _closes_at_end(core)):
            head.append(Token(ch, start + lo, start + lo + 1))
            lo += 1
        elif last in _CLOSE and _balance(core) < 0:
            tail.append(Token(last, start + hi - 1, start + hi))
            hi -= 1
        else:
            break
    cited = _BRACKETED_ACRONYM.fullmatch(chunk, lo, hi)
    if cited is not None and not _is_formula(
        cited.group(1)
    ):  # "(SOFCs)12": bracket, acronym, bracket, citation
        a, b = start + cited.start(1), start + cited.end(1)
        return (
            head
            + [
                Token("(", a - 1, a),
                Token(cited.group(1), a, b),
                Token(")", b, b + 1),
                Token(cited.group(2), b + 1, start + hi),
            ]
            + tail[::-1]
        )
    cite = _GLUED_CITATION.search(chunk, lo, hi)
    if cite is not None:
        tail += [Token(chunk[cite.start() + 1 : hi], start + cite.start() + 1, start + hi)]
        tail += [Token(",", start + cite.start(), start + cite.start() + 1)]
        hi = cite.start()
    middle = _split_joined(chunk[lo:hi], start + lo) if lo < hi else []
    return head + middle + tail[::-1]


#: Where a word joins two materials: ``/`` or ``|`` before a non-digit (``Pt/GDC/Pt``, ``Ni/YSZ``, ``H2/air``), ``:``
#: between words (``H2:H2O``, not ratios ``1:1``), and
#: ``-``/``–`` between a letter or ``)`` and a capital letter (``Ni-YSZ``, ``(LSM)-YSZ``, ``Ni-8YSZ``), never in amounts
#: (``La1-xSrx``, ``O3-δ``, ``Ti1-x/2``) or before lower-case words (``YSZ-based``).
_JOINER = re.compile(
    r"[/|](?=[^\d\s/|])|(?<=[A-Za-z0-9)\]]):(?=[A-Za-z(])|(?<=[A-Za-z)\]])[-–—](?=[A-Z]|\d{1,3}[A-Z]{2})"
)
#: An acronym in brackets with citation numbers glued on: ``(PCFCs)12345``, ``(LSCM)12`` (not ``(OH)2``, a formula).
_BRACKETED_ACRONYM = re.compile(r"\(([A-Z][A-Z0-9-]*[A-Z][A-Z0-9-]*s?)\)(\d{1,6})")
#: Citation numbers glued after a comma to a word: ``O4–δ,16``.
_GLUED_CITATION = re.compile(r"(?<=[^\d\s,]),\d{1,3}(?:[,–-]\d{1,3})*$")


def _split_joined(core: str, start: int) -> list[Token]:
    parts: list[Token] = []
    pos = 0
    for m in _JOINER.finditer(core):
        if m.start() == 0 or m.start() < pos:
            continue
        parts.extend(_split_chunk(core[pos : m.start()], start + pos))
        parts.append(Token(m.group(), start + m.start(), start + m.end()))
        pos = m.end()
    if pos == 0:
        return [Token(core, start, start + len(core))]
    parts.extend(_split_chunk(core[pos:], start + pos))
    return parts


def _closes_at_end(core: str) -> bool:
    """``(LLZO)``: the opening bracket's partner is the last character and nothing follows it."""
    if core[-1] not in _CLOSE or _PAIR[core[-1]] != core[0]:
        return False
    depth = 0
    for i, ch in enumerate(core):
        depth += ch in _OPEN
        depth -= ch in _CLOSE
        if depth == 0:
            return i == len(core) - 1
    return False


def _keeps_dot(core: str) -> bool:
    word = core[:-1].lower().lstrip("(")
    if word in ABBREVIATIONS:
        return True
    # initials and dotted abbreviations: "J.", "e.g.", "a.u.", "r.t."
    return bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]|[A-Z]", core[:-1]))


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Tokens of ``text`` with offsets shifted by ``offset`` (the text's start in its document).

    Parameters
    ----------
    text : str
        A sentence or any stretch of text.
    offset : int
        Added to every token's ``start`` and ``end``.

    Returns
    -------
    list of Token
        In text order; concatenating ``text[t.start - offset : t.end - offset]`` over tokens gives the text
        without its whitespace.

    >>> [(t.text, t.start) for t in tokenize("at 650 °C", offset=100)]
    [('at', 100), ('650', 103), ('°C', 107)]
    """
    out: list[Token] = []
    for m in _CHUNK.finditer(text):
        out.extend(_split_chunk(m.group(), m.start() + offset))
    return out
