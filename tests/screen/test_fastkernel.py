"""Kernel models predicted by matrix products give scikit-learn's numbers (real descriptors, real targets)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process import kernels as k
from sklearn.kernel_ridge import KernelRidge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR

from matinfo.screen._fastkernel import fast_predict
from tests.screen._models import TARGET, system_rows


@pytest.fixture(scope="module")
def data():
    """Magpie statistics of 200 sysTEm compositions (fit) and 1,500 grid compositions (predict)."""
    from matinfo.features import ElementStats
    from matinfo.screen import GridSpace

    rows = system_rows(200, seed=3)
    f = ElementStats(preset="magpie", stats=["mean", "range"])
    X = f.transform(rows["formula"])
    keep = np.isfinite(X).all(axis=0) & (X.std(axis=0) > 0)
    new = f.transform(GridSpace("Bi-Sb-Te-Se-Pb", step=0.1).chunk(0, 1500)["formula"])
    return X[:, keep], np.log10(rows[TARGET].to_numpy()), new[:, keep]


def _close(a, b, scale):
    assert np.max(np.abs(a - b)) <= 1e-9 * scale


@pytest.mark.parametrize(
    "svr",
    [
        SVR(C=10.0),
        SVR(kernel="linear", C=0.1),
        SVR(kernel="poly", degree=2, coef0=1.0, gamma=0.01),
        SVR(kernel="sigmoid", gamma=0.001, coef0=0.5),
    ],
)
def test_svr_kernels(data, svr):
    X, y, new = data
    model = make_pipeline(StandardScaler(), svr).fit(X, y)
    mean, std = fast_predict(model, new)
    assert std is None
    _close(mean, model.predict(new), np.ptp(y))


@pytest.mark.parametrize(
    "make_kernel",
    [
        lambda d: k.ConstantKernel(1.0) * k.Matern(length_scale=10.0, nu=2.5) + k.WhiteKernel(0.1),
        lambda d: k.ConstantKernel(1.0) * k.Matern(length_scale=5.0, nu=1.5) + k.WhiteKernel(0.1),
        lambda d: k.Matern(length_scale=5.0, nu=0.5) + k.WhiteKernel(0.1),
        lambda d: k.ConstantKernel(0.5) * k.RBF(length_scale=np.full(d, 8.0)) + k.WhiteKernel(0.1),
        lambda d: k.RBF(4.0) * k.ConstantKernel(2.0) + k.Matern(9.0, nu=np.inf) + k.WhiteKernel(0.05),
    ],
    ids=["matern2.5", "matern1.5", "matern0.5", "anisotropic-rbf", "sum-of-products"],
)
def test_gaussian_process_mean_and_std(data, make_kernel):
    X, y, new = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gp = GaussianProcessRegressor(make_kernel(X.shape[1]), normalize_y=True, optimizer=None)
        model = make_pipeline(StandardScaler(), gp).fit(X, y)
    mean, std = fast_predict(model, new, with_std=True)
    ref_mean, ref_std = model[-1].predict(model[:-1].transform(new), return_std=True)
    _close(mean, ref_mean, np.ptp(y))
    _close(std, ref_std, np.ptp(y))
    assert fast_predict(model, new)[1] is None


def test_what_is_left_to_scikit_learn(data):
    X, y, new = data
    rq = GaussianProcessRegressor(k.RationalQuadratic(), optimizer=None).fit(X[:50], y[:50])
    assert fast_predict(rq, new) is None
    assert fast_predict(KernelRidge(kernel="rbf").fit(X, y), new) is None
    assert fast_predict(SVR().fit(X, y), new, with_std=True) is None
    two = GaussianProcessRegressor(k.RBF(10.0), optimizer=None).fit(X[:50], np.c_[y[:50], y[:50]])
    assert fast_predict(two, new) is None


def test_screen_models_agree_with_their_own_predict(models):
    from matinfo.screen import GridSpace
    from matinfo.screen._chunk import _split

    grid = GridSpace("Bi-Sb-Te", step=0.02).chunk(0, 2000).assign(**{"Temperature (K)": 300.0})
    for m in models:
        head, last = _split(m.pipeline)
        X = head.transform(grid[["formula", "Temperature (K)"]])
        fast = fast_predict(last, X)
        if m.name == "lgbm":
            assert fast is None
        else:
            _close(fast[0], last.predict(X), 1.0)
