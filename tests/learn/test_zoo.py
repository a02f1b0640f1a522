"""Every model in the zoo fits real data, predicts, clones and pickles; unknown names are explained."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from matinfo.errors import ParameterError
from matinfo.learn import get_model_spec, list_models, make_model, regression_metrics


@pytest.mark.parametrize("name", [s.name for s in list_models("regression")])
def test_regressors_fit_predict_clone_pickle(name, gap_data):
    _, X, y, _ = gap_data
    Xtr, ytr, Xte, yte = X.iloc[:400], y[:400], X.iloc[400:], y[400:]
    params = {"n_estimators": 50} if name in ("lgbm", "random_forest", "extra_trees") else {}
    params |= {"n_restarts_optimizer": 0} if name == "gp" else {}
    model = make_model(name, **params).fit(Xtr, ytr)
    pred = np.asarray(model.predict(Xte)).ravel()
    assert pred.shape == (200,) and np.isfinite(pred).all()
    # better than predicting the training mean on held-out rows (real signal, not noise)
    assert regression_metrics(yte, pred)["mae"] < np.mean(np.abs(yte - ytr.mean())), name
    again = pickle.loads(pickle.dumps(model))
    assert np.array_equal(np.asarray(again.predict(Xte)).ravel(), pred)
    assert clone(model).get_params().keys() == model.get_params().keys()


@pytest.mark.parametrize("name", [s.name for s in list_models("classification")])
def test_classifiers_give_probabilities(name, gap_data):
    _, X, _, metal = gap_data
    params = {"n_estimators": 50} if name in ("lgbm", "random_forest", "extra_trees") else {}
    model = make_model(name, task="classification", **params).fit(X.iloc[:250], metal[:250])
    proba = model.predict_proba(X.iloc[400:])[:, 1]
    assert proba.shape == (200,) and ((proba >= 0) & (proba <= 1)).all()


def test_same_seed_same_model(gap_data):
    _, X, y, _ = gap_data
    a = make_model("lgbm", n_estimators=30, random_state=3).fit(X, y).predict(X)
    b = make_model("lgbm", n_estimators=30, random_state=3).fit(X, y).predict(X)
    assert np.array_equal(a, b)


def test_aliases_and_errors():
    assert get_model_spec("LSBoost").name == "lgbm" and get_model_spec("GPR").name == "gp"
    with pytest.raises(ParameterError, match="unknown model 'xgb'.*lgbm"):
        make_model("xgb")
    with pytest.raises(ParameterError, match="does not do classification"):
        make_model("pls", task="classification")
