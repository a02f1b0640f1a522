"""Screen models: loading saved folders, names, goals, model IDs; rankings and their checks."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from matinfo.errors import ParameterError
from matinfo.screen import GridSpace, Ranking, ScreenModel, load_models, screen


def test_load_models_names_ids_and_goals(model_dirs):
    dirs = list(model_dirs.values())
    models = load_models([dirs[0], dirs[0], dirs[1]], goal=["min", "max", "min"])
    assert [m.name for m in models] == ["lgbm", "lgbm-2", "svm"] and [m.goal for m in models] == [
        "min",
        "max",
        "min",
    ]
    digest = hashlib.sha256((dirs[0] / "card.json").read_bytes()).hexdigest()[:16]
    assert models[0].model_id == f"lgbm:{digest}" and models[0].log_target and not models[0].has_std
    assert load_models([dirs[2]])[0].has_std  # the GP
    with pytest.raises(ParameterError, match="2 goals for 3 models"):
        load_models(dirs, goal=["min", "max"])
    with pytest.raises(ParameterError, match="use letters, digits"):
        load_models([dirs[0]], names=["lgbm model"])


def test_a_fitted_pipeline_in_memory_screens_like_its_saved_folder(models):
    m = models[0]
    again = ScreenModel.from_pipeline(m.pipeline, m.card, name="in_memory")
    assert again.model_id.startswith("lgbm:") and again.model_id != m.model_id  # a hash of the card's content
    space = GridSpace("Bi-Te-Se", step=0.1)
    a = screen(space, [m], top=5, constants={"Temperature (K)": 300}).top_lists()["lgbm"]
    b = screen(space, [again], top=5, constants={"Temperature (K)": 300}).top_lists()["in_memory"]
    assert a == b


def test_ranking_scores_and_checks():
    mean, std = np.array([0.0, 1.0]), np.array([1.0, 0.1])
    assert Ranking().scores(mean, None, "max", False).tolist() == [-0.0, -1.0]
    assert Ranking("optimistic", kappa=2).scores(mean, std, "min", False).tolist() == [-2.0, 0.8]
    prob = Ranking("probability", threshold=10.0).scores(
        mean, std, "min", True
    )  # log10 model: beat 10 = 1 decade
    assert prob[0] == pytest.approx(-0.8413, abs=1e-4) and prob[1] == pytest.approx(-0.5)
    with pytest.raises(ParameterError, match="needs a threshold"):
        Ranking("probability")
    with pytest.raises(ParameterError, match="kappa=-1"):
        Ranking("optimistic", kappa=-1)
    with pytest.raises(ParameterError, match="ranking 'best'"):
        Ranking("best")
