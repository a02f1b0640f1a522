"""Metrics for regression, classification and predicted uncertainty.

>>> r = regression_metrics([1.0, 2.0, 3.0], [1.1, 1.9, 3.3])
>>> round(r["mae"], 3), round(r["rmse"], 3)
(0.167, 0.191)
>>> interval_coverage([0.0, 1.0, 2.0], [0.1, 1.0, 4.0], [1.0, 1.0, 1.0])["coverage_68"]
0.667
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

__all__ = ["regression_metrics", "classification_metrics", "interval_coverage"]


def _finite(*arrays: Any) -> list[np.ndarray]:
    arrs = [np.asarray(a, dtype=float) for a in arrays]
    keep = np.logical_and.reduce([np.isfinite(a) for a in arrs])
    return [a[keep] for a in arrs]


def regression_metrics(y_true: Any, y_pred: Any) -> dict[str, float]:
    """MAE, RMSE, R², Spearman ρ, max absolute error and the number of rows (non-finite pairs are dropped)."""
    from sklearn.metrics import r2_score

    y, p = _finite(y_true, y_pred)
    err = p - y
    rho = stats.spearmanr(y, p).statistic if len(y) > 2 and np.ptp(y) > 0 and np.ptp(p) > 0 else float("nan")
    return {
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "r2": float(r2_score(y, p)) if len(y) > 1 else float("nan"),
        "spearman": float(rho),
        "max_ae": float(np.max(np.abs(err))),
        "n": int(len(y)),
    }


def classification_metrics(y_true: Any, proba: Any, threshold: float = 0.5) -> dict[str, float]:
    """ROC-AUC, average precision, accuracy, balanced accuracy, F1, log loss (binary; ``proba`` = P(class 1))."""
    from sklearn import metrics as m

    y = np.asarray(y_true).astype(int)
    p = np.clip(np.asarray(proba, dtype=float), 1e-15, 1 - 1e-15)
    pred = (p >= threshold).astype(int)
    both = len(np.unique(y)) == 2
    return {
        "roc_auc": float(m.roc_auc_score(y, p)) if both else float("nan"),
        "average_precision": float(m.average_precision_score(y, p)) if both else float("nan"),
        "accuracy": float(m.accuracy_score(y, pred)),
        "balanced_accuracy": float(m.balanced_accuracy_score(y, pred)),
        "f1": float(m.f1_score(y, pred, zero_division=0)),
        "log_loss": float(m.log_loss(y, p, labels=[0, 1])),
        "n": int(len(y)),
    }


def interval_coverage(
    y_true: Any, mean: Any, std: Any, levels: tuple[float, ...] = (0.68, 0.95)
) -> dict[str, float]:
    """Share of true values inside the central Gaussian interval ``mean ± z·std`` for each level.

    A calibrated model covers about 68 % at the 68 % level.  Also returns the mean std and the miscalibration
    area (mean |observed − expected| coverage over levels 0.05…0.95).
    """
    y, mu, s = _finite(y_true, mean, std)
    z = np.abs(y - mu) / np.where(s > 0, s, np.nan)
    out: dict[str, float] = {}
    for level in levels:
        k = stats.norm.ppf(0.5 + level / 2)
        out[f"coverage_{round(level * 100)}"] = round(float(np.mean(z <= k)), 3)
    grid = np.linspace(0.05, 0.95, 19)
    observed = np.array([np.mean(z <= stats.norm.ppf(0.5 + g / 2)) for g in grid])
    out["miscalibration_area"] = float(np.mean(np.abs(observed - grid)))
    out["mean_std"] = float(np.mean(s))
    return out
