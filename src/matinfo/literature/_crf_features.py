"""Token features for the material tagger: word form, chemistry (formula validation), document context.

Private to :mod:`matinfo.literature.tagger`.  A feature set is a dict of name → string (a categorical feature,
``name=value`` to CRFsuite) or float (a weighted flag).  Chemistry comes from
:func:`~matinfo.literature.formulas.formula_shape` (``matinfo.core.parse_formula`` behind it), the document
context from the abbreviations defined in the document and from the values with units found in the sentence
(a token inside ``1.2 mS cm−1`` is never a material).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from matinfo.literature.abbreviations import find_abbreviations
from matinfo.literature.formulas import NAMED_SUBSTANCES, element_names, formula_shape
from matinfo.literature.tokens import Token
from matinfo.literature.values import find_quantities

__all__ = ["DocumentContext", "document_context", "sentence_features"]

_CHEM_SUFFIXES = ("ide", "ate", "ite", "ia", "ium", "ene", "ane", "ine", "ol", "one", "yl", "ic", "ous")
#: Words that name a material class or a processing state and often sit inside material mentions.
_MATERIAL_WORDS = frozenset(
    "oxide oxides doped stabilized stabilised zirconia ceria perovskite perovskites spinel garnet alloy alloys "
    "cermet composite composites electrolyte electrolytes anode anodes cathode cathodes glass ceramic ceramics "
    "powder powders film films solution solutions precursor precursors salt salts acid nanoparticles nanowires "
    "nanotubes nanosheets crystals gas gases fuel air steam metal metals hydroxide nitrate nitrates chloride "
    "carbonate sulfate acetate catalyst catalysts polymer resin binder solvent water ethanol support substrate".split()
)
_SHAPE_RUNS = re.compile(r"(.)\1+")


@dataclass
class DocumentContext:
    """What the tagger knows about a document beyond one sentence.

    Attributes
    ----------
    abbreviations : dict of str to str
        Short form → long form, for every abbreviation the document defines.
    chemical_abbreviations : set of str
        Short forms whose long form holds a formula, an element or substance name or a material word.
    long_form_spans : list of (int, int)
        Offsets of every long form (``yttria-stabilized zirconia`` of ``(YSZ)``).
    """

    abbreviations: dict[str, str] = field(default_factory=dict)
    chemical_abbreviations: set[str] = field(default_factory=set)
    long_form_spans: list[tuple[int, int]] = field(default_factory=list)


def _chemical_text(text: str) -> bool:
    for word in re.split(r"[\s\-–/]+", text):
        low = word.lower().strip("(),;")
        if not low:
            continue
        if low in _MATERIAL_WORDS or low in NAMED_SUBSTANCES or low in element_names():
            return True
        if formula_shape(word.strip("(),;")) in ("formula", "variable", "element"):
            return True
    return False


def document_context(text: str) -> DocumentContext:
    """Abbreviations of a document's text, and which of them stand for something chemical."""
    ctx = DocumentContext()
    for a in find_abbreviations(text):
        ctx.abbreviations.setdefault(a.short, a.long)
        ctx.long_form_spans.append(a.long_span)
        if _chemical_text(a.long):
            ctx.chemical_abbreviations.add(a.short)
    return ctx


