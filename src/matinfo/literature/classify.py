"""Relevance classification of sentences or papers, trainable from a user's labelled examples.

The seed database screened more than 260,000 papers by classifying them before extracting anything. Here the
classifier is a scikit-learn estimator — TF-IDF of word uni- and bigrams with a formula-aware tokenizer
(``La0.6Sr0.4CoO3-δ``, ``10−3``, ``S cm−1`` stay tokens) and an L2 logistic regression with balanced class
weights — so a user trains it on their own labels (``solid electrolyte`` / ``cathode`` / ``other``, or any set):

>>> clf = RelevanceClassifier().fit(texts, labels)          # doctest: +SKIP
>>> clf.predict(["LLZO pellets reached 1 mS/cm at 25 °C."])  # doctest: +SKIP

It saves to and loads from plain JSON (vocabulary, IDF weights, coefficients), not a pickle: the file is small,
readable, and loads on any scikit-learn version.  :func:`shipped_relevance_model` is such a file trained on the
SOFC-Exp corpus (Friedrich et al., ACL 2020; CC BY 4.0): it tells sentences that describe an experiment (materials,
conditions, measured values) from the rest, and is what the extractor uses to rank sentences.  It was trained on
the corpus's train papers only; ``benchmarks/literature_relevance.py`` rebuilds it and scores the test papers.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from matinfo._files import atomic_write
from matinfo.errors import NotFoundError, ParameterError

__all__ = ["RelevanceClassifier", "shipped_relevance_model", "TOKEN_PATTERN", "SHIPPED_MODEL"]

#: Tokens: runs of letters/digits joined by the characters that occur inside formulas and numbers.
TOKEN_PATTERN = (
    r"(?u)[\w\u0394\u03b4\u2212\u00b1\u00b7]+(?:[.\-+/()\[\]\u2212\u00b7][\w\u0394\u03b4\u2212]+)*"
)
SHIPPED_MODEL = "relevance_sofc_exp.json"
FORMAT = "matinfo-relevance-classifier/1"
_NUM = re.compile(r"^[\d.,\u2212\-+eE]+$")


def _analyzer_tokens(text: str) -> list[str]:
    toks = re.findall(TOKEN_PATTERN, text.lower())
    # every pure number becomes one token: the classifier should learn "a number is here", not "1200"
    return ["<num>" if _NUM.match(t) and any(c.isdigit() for c in t) else t for t in toks]


class RelevanceClassifier(ClassifierMixin, BaseEstimator):
    """TF-IDF (word 1–2-grams, formula-aware tokens, sublinear tf) + logistic regression.

    Parameters
    ----------
    ngram_range : tuple of int
    min_df : int
        Ignore terms in fewer documents.
    max_features : int or None
        Keep the most frequent terms (keeps the JSON small).
    C : float
        Inverse L2 regularisation strength.
    class_weight : "balanced" or None
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        max_features: int | None = 30000,
        C: float = 4.0,
        class_weight: str | None = "balanced",
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.C = C
        self.class_weight = class_weight

    def _vectorizer(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(
            tokenizer=_analyzer_tokens,
            token_pattern=None,
            lowercase=False,
            ngram_range=tuple(self.ngram_range),
            min_df=self.min_df,
            max_features=self.max_features,
            sublinear_tf=True,
            dtype=np.float64,
        )

    def fit(self, X: Any, y: Any):
        from sklearn.linear_model import LogisticRegression

        texts = _texts(X)
        y = np.asarray(y)
        if len(texts) != len(y):
            raise ParameterError(f"{len(texts)} texts but {len(y)} labels")
        if len(np.unique(y)) < 2:
            raise ParameterError(
                f"need examples of at least two labels to learn from, got only {np.unique(y)!r}"
            )
        self.vectorizer_ = self._vectorizer().fit(texts)
        Z = self.vectorizer_.transform(texts)
        self.model_ = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000).fit(Z, y)
        self.classes_ = self.model_.classes_
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        return self.model_.decision_function(self.vectorizer_.transform(_texts(X)))

    def predict_proba(self, X: Any) -> np.ndarray:
        return self.model_.predict_proba(self.vectorizer_.transform(_texts(X)))

    def predict(self, X: Any) -> np.ndarray:
        return self.model_.predict(self.vectorizer_.transform(_texts(X)))

    def top_terms(self, n: int = 15) -> dict[str, list[tuple[str, float]]]:
        """The terms that push most towards each class (for binary models: the positive class and the other)."""
        names = self.vectorizer_.get_feature_names_out()
        coef = self.model_.coef_
        out = {}
        rows = (
            [(self.classes_[1], coef[0]), (self.classes_[0], -coef[0])]
            if coef.shape[0] == 1
            else zip(self.classes_, coef, strict=True)
        )
        for cls, w in rows:
            idx = np.argsort(w)[::-1][:n]
            out[str(cls)] = [(str(names[i]), round(float(w[i]), 4)) for i in idx]
        return out

    # -- JSON persistence -----------------------------------------------------------------------------------
    def to_json(self, path: str | Path, *, metadata: dict[str, Any] | None = None) -> Path:
        """Write the fitted model as JSON (atomically)."""
        vec = self.vectorizer_
        vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
        blob = {
            "format": FORMAT,
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in self.get_params().items()},
            "classes": [c.item() if hasattr(c, "item") else c for c in self.classes_],
            "vocabulary": vocab,
            "idf": [round(float(x), 6) for x in vec.idf_],
            "coef": [[round(float(x), 6) for x in row] for row in self.model_.coef_],
            "intercept": [round(float(x), 6) for x in self.model_.intercept_],
            "metadata": metadata or {},
        }
        text = json.dumps(blob, ensure_ascii=False, separators=(",", ":"))
        return atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))

    @classmethod
    def from_json(cls, path: str | Path) -> RelevanceClassifier:
        """Load a model written by :meth:`to_json`; the metadata are in ``metadata_``."""
        from sklearn.linear_model import LogisticRegression

        try:
            blob = json.loads(Path(path).read_text())
        except FileNotFoundError:
            raise NotFoundError(f"no relevance model at {path}") from None
        if blob.get("format") != FORMAT:
            raise ParameterError(f"{path}: not a matinfo relevance model (format {blob.get('format')!r})")
        params = dict(blob["params"])
        params["ngram_range"] = tuple(params["ngram_range"])
        self = cls(**params)
        vec = self._vectorizer()
        vec.vocabulary_ = {t: i for i, t in enumerate(blob["vocabulary"])}
        vec.idf_ = np.asarray(blob["idf"], dtype=np.float64)
        model = LogisticRegression(C=self.C, class_weight=self.class_weight)
        model.classes_ = np.asarray(blob["classes"])
        model.coef_ = np.asarray(blob["coef"], dtype=np.float64)
        model.intercept_ = np.asarray(blob["intercept"], dtype=np.float64)
        model.n_features_in_ = len(blob["vocabulary"])
        self.vectorizer_, self.model_, self.classes_ = vec, model, model.classes_
        self.metadata_ = blob.get("metadata", {})
        return self


def _texts(X: Any) -> list[str]:
    if isinstance(X, str):
        raise ParameterError("give a list of texts, not one string")
    return ["" if x is None else str(x) for x in X]


def shipped_relevance_model() -> RelevanceClassifier:
    """The sentence-relevance model trained on SOFC-Exp's train papers (labels ``experiment`` / ``other``)."""
    return RelevanceClassifier.from_json(
        Path(__file__).resolve().parents[1] / "data" / "literature" / SHIPPED_MODEL
    )
