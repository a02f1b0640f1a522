"""Ablation by descriptor category: how much worse is the model without the structure (processing, ...) columns?

:func:`ablation` refits the model on "all descriptors", on "all but category G" for each G (and, optionally, "only
G"), on the **same** CV splits, so every variant's score on a fold can be compared with the full model's score on
that fold (a paired design).  Per variant it reports the mean ± std of the per-fold scores, the mean paired
difference to "all", and three significance estimates of that difference:

* the **corrected resampled t-test** of Nadeau & Bengio (C. Nadeau and Y. Bengio, "Inference for the
  Generalization Error", *Machine Learning* 52, 239–281 (2003)): the folds of (repeated) k-fold CV share training
  rows, so their scores are correlated and the naive variance is too small; the correction replaces ``1/J`` by
  ``1/J + n_test/n_train`` (for repeated k-fold see Bouckaert & Frank, PAKDD 2004).  This is the one to read.
* the naive paired t-test over folds and the Wilcoxon signed-rank test, for comparison — both ignore the overlap
  and are over-confident (too many "significant" results) with repeated CV.

Use repeated k-fold (the default is 5 × 5) so that there are enough paired folds.

>>> import numpy as np
>>> from sklearn.linear_model import LinearRegression
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(120, 3))
>>> y = 2 * X[:, 0] + 0.3 * rng.normal(size=120)
>>> res = run_ablation(LinearRegression(), X, y, ["composition", "structure", "structure"])
>>> df = res.to_frame().set_index("variant")
>>> bool(df.loc["without composition", "p_corrected"] < 0.05), bool(df.loc["without structure", "p_corrected"] < 0.05)
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from matinfo.errors import ParameterError
from matinfo.learn.importance import SCORING_ALIASES, _category_array, _column_names, _take

__all__ = ["run_ablation", "AblationResult", "corrected_resampled_ttest"]


def corrected_resampled_ttest(diff: Any, n_train: float, n_test: float) -> tuple[float, float]:
    """Nadeau–Bengio corrected resampled t-test of paired per-fold differences ``diff`` (length J, from J train/test
    splits with ``n_train`` / ``n_test`` rows): ``t = mean / sqrt((1/J + n_test/n_train) * var)``, J − 1 degrees of
    freedom.  Returns ``(t, two-sided p)``; ``(0, 1)`` when all differences are equal to zero.

    >>> t, p = corrected_resampled_ttest([0.1, 0.2, 0.15, 0.12, 0.18], n_train=80, n_test=20)
    >>> round(t, 2), round(p, 4)
    (5.42, 0.0056)
    """
    d = np.asarray(diff, dtype=float)
    J = len(d)
    if J < 2:
        raise ParameterError("the corrected t-test needs at least 2 paired folds; use repeated k-fold")
    var = d.var(ddof=1)
    if var == 0:
        return (0.0, 1.0) if d.mean() == 0 else (float(np.sign(d.mean()) * np.inf), 0.0)
    t = d.mean() / np.sqrt((1.0 / J + n_test / n_train) * var)
    return float(t), float(2 * stats.t.sf(abs(t), df=J - 1))


@dataclass
class AblationResult:
    """Per-fold scores of each variant on the same splits (``scores[v, j]``: variant ``v`` on split ``j``)."""

    variants: list[str]
    kinds: list[str]  #: "all", "without" or "only"
    groups: list[str | None]  #: the category removed (or kept alone); None for "all"
    n_features: list[int]
    scores: np.ndarray
    n_train: np.ndarray  #: rows in each split's training set
    n_test: np.ndarray
    scoring: str
    greater_is_better: bool
    alpha: float = 0.05

    def diff(self) -> np.ndarray:
        """Per-fold paired difference ``score(variant) − score(all)``, shape ``(n_variants, n_splits)``."""
        return self.scores - self.scores[0]

    def to_frame(self):
        """One row per variant: ``mean``, ``std`` of the fold scores, ``diff_mean`` / ``diff_std`` of the paired
        differences to "all", ``worse`` (the difference points the bad way for this metric), ``t_corrected`` and
        ``p_corrected`` (Nadeau–Bengio), ``p_ttest`` (naive paired t), ``p_wilcoxon``, and ``significant``
        (``p_corrected < alpha``)."""
        import pandas as pd

        n_tr, n_te = float(np.mean(self.n_train)), float(np.mean(self.n_test))
        rows = []
        for i, d in enumerate(self.diff()):
            row = {
                "variant": self.variants[i],
                "kind": self.kinds[i],
                "group": self.groups[i],
                "n_features": self.n_features[i],
                "mean": self.scores[i].mean(),
                "std": self.scores[i].std(ddof=1),
                "diff_mean": d.mean(),
                "diff_std": d.std(ddof=1),
            }
            if i == 0:
                row |= {"t_corrected": np.nan, "p_corrected": np.nan, "p_ttest": np.nan, "p_wilcoxon": np.nan}
            else:
                t, p = corrected_resampled_ttest(d, n_tr, n_te)
                nonzero = np.any(d != 0)
                row |= {
                    "t_corrected": t,
                    "p_corrected": p,
                    "p_ttest": float(stats.ttest_1samp(d, 0.0).pvalue) if d.std() > 0 else float(not nonzero),
                    "p_wilcoxon": float(stats.wilcoxon(d).pvalue) if nonzero else 1.0,
                }
            row["worse"] = bool(d.mean() < 0) if self.greater_is_better else bool(d.mean() > 0)
            row["significant"] = bool(row["p_corrected"] < self.alpha)
            rows.append(row)
        return pd.DataFrame(rows)

    def fold_scores(self):
        """Long table: ``variant``, ``split``, ``score``, ``diff`` (to "all" on the same split)."""
        import pandas as pd

        d = self.diff()
        return pd.DataFrame(
            [
                {"variant": v, "split": j, "score": self.scores[i, j], "diff": d[i, j]}
                for i, v in enumerate(self.variants)
                for j in range(self.scores.shape[1])
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "scoring": self.scoring,
            "greater_is_better": self.greater_is_better,
            "alpha": self.alpha,
            "variants": self.to_frame().to_dict(orient="records"),
            "scores": self.scores.tolist(),
        }


def _score_one(model, X, y, cols, train, test, scorer, sign):
    from sklearn.base import clone

    est = clone(model).fit(_take(X, train, cols), y[train])
    return sign * scorer(est, _take(X, test, cols), y[test])


def run_ablation(
    model: Any,
    X: Any,
    y: Any,
    categories: Any,
    cv: Any = None,
    groups: Any = None,
    scoring: str = "mae",
    *,
    only: bool = False,
    alpha: float = 0.05,
    random_state: int | None = 0,
    n_jobs: int | None = None,
) -> AblationResult:
    """Score ``model`` with all descriptors, without each category and (``only=True``) with each category alone,
    on the same splits.

    ``categories``: one per column, a ``{column: category}`` dict, or a featurizer / ``TableFeatures`` (unknown
    columns are ``"other"``).  ``cv``: a splitter (default ``RepeatedKFold(5, n_repeats=5)``; pass
    ``GroupKFold``-style splitters with ``groups`` to keep substances together; with ``RepeatedKFold`` and groups
    use a repeated group splitter).  ``scoring``: ``"mae"``, ``"rmse"``, ``"r2"`` or a scikit-learn scorer name;
    scores are reported in the metric's own sign (MAE positive, lower is better).  ``n_jobs`` fits in parallel
    (joblib).
    """
    from joblib import Parallel, delayed
    from sklearn.metrics import get_scorer
    from sklearn.model_selection import RepeatedKFold

    names = _column_names(X)
    cats = _category_array(categories, names)
    y = np.asarray(y)
    if cv is None:
        cv = RepeatedKFold(n_splits=5, n_repeats=5, random_state=random_state)
    splits = list(cv.split(X, y, groups))  # materialised once: every variant sees the same folds
    if len(splits) < 2:
        raise ParameterError(f"ablation needs at least 2 splits, got {len(splits)}; use repeated k-fold")
    name = SCORING_ALIASES.get(scoring, scoring)
    scorer = get_scorer(name)
    neg = name.startswith("neg_")
    sign = -1.0 if neg else 1.0
    greater = not neg and getattr(scorer, "_sign", 1) > 0

    uniq = list(dict.fromkeys(cats))
    variants = [("all descriptors", "all", None, np.arange(len(names)))]
    for g in uniq:
        keep = np.flatnonzero(cats != g)
        if len(keep):
            variants.append((f"without {g}", "without", g, keep))
    if only:
        variants += [(f"only {g}", "only", g, np.flatnonzero(cats == g)) for g in uniq if len(uniq) > 1]

    jobs = [(v, j) for v in range(len(variants)) for j in range(len(splits))]
    out = Parallel(n_jobs=n_jobs)(
        delayed(_score_one)(model, X, y, variants[v][3], *splits[j], scorer, sign) for v, j in jobs
    )
    scores = np.asarray(out, dtype=float).reshape(len(variants), len(splits))
    return AblationResult(
        variants=[v[0] for v in variants],
        kinds=[v[1] for v in variants],
        groups=[v[2] for v in variants],
        n_features=[len(v[3]) for v in variants],
        scores=scores,
        n_train=np.array([len(tr) for tr, _ in splits]),
        n_test=np.array([len(te) for _, te in splits]),
        scoring=scoring,
        greater_is_better=bool(greater),
        alpha=alpha,
    )
