"""Parsing a filter string with the grammar of the ``optimade`` package; syntax errors as QueryError.

:func:`parse` returns the lark tree (with source positions) or raises a
:class:`~matinfo.errors.QueryError` quoting the filter, the column and a hint at the likely mistake
(single quotes, ``==``, lower-case keywords...); no lark exception leaks out.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lark import Tree
from lark.exceptions import UnexpectedEOF, UnexpectedInput

from matinfo.errors import QueryError
from matinfo.store.optimade.fields import FIELDS, P

__all__ = ["parse"]


@lru_cache(maxsize=1)
def _parser():
    """Lark parser of the newest filter grammar shipped with ``optimade`` (with positions, for TRUE/FALSE)."""
    from lark import Lark
    from optimade.filterparser import LarkParser

    grammar = LarkParser().lark.source_grammar
    return Lark(grammar, maybe_placeholders=False, propagate_positions=True)


def parse(text: str) -> Tree:
    """The lark tree of the filter ``text``; a :class:`~matinfo.errors.QueryError` if it does not parse."""
    try:
        return _parser().parse(text)
    except UnexpectedInput as e:
        raise _syntax_error(text, e) from None
    except Exception as e:  # any other lark failure: still a bad filter, never a lark exception
        raise QueryError(
            f"cannot parse the filter ({e})",
            value=text,
            hint='write e.g. elements HAS "Li" AND nelements <= 3',
        ) from None


_KEYWORDS = (
    "AND",
    "OR",
    "NOT",
    "HAS",
    "ALL",
    "ANY",
    "ONLY",
    "IS",
    "KNOWN",
    "UNKNOWN",
    "CONTAINS",
    "STARTS",
    "ENDS",
    "WITH",
    "LENGTH",
)


def _syntax_error(text: str, err: UnexpectedInput) -> QueryError:
    if isinstance(err, UnexpectedEOF) or getattr(err, "pos_in_stream", -1) in (None, -1):
        pos, where, what = len(text), f"column {len(text) + 1}", "end of the filter"
    else:
        pos = err.pos_in_stream
        where = f"column {err.column}" if err.line == 1 else f"line {err.line}, column {err.column}"
        what = repr(text[pos : pos + 12] + ("..." if len(text) > pos + 12 else ""))
    return QueryError(f"syntax error at {where}: unexpected {what}", value=text, hint=_syntax_hint(text, pos))


def _syntax_hint(text: str, pos: int) -> str:
    rest = text[pos:]
    outside = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)  # keywords inside strings do not count
    lower_kw = [w for w in re.findall(r"\b[a-z]+\b", outside) if w.upper() in _KEYWORDS and w not in FIELDS]
    word = re.match(r"[A-Za-z_][A-Za-z0-9_]*", rest)
    if pos >= len(text):
        return (
            "the filter ends too early: a value, a closing parenthesis or a comparison after AND/OR "
            "is missing"
        )
    if rest.startswith("'"):
        return 'strings take double quotes: "Li"'
    if rest.startswith('"'):
        return 'a string is not closed: add the closing "'
    if rest.startswith("==") or (rest.startswith("=") and text[:pos].rstrip().endswith(("=", "!", "<", ">"))):
        return "use = for equality and != for inequality"
    if rest[:1] in "&|":
        return "write AND, OR, NOT"
    if lower_kw:
        return f"keywords are upper case: write {lower_kw[0].upper()}, not {lower_kw[0]}"
    if word and word.group(0)[0].isupper() and word.group(0) not in _KEYWORDS:
        w = word.group(0)
        if w.lower() in FIELDS or w.lower().startswith(P):
            return f"property names are lower case: {w.lower()}"
        return f'put string values in double quotes: "{w}"'
    return 'a filter compares properties with values, e.g. elements HAS ALL "Li","O" AND nelements <= 3'
