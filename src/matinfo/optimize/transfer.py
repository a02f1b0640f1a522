"""Transfer between related tasks: a finished campaign's observations as the prior mean of a new one.

Same material family, another substrate; same process, a new furnace: the response surfaces differ, but
mostly by an offset and a scale.  :func:`transfer_mean` fits a GP to the *source* task's observations and
returns the prior mean ``m(x) = a·μ_source(x) + b`` for the *target* task, with ``a ≥ 0`` and ``b`` fitted by
least squares on the target observations made so far (``a = 1`` and ``b`` the mean offset while there are fewer
than :data:`MIN_FOR_SCALE`).  The target GP then models only the residual ``y − m(x)``, so its first
suggestions already avoid the regions the source task found poor, and the residual GP corrects the prior as
target data come in.  When the tasks turn out unrelated (``a`` fitted to 0) the prior mean is a constant and the
campaign behaves as without transfer.  (A multi-task GP with a task-correlation kernel is the heavier
alternative; the prior-mean form keeps the single-task machinery and costs one extra GP fit.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from matinfo.errors import ParameterError
from matinfo.optimize.surrogate import GaussianProcess

__all__ = ["ScaledMean", "transfer_mean", "TransferGP", "MIN_FOR_SCALE"]

#: Target observations needed before the scale ``a`` is fitted (below: a = 1, only the offset).
MIN_FOR_SCALE = 3


@dataclass(frozen=True)
class ScaledMean:
    """``m(X) = a · source.predict(X) + b`` (picklable, unlike a lambda)."""

    source: GaussianProcess
    a: float
    b: float

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return self.a * self.source.predict(np.atleast_2d(X)) + self.b


def transfer_mean(
    X_source: np.ndarray,
    y_source: np.ndarray,
    X_target: np.ndarray,
    y_target: np.ndarray,
    *,
    kernel: str = "matern52",
    random_state: Any = None,
) -> ScaledMean:
    """Prior mean for the target task from the source task's observations (see the module docstring)."""
    X_source = np.atleast_2d(np.asarray(X_source, dtype=float))
    y_source = np.asarray(y_source, dtype=float).reshape(-1)
    if len(y_source) < 2:
        raise ParameterError(
            f"the source task has {len(y_source)} observation(s); transfer needs at least 2 to fit a model"
        )
    source = GaussianProcess(kernel=kernel, random_state=random_state).fit(X_source, y_source)
    y_target = np.asarray(y_target, dtype=float).reshape(-1)
    if len(y_target) == 0:
        return ScaledMean(source, 1.0, 0.0)
    m = source.predict(np.atleast_2d(np.asarray(X_target, dtype=float)))
    a = 1.0
    if len(y_target) >= MIN_FOR_SCALE and np.var(m) > 0:
        a = max(0.0, float(np.cov(m, y_target, bias=True)[0, 1] / np.var(m)))
    b = float(np.mean(y_target - a * m))
    return ScaledMean(source, a, b)


class TransferGP(RegressorMixin, BaseEstimator):
    """A :class:`~matinfo.optimize.surrogate.GaussianProcess` whose prior mean comes from a related task.

    Parameters
    ----------
    source_X, source_y : array-like
        Observations of the related (source) task, in the same feature space.
    kernel : str
        Kernel of both GPs.
    random_state : int, Generator or None

    Examples
    --------
    >>> import numpy as np
    >>> xs = np.linspace(0, 1, 30)[:, None]
    >>> model = TransferGP(source_X=xs, source_y=np.sin(6 * xs[:, 0]), random_state=0)
    >>> xt = np.array([[0.1], [0.5], [0.9]])
    >>> model = model.fit(xt, 2 * np.sin(6 * xt[:, 0]) + 1)     # same shape, scaled and shifted
    >>> bool(abs(model.predict([[0.3]])[0] - (2 * np.sin(1.8) + 1)) < 0.2)
    True
    """

    def __init__(self, *, source_X: Any, source_y: Any, kernel: str = "matern52", random_state: Any = None):
        self.source_X = source_X
        self.source_y = source_y
        self.kernel = kernel
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> TransferGP:
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        rng = np.random.default_rng(self.random_state)
        self.prior_ = transfer_mean(self.source_X, self.source_y, X, y, kernel=self.kernel, random_state=rng)
        self.gp_ = GaussianProcess(kernel=self.kernel, mean_function=self.prior_, random_state=rng).fit(X, y)
        return self

    def predict(self, X: Any, return_std: bool = False):
        check_is_fitted(self, "gp_")
        return self.gp_.predict(X, return_std=return_std)
