"""Material mentions in a document: the CRF tagger, formula validation, and abbreviations resolved.

:func:`find_materials` tags every sentence with the :class:`~matinfo.literature.tagger.MaterialTagger` and adds
the words the tagger missed that :func:`~matinfo.literature.formulas.formula_of` reads as a formula with at least
two elements or a free variable (``LiFePO4``, ``La1-xSrxMnO3``: never English), outside values with units.
Each mention gets a normalised formula: its own (:func:`~matinfo.literature.formulas.printed_formula`), or
for an abbreviation defined in the document (``Li7La3Zr2O12 (LLZO)``, ``LSCF (La0.6Sr0.4Co0.2Fe0.8O3−δ)``)
that of its long form.

A mention is *specific* when it names one material (it has a formula, is a defined or all-capital abbreviation,
or is a named substance) rather than a class or a role (``the anode``, ``samples``, ``precursors``): only specific
mentions carry property values in :func:`~matinfo.literature.extract.extract`.

>>> text = "Garnet Li7La3Zr2O12 (LLZO) was sintered. The LLZO pellet conducts 0.5 mS cm−1."
>>> [(m.text, m.formula) for m in find_materials(text)]
[('Li7La3Zr2O12', 'Li7La3Zr2O12'), ('LLZO', 'Li7La3Zr2O12'), ('LLZO', 'Li7La3Zr2O12')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from matinfo.literature._crf_features import DocumentContext, document_context
from matinfo.literature.formulas import formula_of, formula_shape, printed_formula
from matinfo.literature.sentences import Sentence, split_sentences
from matinfo.literature.tagger import MaterialTagger
from matinfo.literature.tokens import tokenize
from matinfo.literature.values import find_quantities

__all__ = ["MaterialMention", "find_materials", "resolve_formula"]

_ACRONYM = re.compile(r"^\d*[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9\-+]*$")


@dataclass(frozen=True)
class MaterialMention:
    """A material as written in the text.

    Attributes
    ----------
    start, end : int
        Offsets in the document text.
    text : str
        The mention as printed (``material`` of an extraction record).
    formula : str or None
        The formula in normalised notation (:func:`~matinfo.literature.formulas.printed_formula`) of the
        mention or of the long form of the abbreviation it is; None for names without a formula (``YSZ``
        defined as ``yttria-stabilized zirconia``, ``Ni-YSZ``).
    long_form : str or None
        What the mention abbreviates, when the document defines it.
    specific : bool
        Names one material (see the module docstring).
    """

    start: int
    end: int
    text: str
    formula: str | None = None
    long_form: str | None = None
    specific: bool = False


def resolve_formula(text: str, ctx: DocumentContext | None = None) -> tuple[str | None, str | None]:
    """``(formula, long form)`` of a mention, through the document's abbreviations.

    >>> resolve_formula("LSCF", document_context("cathodes of La0.6Sr0.4Co0.2Fe0.8O3−δ (LSCF)"))
    ('La0.6Sr0.4Co0.2Fe0.8O3-δ', 'La0.6Sr0.4Co0.2Fe0.8O3−δ')
    """
    long_form = ctx.abbreviations.get(text) if ctx is not None else None
    for candidate in (text, long_form):
        if candidate is not None and formula_shape(candidate) in ("formula", "variable", "element", "name"):
            return printed_formula(candidate), long_form
    return None, long_form


def _is_specific(text: str, formula: str | None, long_form: str | None) -> bool:
    if formula is not None or long_form is not None:
        return True
    stripped = text.strip()
    return bool(_ACRONYM.match(stripped)) or any(ch.isdigit() for ch in stripped) and stripped[:1].isupper()


def _rule_spans(text: str, sentence: Sentence) -> list[tuple[int, int]]:
    """Words that are formulas beyond doubt: two or more elements, or a composition variable."""
    qty = [(q.start, q.end) for q in find_quantities(sentence.text, sentence.start)]
    out = []
    for t in tokenize(sentence.text, sentence.start):
        if any(a <= t.start < b for a, b in qty):
            continue
        shape = formula_shape(t.text)
        parsed = formula_of(t.text) if shape in ("formula", "variable") else None
        if parsed is not None and (len(parsed.amounts) >= 2 or parsed.variables) and len(t.text) >= 3:
            out.append((t.start, t.end))
    return out


def find_materials(
    text: str,
    sentences: Sequence[Sentence] | None = None,
    *,
    tagger: MaterialTagger | None = None,
    context: DocumentContext | None = None,
    rules: bool = True,
) -> list[MaterialMention]:
    """Material mentions of a document, in text order.

    Parameters
    ----------
    text : str
        The document text.
    sentences : sequence of Sentence, optional
        Where to look (default: :func:`~matinfo.literature.sentences.split_sentences` of ``text``).
    tagger : MaterialTagger, optional
        Default: the shipped model.
    context : DocumentContext, optional
        Abbreviations of the document (computed from ``text`` when not given).
    rules : bool
        Add the formulas the tagger missed (module docstring).

    Returns
    -------
    list of MaterialMention
    """
    sentences = split_sentences(text) if sentences is None else sentences
    tagger = MaterialTagger() if tagger is None else tagger
    ctx = document_context(text) if context is None else context
    spans: list[tuple[int, int]] = []
    for s in sentences:
        found = tagger.tag_sentence(tokenize(s.text, s.start), s.text, s.start, ctx)
        if rules:
            found += [r for r in _rule_spans(text, s) if not any(a < r[1] and r[0] < b for a, b in found)]
        spans += sorted(found)
    return [_mention(text, a, b, ctx) for a, b in spans]


def _mention(text: str, a: int, b: int, ctx: DocumentContext) -> MaterialMention:
    written = text[a:b]
    formula, long_form = resolve_formula(written, ctx)
    return MaterialMention(a, b, written, formula, long_form, _is_specific(written, formula, long_form))


def mentions_in(mentions: Iterable[MaterialMention], start: int, end: int) -> list[MaterialMention]:
    """The mentions that lie within ``[start, end)``."""
    return [m for m in mentions if start <= m.start and m.end <= end]
