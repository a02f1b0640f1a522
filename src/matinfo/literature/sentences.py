"""Sentence splitting that keeps formulas, numbers and abbreviations whole.

A sentence ends at ``.``, ``!`` or ``?`` (closing quotes and brackets after it belong to it) followed by
whitespace and a word that can start a sentence: a capital letter, a digit, a bracket or a quote.  It does not
end

* inside a number or formula (``1.2``, ``CuSO4.5H2O``, ``Li0.33La0.56TiO3``: no space follows the dot);
* after an abbreviation (``Fig.``, ``Eq.``, ``Ref.``, ``ca.``, ``approx.``, ``e.g.``, ``i.e.``, ``et al.``,
  ``vs.``, ``wt.``; :data:`~matinfo.literature.tokens.ABBREVIATIONS`), an initial (``J. Smith``) or a dotted
  abbreviation (``r.t.``, ``a.u.``);
* inside brackets that open in the same paragraph (``(ca. 25 °C. See Fig. 2)`` stays one sentence);
* before a lower-case word (``5 mAh g−1. at`` is a broken line, not a new sentence).

A blank line (paragraph or heading break) always ends a sentence; single line breaks are spaces.  Offsets index
the document text.

>>> text = "LLZO conducts 1.2 × 10−3 S cm−1 at r.t. (ca. 25 °C). Fig. 2 shows Li0.33La0.56TiO3. It is stable."
>>> [s.text for s in split_sentences(text)]
['LLZO conducts 1.2 × 10−3 S cm−1 at r.t. (ca. 25 °C).', 'Fig. 2 shows Li0.33La0.56TiO3.', 'It is stable.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matinfo.literature.tokens import ABBREVIATIONS, SPACE_CHARS

__all__ = ["Sentence", "split_sentences", "paragraph_spans"]

_PARAGRAPH = re.compile(r"\n[ \t" + SPACE_CHARS + r"]*\n\s*")
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=[\s" + SPACE_CHARS + r"])")
_STARTER = re.compile(r"[\s" + SPACE_CHARS + r"]+(?=[A-Z0-9\"'“‘(\[ΑΒΓΔΘΛΞΠΣΦΨΩ])")
_WORD_BEFORE = re.compile(r"(\S+)$")


@dataclass(frozen=True)
class Sentence:
    """A sentence: its text and ``[start, end)`` offsets in the document text."""

    text: str
    start: int
    end: int


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each paragraph: text between blank lines, stripped of surrounding whitespace.

    >>> paragraph_spans("Title\\n\\nFirst para\\ncontinues.\\n\\n  Second.")
    [(0, 5), (7, 28), (32, 39)]
    """
    out, pos = [], 0
    for m in _PARAGRAPH.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    spans = []
    for a, b in out:
        chunk = text[a:b]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk.rstrip())
        if trail > lead:
            spans.append((a + lead, a + trail))
    return spans


def _is_boundary(para: str, dot_end: int, last_word: str) -> bool:
    """Whether the punctuation run ending at ``dot_end`` ends a sentence."""
    if not _STARTER.match(para, dot_end):
        return False
    word = last_word.rstrip("\"'”’)]")
    if word.endswith("."):
        stem = word[:-1].lower().lstrip("([\"'“‘")
        if stem in ABBREVIATIONS or stem.rstrip(".") in ABBREVIATIONS:
            return False
        if re.fullmatch(r"(?:[a-z]\.)+[a-z]", stem) and stem not in ("i.e", "e.g"):  # r.t., a.u.
            return _next_word_is_capitalised_sentence(para, dot_end)
        if re.fullmatch(r"[A-Z]", word[:-1]) and _is_initial(
            para, dot_end - len(last_word.rstrip("\"'”’)]")), dot_end
        ):
            return False
    return True


def _next_word_is_capitalised_sentence(para: str, pos: int) -> bool:
    m = re.match(r"\s+([A-Z][a-z]+)\b", para[pos:])
    return bool(m) and m.group(1).lower() in _SENTENCE_STARTS


def _is_initial(para: str, word_start: int, pos: int) -> bool:
    """``J. Smith``: a capital and a dot before a name; not a unit (``92 K. The``) nor before ``The``."""
    if re.search(r"\d\s*$", para[:word_start]):
        return False
    m = re.match(r"\s+(?:[A-Z]\.\s*)*([A-Z][a-z]{2,})(?:[\s,]|$)", para[pos:])
    return bool(m) and m.group(1).lower() not in _SENTENCE_STARTS


#: Words that often open a sentence; after ``r.t.``-style abbreviations only they mark a new sentence.
_SENTENCE_STARTS = frozenset(
    "the this these that those it its a an in at for as after before when while we our all both each such "
    "however moreover furthermore then thus therefore finally here there similarly note".split()
)


#: A bracket still open at a sentence end keeps the sentence going only if it closes within this many characters.
BRACKET_REACH = 150


def _inside_brackets(para: str, start: int, pos: int) -> bool:
    """True when a bracket opened in ``para[start:pos]`` is still open at ``pos`` and closes soon after."""
    depth = 0
    for ch in para[start:pos]:
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
    if depth == 0:
        return False
    ahead = para[pos : pos + BRACKET_REACH]
    for ch in ahead:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth == 0:
                return True
    return False


def split_sentences(text: str) -> list[Sentence]:
    """Split a document's text into sentences (rules in the module docstring).

    Parameters
    ----------
    text : str
        Document text; paragraphs separated by blank lines.

    Returns
    -------
    list of Sentence
        Non-empty sentences in order, stripped of surrounding whitespace, with offsets into ``text``.

    >>> [s.text for s in split_sentences("Heading\\n\\nThe pellet (see Fig. 1. ) was sintered. Done.")]
    ['Heading', 'The pellet (see Fig. 1. ) was sintered.', 'Done.']
    """
    out: list[Sentence] = []
    for a, b in paragraph_spans(text):
        para = text[a:b]
        start = 0
        for m in _END.finditer(para):
            end = m.end()
            words = _WORD_BEFORE.search(para[start:end])
            last = words.group(1) if words else ""
            if not _is_boundary(para, end, last) or _inside_brackets(para, start, end - 1):
                continue
            _append(out, text, a + start, a + end)
            start = end
        _append(out, text, a + start, b)
    return out


def _append(out: list[Sentence], text: str, a: int, b: int) -> None:
    chunk = text[a:b]
    lead = len(chunk) - len(chunk.lstrip())
    stripped = chunk.strip()
    if stripped:
        out.append(Sentence(stripped, a + lead, a + lead + len(stripped)))
