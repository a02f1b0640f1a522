"""The model zoo: named, ready-to-fit scikit-learn estimators for materials data.

LightGBM runs single-threaded by default: on the small tables typical of experimental data its thread pool
costs more than it saves (and spins badly when the machine is busy); parallelism comes from the outer loops
(folds, ensemble members) or ``n_jobs=`` given explicitly.

Every entry is a plain scikit-learn estimator (a ``Pipeline`` where the model needs imputation or scaling), so
``clone``, ``GridSearchCV``, ``cross_validate`` and pickling work as usual.  Models that cannot take NaN get a
median imputer first (descriptor tables have NaN where an element property is unknown or a structure is
missing); distance- and kernel-based models get a standard scaler.

>>> model = make_model("lgbm", task="regression", random_state=0)
>>> type(model).__name__
'LGBMRegressor'
>>> sorted(m.name for m in list_models("classification"))[:3]
['extra_trees', 'gp', 'lgbm']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from matinfo.errors import ParameterError

__all__ = ["ModelSpec", "make_model", "list_models", "get_model_spec", "TASKS"]

TASKS = ("regression", "classification")


@dataclass(frozen=True)
class ModelSpec:
    """A named model: how to build it for each task, and what it offers."""

    name: str
    description: str
    regressor: Callable[[dict[str, Any]], Any] | None
    classifier: Callable[[dict[str, Any]], Any] | None
    #: needs a NaN-free, scaled input (an imputer + scaler are put in front)
    needs_scaling: bool = False
    #: handles NaN itself (no imputer)
    handles_nan: bool = False
    #: gives a per-prediction standard deviation natively (GP, forests)
    native_std: bool = False
    #: a linear model whose coefficients are meaningful (PLS, LASSO, elastic net)
    linear: bool = False
    #: the seed paper's name for it, if any
    alias: str | None = None


#: LightGBM defaults for both tasks (single-threaded: see the module docstring).
_LGBM_DEFAULTS = {
    "n_estimators": 500,
    "learning_rate": 0.05,
    "num_leaves": 31,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "verbose": -1,
    "n_jobs": 1,
}


def _lgbm_reg(p):
    from lightgbm import LGBMRegressor

    return LGBMRegressor(**{**_LGBM_DEFAULTS, **p})


def _lgbm_clf(p):
    from lightgbm import LGBMClassifier

    return LGBMClassifier(**{**_LGBM_DEFAULTS, **p})


def _rf_reg(p):
    from sklearn.ensemble import RandomForestRegressor

    return RandomForestRegressor(**{"n_estimators": 500, "min_samples_leaf": 1, "max_features": 1 / 3, **p})


def _rf_clf(p):
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(**{"n_estimators": 500, **p})


def _et_reg(p):
    from sklearn.ensemble import ExtraTreesRegressor

    return ExtraTreesRegressor(**{"n_estimators": 500, "max_features": 1 / 3, **p})


def _et_clf(p):
    from sklearn.ensemble import ExtraTreesClassifier

    return ExtraTreesClassifier(**{"n_estimators": 500, **p})


def _svr(p):
    from sklearn.svm import SVR

    return SVR(**{"C": 10.0, "epsilon": 0.1, "gamma": "scale", **p})


def _svc(p):
    from sklearn.svm import SVC

    return SVC(**{"C": 10.0, "gamma": "scale", "probability": True, **p})


def _gp_kernel():
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    return ConstantKernel(1.0) * Matern(length_scale=10.0, nu=2.5) + WhiteKernel(0.1)


def _gpr(p):
    from sklearn.gaussian_process import GaussianProcessRegressor

    return GaussianProcessRegressor(
        **{"kernel": _gp_kernel(), "normalize_y": True, "n_restarts_optimizer": 2, **p}
    )


def _gpc(p):
    from sklearn.gaussian_process import GaussianProcessClassifier
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern

    return GaussianProcessClassifier(
        **{"kernel": ConstantKernel(1.0) * Matern(length_scale=10.0, nu=2.5), **p}
    )


def _krr(p):
    from sklearn.kernel_ridge import KernelRidge

    return KernelRidge(**{"alpha": 0.1, "kernel": "rbf", "gamma": None, **p})


def _pls(p):
    from sklearn.cross_decomposition import PLSRegression

    return PLSRegression(**{"n_components": 5, **p})


def _lasso(p):
    from sklearn.linear_model import LassoCV

    return LassoCV(**{"alphas": 50, "cv": 5, "max_iter": 20000, **p})


def _enet(p):
    from sklearn.linear_model import ElasticNetCV

    return ElasticNetCV(**{"l1_ratio": [0.1, 0.5, 0.9, 1.0], "alphas": 50, "cv": 5, "max_iter": 20000, **p})


def _logreg(p):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(**{"C": 1.0, "max_iter": 5000, **p})


def _mlp_reg(p):
    from sklearn.neural_network import MLPRegressor

    return MLPRegressor(
        **{"hidden_layer_sizes": (128, 64), "alpha": 1e-3, "max_iter": 2000, "early_stopping": True, **p}
    )


def _mlp_clf(p):
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(
        **{"hidden_layer_sizes": (128, 64), "alpha": 1e-3, "max_iter": 2000, "early_stopping": True, **p}
    )


_SPECS: dict[str, ModelSpec] = {
    s.name: s
    for s in (
        ModelSpec(
            "lgbm", "LightGBM gradient-boosted trees", _lgbm_reg, _lgbm_clf, handles_nan=True, alias="LSBoost"
        ),
        ModelSpec("random_forest", "random forest (bagged CART trees)", _rf_reg, _rf_clf, native_std=True),
        ModelSpec("extra_trees", "extremely randomised trees", _et_reg, _et_clf, native_std=True),
        ModelSpec("svm", "support-vector machine, RBF kernel", _svr, _svc, needs_scaling=True, alias="SVM"),
        ModelSpec(
            "gp",
            "Gaussian process, Matern 5/2 + white noise",
            _gpr,
            _gpc,
            needs_scaling=True,
            native_std=True,
            alias="GPR",
        ),
        ModelSpec("kernel_ridge", "kernel ridge regression, RBF kernel", _krr, None, needs_scaling=True),
        ModelSpec("pls", "partial least squares", _pls, None, needs_scaling=True, linear=True, alias="PLS"),
        ModelSpec(
            "lasso",
            "LASSO with its regularisation path (alpha by inner CV)",
            _lasso,
            None,
            needs_scaling=True,
            linear=True,
        ),
        ModelSpec(
            "elastic_net",
            "elastic net with its regularisation path (alpha, l1_ratio by inner CV)",
            _enet,
            None,
            needs_scaling=True,
            linear=True,
        ),
        ModelSpec(
            "logistic", "L2-regularised logistic regression", None, _logreg, needs_scaling=True, linear=True
        ),
        ModelSpec(
            "mlp", "multilayer perceptron (128-64, early stopping)", _mlp_reg, _mlp_clf, needs_scaling=True
        ),
    )
}
_ALIASES = {s.alias.lower(): s.name for s in _SPECS.values() if s.alias} | {
    "rf": "random_forest",
    "lightgbm": "lgbm",
    "gpr": "gp",
    "svr": "svm",
    "krr": "kernel_ridge",
}


def get_model_spec(name: str) -> ModelSpec:
    """The :class:`ModelSpec` called ``name`` (aliases such as ``LSBoost``, ``GPR``, ``rf`` work too)."""
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in _SPECS:
        raise ParameterError(f"unknown model {name!r}; choose from {', '.join(_SPECS)}")
    return _SPECS[key]


def list_models(task: str | None = None) -> list[ModelSpec]:
    """Every model, or those that can do ``task`` (``"regression"`` or ``"classification"``)."""
    if task is not None and task not in TASKS:
        raise ParameterError(f"task={task!r}: use {' or '.join(TASKS)}")
    return [
        s
        for s in _SPECS.values()
        if task is None or getattr(s, "regressor" if task == "regression" else "classifier")
    ]


def make_model(name: str, task: str = "regression", *, random_state: int | None = 0, **params: Any):
    """A fresh, unfitted estimator for ``task``; ``params`` go to the model (not the pipeline steps).

    A ``random_state`` is set on models that take one, so that fits are reproducible.
    """
    spec = get_model_spec(name)
    if task not in TASKS:
        raise ParameterError(f"task={task!r}: use {' or '.join(TASKS)}")
    factory = spec.regressor if task == "regression" else spec.classifier
    if factory is None:
        raise ParameterError(
            f"model {spec.name!r} does not do {task}; choose from {', '.join(s.name for s in list_models(task))}"
        )
    model = factory(dict(params))
    if random_state is not None and "random_state" in model.get_params():
        model.set_params(random_state=random_state)
    if spec.handles_nan:
        return model
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    steps = [SimpleImputer(strategy="median", keep_empty_features=True)]
    if spec.needs_scaling:
        steps.append(StandardScaler())
    return make_pipeline(*steps, model)
