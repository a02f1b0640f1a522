"""Probability that an experiment succeeds, learned from the failures recorded in a campaign.

Failed experiments (a film that delaminated, a sample that did not densify, a calculation that did not converge)
carry no target value, but they say where *not* to go.  :class:`FeasibilityModel` is a least-squares GP
classifier (Rasmussen & Williams, *Gaussian Processes for Machine Learning*, §6.5): a GP regression on labels
+1 (succeeded) and −1 (failed), squashed by the probit ``P = Φ(μ / sqrt(1 + σ²))``.  It is cheap (one more
exact GP on the same points) and gives the constrained acquisitions their weight: EI × P(feasible) (Gardner et
al., ICML 2014), or, for Thompson sampling, a joint draw of the objective and the feasibility.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from matinfo.errors import ParameterError
from matinfo.optimize.surrogate import GaussianProcess

__all__ = ["FeasibilityModel"]


class FeasibilityModel(ClassifierMixin, BaseEstimator):
    """Least-squares GP classifier of success (1) vs failure (0).

    Parameters
    ----------
    kernel : str
        Kernel of the underlying :class:`~matinfo.optimize.surrogate.GaussianProcess`.
    random_state : int, Generator or None

    Examples
    --------
    >>> import numpy as np
    >>> X = np.linspace(0, 1, 20)[:, None]
    >>> model = FeasibilityModel(random_state=0).fit(X, (X[:, 0] < 0.6).astype(int))
    >>> p = model.predict_proba([[0.1], [0.95]])[:, 1]
    >>> bool(p[0] > 0.6 and p[1] < 0.4)
    True
    """

    def __init__(self, *, kernel: str = "matern52", random_state: Any = None) -> None:
        self.kernel = kernel
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> FeasibilityModel:
        """Fit on rows ``X`` with labels ``y`` (1 = the experiment succeeded, 0 = it failed)."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        self.classes_ = np.unique(y)
        if not set(self.classes_.tolist()) <= {0, 1}:
            raise ParameterError(
                f"feasibility labels must be 0 (failed) or 1 (succeeded), got {self.classes_}"
            )
        self.gp_ = GaussianProcess(
            kernel=self.kernel, normalize_y=False, noise_bounds=(1e-4, 1.0), random_state=self.random_state
        ).fit(X, 2.0 * y - 1.0)
        self.classes_ = np.array([0, 1])
        return self

    def predict(self, X: Any, return_std: bool = False):
        """Latent mean (and std) of the label regression: > 0 leans to success."""
        check_is_fitted(self, "gp_")
        return self.gp_.predict(X, return_std=return_std)

    def predict_proba(self, X: Any) -> np.ndarray:
        """(n, 2) probabilities of failure and success."""
        from scipy.special import ndtr

        mean, std = self.predict(X, return_std=True)
        p = ndtr(mean / np.sqrt(1.0 + std * std))
        return np.column_stack([1.0 - p, p])