@lru_cache(maxsize=65536)
def _word_features(w: str) -> tuple[tuple[str, str | float], ...]:
    low = w.lower()
    shape = "".join("X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c for c in w)
    chem = formula_shape(w) if any(c.isalpha() for c in w) else None
    feats: list[tuple[str, str | float]] = [
        ("w", low[:24]),
        ("shape", _SHAPE_RUNS.sub(r"\1", shape)[:10]),
        ("p3", low[:3]),
        ("s3", low[-3:]),
        ("s4", low[-4:]),
        ("chem", chem or "-"),
    ]
    if w[:1].isupper():
        feats.append(("title", 1.0))
    if w.isupper() and len(w) >= 2:
        feats.append(("caps", 1.0))
    if any(c.isdigit() for c in w):
        feats.append(("digit", 1.0))
    if any(c in "-–‐" for c in w[1:]):
        feats.append(("hyphen", 1.0))
    if re.fullmatch(r"\d*[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*s?", w) and len(w) <= 10 and chem is None:
        feats.append(("acronym", 1.0))
    if low in element_names() or low in NAMED_SUBSTANCES:
        feats.append(("name", 1.0))
    if low in _MATERIAL_WORDS:
        feats.append(("matword", 1.0))
    for part in re.split(r"[-–‐]", low):
        if part in element_names() or part in NAMED_SUBSTANCES:
            feats.append(("haspart_name", 1.0))
            break
    if low.isalpha() and len(low) > 4:
        for suffix in _CHEM_SUFFIXES:
            if low.endswith(suffix):
                feats.append(("chemsuffix", suffix))
                break
    if chem in ("formula", "variable", "caps"):
        from matinfo.literature.formulas import formula_of

        parsed = formula_of(w)
        if parsed is not None:
            feats.append(("nel", str(min(len(parsed.amounts), 5))))
    if re.fullmatch(r"(?:[A-Z][a-z]?\d*)+\d?[+\-−]|[A-Z][a-z]?\d[+]", w):
        feats.append(("ion", 1.0))
    if len(w) == 1 and not w.isalnum():
        feats.append(("punct", w))
    return tuple(feats)


def sentence_features(
    tokens: Sequence[Token],
    sentence_text: str,
    sentence_start: int,
    ctx: DocumentContext,
    dense: Sequence[Sequence[float]] | None = None,
) -> list[dict[str, str | float]]:
    """Feature dicts, one per token of a sentence.

    Parameters
    ----------
    tokens : sequence of Token
        The sentence's tokens, with document offsets.
    sentence_text : str
        The sentence.
    sentence_start : int
        Its offset in the document (tokens' offsets minus this index ``sentence_text``).
    ctx : DocumentContext
        From :func:`document_context` on the whole document.
    dense : array-like of shape (len(tokens), k), optional
        Real-valued word vectors (:mod:`matinfo.literature.encoder`), added as features ``e0`` … ``e{k-1}``.

    Returns
    -------
    list of dict
    """
    qty = [(q.start + sentence_start, q.end + sentence_start) for q in find_quantities(sentence_text)]
    base = [dict(_word_features(t.text)) for t in tokens]
    for t, f in zip(tokens, base, strict=True):
        if any(a <= t.start and t.end <= b for a, b in qty):
            f["qty"] = 1.0
        if t.text in ctx.abbreviations:
            f["abbr"] = "chem" if t.text in ctx.chemical_abbreviations else "other"
        if any(a <= t.start and t.end <= b for a, b in ctx.long_form_spans):
            f["longform"] = 1.0
    out = []
    n = len(tokens)
    for i, f in enumerate(base):
        feats: dict[str, str | float] = {"bias": 1.0, **f}
        for d in (-2, -1, 1, 2):
            j = i + d
            if 0 <= j < n:
                g = base[j]
                feats[f"{d}:w"] = g["w"]  # type: ignore[assignment]
                feats[f"{d}:chem"] = g["chem"]  # type: ignore[assignment]
                if abs(d) == 1:
                    feats[f"{d}:shape"] = g["shape"]  # type: ignore[assignment]
                    for flag in ("qty", "abbr", "name", "matword", "acronym"):
                        if flag in g:
                            feats[f"{d}:{flag}"] = g[flag]
            elif abs(d) == 1:
                feats[f"{d}:edge"] = 1.0
        if i:
            feats["-1|w"] = f"{base[i - 1]['w']}|{f['w']}"
        if i + 1 < n:
            feats["w|+1"] = f"{f['w']}|{base[i + 1]['w']}"
        if i + 1 < n and tokens[i + 1].start == tokens[i].end:
            feats["glued_right"] = 1.0
        if i and tokens[i - 1].end == tokens[i].start:
            feats["glued_left"] = 1.0
        if dense is not None:
            feats.update({f"e{k}": float(v) for k, v in enumerate(dense[i])})
        out.append(feats)
    return out
