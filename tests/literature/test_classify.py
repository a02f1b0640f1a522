"""Relevance classifier: trainable from labels, JSON round trip, the shipped SOFC-Exp model."""

from __future__ import annotations

import numpy as np
import pytest

from matinfo.errors import NotFoundError, ParameterError
from matinfo.literature.classify import RelevanceClassifier, shipped_relevance_model
from tests.conftest import shared_data


def _sofc():
    shared_data("literature", "sofc_exp")
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from literature_relevance import load

    return load()


def test_shipped_model_ranks_experiment_sentences_above_background():
    clf = shipped_relevance_model()
    assert list(clf.classes_) == ["experiment", "other"]
    sentences = [
        "The anode-supported cell with a GDC interlayer delivered a peak power density of 1.2 W cm−2 at 800 °C "
        "in humidified hydrogen.",
        "Fuel cells are an attractive technology for the clean conversion of chemical energy.",
    ]
    p = clf.predict_proba(sentences)[:, 0]
    assert p[0] > 0.5 > p[1]
    assert clf.metadata_["trained_on"].startswith("SOFC-Exp")


def test_json_round_trip_reproduces_probabilities(tmp_path):
    data = _sofc()
    xtr, ytr = data["train"]
    xdv, _ = data["dev"]
    clf = RelevanceClassifier(max_features=5000).fit(xtr, ytr)
    path = clf.to_json(tmp_path / "m.json", metadata={"note": "test"})
    again = RelevanceClassifier.from_json(path)
    np.testing.assert_allclose(again.predict_proba(xdv), clf.predict_proba(xdv), atol=1e-5)
    assert again.metadata_ == {"note": "test"}
    assert (path.stat().st_mode & 0o777) == 0o644


def test_user_labels_with_three_classes_learn_and_generalise():
    # a user's own label set: experiment / other, with the sentences about impedance as a third class
    data = _sofc()
    xtr, ytr = data["train"]
    labels = np.array(ytr, dtype=object)
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(xtr))[:3000]
    x = [xtr[i] for i in idx]
    y = labels[idx].copy()
    # a third class: sentences mentioning impedance are relabelled (a user's "impedance" topic)
    y[[("impedance" in s.lower()) for s in x]] = "impedance"
    clf = RelevanceClassifier(max_features=5000).fit(x[:2400], y[:2400])
    assert set(clf.classes_) == {"experiment", "other", "impedance"}
    acc = float(np.mean(clf.predict(x[2400:]) == y[2400:]))
    assert acc > 0.85
    top = clf.top_terms(5)
    assert any("impedance" in t for t, _ in top["impedance"])


def test_clear_errors():
    with pytest.raises(ParameterError, match="at least two labels"):
        RelevanceClassifier().fit(["a b", "c d"], ["x", "x"])
    with pytest.raises(ParameterError, match="list of texts"):
        RelevanceClassifier().fit("a b c", ["x"])
    with pytest.raises(NotFoundError):
        RelevanceClassifier.from_json("/nonexistent/model.json")
