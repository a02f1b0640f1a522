"""Exhaustive search over descriptor subsets with linear regression (ES-LiR).

Igarashi, Nagata, Kuwatani, Omori, Nakanishi-Ohno, Okada, *J. Phys.: Conf. Ser.* **699**, 012001 (2016):
fit a linear model on **every** subset of up to ``k_max`` of K candidate descriptors, rank the subsets by
cross-validated error, and read off which descriptors the good models share (the *weight diagram*,
:func:`matinfo.viz.weight_diagram`) and how the errors of all models are distributed (the *density of states*,
:func:`matinfo.viz.error_dos`).

How it stays fast (K = 20: 1,048,575 subsets × 5 folds): no estimator is fitted per subset.  Per fold the
training rows give the Gram matrix ``G = XcᵀXc`` and ``b = Xcᵀyc`` (``Xc``, ``yc`` centred on the *training*
means, which is the intercept), the test rows give ``H = XtᵀXt``, ``h = Xtᵀyt`` and ``c = ytᵀyt`` (centred on the
same training means).  For a subset S the fold's coefficients solve ``G[S,S] β = b[S]`` and the test error is
``SSE = c − 2βᵀh[S] + βᵀH[S,S]β`` — Grams only, no per-row work.  Subsets of one size are stacked and solved in
one batched :func:`numpy.linalg.solve`.  A ridge jitter of ``1e-10 · trace(G[S,S])`` on the diagonal
(:data:`JITTER`) keeps exactly collinear subsets (e.g. element fractions that sum to one) solvable; it changes
well-posed fits by ~1e-10 relative.  X is z-scored once before the Grams for conditioning; OLS predictions do not
depend on that, so the CV errors equal those of ``cross_val_score(LinearRegression(), ...)`` on the raw columns.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from matinfo.errors import ParameterError
from matinfo.learn._subset_cv import (
    JITTER,
    SCORINGS,
    _fold_se,
    _score_block,
    _size_blocks,
    fold_grams,
    subset_cv_mse,
)

__all__ = ["ExhaustiveSearch", "SubsetSearchResult", "fold_grams", "subset_cv_mse", "JITTER", "SCORINGS"]


@dataclass
class SubsetSearchResult:
    """What :class:`ExhaustiveSearch` found.

    ``top``: one row per top subset, best first — ``rank`` (among all subsets; a ``select="1se"`` pick from
    beyond ``top_n`` is appended last), ``size``, ``members`` (tuple of names), ``mask`` (bitmask of members),
    ``cv_error`` (and ``cv_error_linear`` when a GP re-scored them), ``cv_std`` / ``cv_se`` (standard deviation /
    standard error over folds), ``intercept`` and one coefficient column per descriptor (``coef[name]``, NaN when
    not in the subset; standardized weights when ``standardize=True``).  ``errors`` / ``masks`` / ``sizes``: CV error, member bitmask and size of *every*
    subset searched (the density of states).
    """

    top: pd.DataFrame
    feature_names: list[str]
    errors: np.ndarray
    masks: np.ndarray
    sizes: np.ndarray
    scoring: str
    model: str
    standardized: bool
    n_folds: int
    elapsed_s: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n_subsets(self) -> int:
        return int(self.errors.size)

    def to_frame(self) -> pd.DataFrame:
        return self.top.copy()

    def to_dict(self) -> dict[str, Any]:
        top = self.top.copy()
        top["members"] = top["members"].map(list)
        return {
            "feature_names": list(self.feature_names),
            "scoring": self.scoring,
            "model": self.model,
            "standardized": self.standardized,
            "n_folds": self.n_folds,
            "n_subsets": self.n_subsets,
            "elapsed_s": self.elapsed_s,
            "top": top.to_dict(orient="records"),
            **self.extra,
        }

    def weights(self, top: int | None = None) -> pd.DataFrame:
        """Coefficients of the top subsets: rows = rank, columns = descriptors, NaN where not included."""
        frame = self.top if top is None else self.top.head(top)
        w = frame[[f"coef[{n}]" for n in self.feature_names]].copy()
        w.columns = list(self.feature_names)
        w.index = pd.Index(frame["rank"], name="rank")
        return w

    def inclusion_frequency(self, top: int | None = None) -> pd.Series:
        """Fraction of the ``top`` best subsets (by linear CV error; all stored top rows by default) that
        contain each descriptor."""
        if top is None or self.model != "linear":
            masks = self.top["mask"].to_numpy()[: top or None]
        else:
            order = np.argsort(self.errors, kind="stable")[: max(1, top)]
            masks = self.masks[order]
        bits = (masks[:, None] >> np.arange(len(self.feature_names))) & 1
        return pd.Series(bits.mean(0), index=self.feature_names, name="inclusion_frequency")

    def cv_error_of(self, members: Any) -> float:
        """Linear CV error of one subset, given as descriptor names (or column positions)."""
        pos = [m if isinstance(m, int | np.integer) else self.feature_names.index(str(m)) for m in members]
        hit = np.flatnonzero(self.masks == sum(1 << int(j) for j in set(pos)))
        if hit.size == 0:
            raise ParameterError(f"subset {list(members)} was not searched (size above k_max?)")
        return float(self.errors[hit[0]])

    def error_dos(self, bins: int = 100) -> tuple[np.ndarray, np.ndarray]:
        """Histogram (counts, bin edges) of the CV errors of all subsets: the paper's density of states."""
        finite = self.errors[np.isfinite(self.errors)]
        return np.histogram(finite, bins=bins)


def _check_X(X: Any, feature_names: Any) -> tuple[np.ndarray, list[str]]:
    if isinstance(X, pd.DataFrame):
        names = [str(c) for c in X.columns]
        arr = X.to_numpy(dtype=float)
    else:
        arr = np.asarray(X, dtype=float)
        if arr.ndim != 2:
            raise ParameterError(f"expected a 2-D descriptor table, got shape {arr.shape}")
        names = (
            [f"x{j}" for j in range(arr.shape[1])]
            if feature_names is None
            else [str(n) for n in feature_names]
        )
    if len(names) != arr.shape[1]:
        raise ParameterError(
            f"{len(names)} feature_names for {arr.shape[1]} columns; pass one name per column"
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        cols = [f"{names[j]!r} ({int(bad[:, j].sum())} rows)" for j in np.flatnonzero(bad.any(0))]
        raise ParameterError(
            f"X has NaN/inf in column(s) {', '.join(cols)}; impute them (sklearn.impute.SimpleImputer) or drop the "
            "rows/columns (X.dropna()) before the search"
        )
    std = arr.std(0)
    const = [names[j] for j in np.flatnonzero(std <= 1e-12 * np.maximum(1.0, np.abs(arr).max(0)))]
    if const:
        raise ParameterError(
            f"constant column(s) {const} carry no information; drop them, e.g. X.loc[:, X.std() > 0]"
        )
    corr = np.corrcoef(arr, rowvar=False) if arr.shape[1] > 1 else np.ones((1, 1))
    dup = [
        (names[i], names[j]) for i, j in zip(*np.nonzero(np.triu(np.abs(corr) > 1 - 1e-12, 1)), strict=True)
    ]
    if dup:
        raise ParameterError(
            f"duplicate (perfectly correlated) columns {dup}: every subset holding both is the same model; "
            "keep one of each pair"
        )
    return arr, names


class ExhaustiveSearch(RegressorMixin, BaseEstimator):
    """Linear regression on every subset of 1..``k_max`` descriptors, ranked by cross-validated error (ES-LiR).

    ``cv``: number of shuffled K-fold splits (``random_state``) or a splitter / list of (train, test); the same
    folds score every subset.  ``scoring``: ``"rmse"`` or ``"mse"`` (mean over folds).  ``standardize``: report
    coefficients of z-scored descriptors (the weight diagram's colours) and fit ``best_estimator_`` on scaled
    columns; the CV errors do not depend on it.  ``model="gp"`` re-scores the ``top_n`` linear subsets with a
    Gaussian process (Matern + noise, same folds) and ranks them by that; the linear search always comes first.
    ``select``: ``best_subset_`` is rank 1 (``"min"``) or the sparsest subset whose CV error is within one
    standard error (over folds) of rank 1 (``"1se"``, the default; Hastie et al. ESL §7.10).  With many spurious candidates
    the minimum often lands on a superset of the true subset (each useless column that fits noise by chance wins
    a little, as with AIC); ``"1se"`` guards against that.  ``max_subsets`` guards against 2^K explosions.  ``n_jobs``: threads over blocks of subsets.

    After ``fit``: ``results_`` (:class:`SubsetSearchResult`), ``best_subset_`` (tuple of names), ``best_rank_``,
    ``best_support_`` (boolean mask), ``best_estimator_`` (refitted on all rows), ``feature_names_``.

    >>> rng = np.random.default_rng(0); X = rng.normal(size=(60, 5)); y = 2 * X[:, 1] - X[:, 3] + 0.01 * rng.normal(size=60)
    >>> es = ExhaustiveSearch(top_n=5).fit(X, y)
    >>> es.best_subset_, es.results_.n_subsets
    (('x1', 'x3'), 31)
    """

    def __init__(
        self,
        *,
        k_max: int | None = None,
        cv: Any = 5,
        scoring: str = "rmse",
        standardize: bool = True,
        model: str = "linear",
        top_n: int = 100,
        max_subsets: int = 2**22,
        n_jobs: int | None = None,
        select: str = "1se",
        random_state: int | None = 0,
    ) -> None:
        self.k_max = k_max
        self.cv = cv
        self.scoring = scoring
        self.standardize = standardize
        self.model = model
        self.top_n = top_n
        self.max_subsets = max_subsets
        self.n_jobs = n_jobs
        self.select = select
        self.random_state = random_state

    # -- validation ----------------------------------------------------------------------------------------
    def _folds(self, X: np.ndarray, y: np.ndarray, groups: Any) -> list[tuple[np.ndarray, np.ndarray]]:
        from sklearn.model_selection import KFold

        if isinstance(self.cv, int | np.integer):
            if self.cv < 2:
                raise ParameterError(f"cv={self.cv}: need at least 2 folds")
            splitter = KFold(int(self.cv), shuffle=True, random_state=self.random_state)
        else:
            splitter = self.cv
        if hasattr(splitter, "split"):
            return [(np.asarray(a), np.asarray(b)) for a, b in splitter.split(X, y, groups)]
        return [(np.asarray(a), np.asarray(b)) for a, b in splitter]

    def _sizes(self, n_features: int) -> range:
        k_max = n_features if self.k_max is None else int(self.k_max)
        if not 1 <= k_max <= n_features:
            raise ParameterError(
                f"k_max={self.k_max}: use 1..{n_features} (the number of descriptors) or None"
            )
        n = sum(math.comb(n_features, k) for k in range(1, k_max + 1))
        if n > self.max_subsets:
            fits = [
                k
                for k in range(1, k_max + 1)
                if sum(math.comb(n_features, j) for j in range(1, k + 1)) <= self.max_subsets
            ]
            hint = f"pass k_max={fits[-1]} or less" if fits else "pre-select fewer descriptors"
            raise ParameterError(
                f"{n_features} descriptors with k_max={k_max} make {n:,} subsets, more than max_subsets="
                f"{self.max_subsets:,}; {hint}, pre-select descriptors, or raise max_subsets (about 1 µs per "
                "subset and fold, 16 bytes per subset)"
            )
        if n_features > 62:
            raise ParameterError(f"{n_features} descriptors: at most 62 (subsets are stored as 64-bit masks)")
        return range(1, k_max + 1)

    # -- fitting -------------------------------------------------------------------------------------------
    def fit(self, X: Any, y: Any, *, groups: Any = None, feature_names: Any = None) -> ExhaustiveSearch:
        """Score every subset; ``feature_names`` names the columns of an array X (a DataFrame names its own)."""
        if self.scoring not in SCORINGS:
            raise ParameterError(f"scoring={self.scoring!r}: use {' or '.join(SCORINGS)}")
        if self.select not in ("min", "1se"):
            raise ParameterError(
                f"select={self.select!r}: use 'min' (rank 1) or '1se' (sparsest within one SE)"
            )
        if self.model not in ("linear", "gp"):
            raise ParameterError(
                f"model={self.model!r}: use 'linear' or 'gp' (gp re-scores the top_n subsets)"
            )
        arr, names = _check_X(X, feature_names)
        y = np.asarray(y, dtype=float).ravel()
        if y.shape[0] != arr.shape[0] or not np.isfinite(y).all():
            raise ParameterError(
                f"y must be {arr.shape[0]} finite numbers (got {y.shape[0]}, NaN/inf removed first)"
            )
        sizes = self._sizes(arr.shape[1])
        folds = self._folds(arr, y, groups)
        min_train = min(len(tr) for tr, _ in folds)
        if min_train < sizes[-1] + 2:
            raise ParameterError(
                f"the smallest training fold has {min_train} rows, too few for k_max={sizes[-1]} descriptors plus "
                f"an intercept; lower k_max to {max(1, min_train - 2)} or use fewer folds"
            )
        self.feature_names_ = names
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = arr.shape[1]
        self.mean_, self.scale_ = arr.mean(0), arr.std(0)
        Z = (arr - self.mean_) / self.scale_
        grams = fold_grams(Z, y, folds)
        t0 = time.perf_counter()
        blocks = [b for k in sizes for b in _size_blocks(arr.shape[1], k, len(folds))]
        if self.n_jobs in (None, 1):
            parts = [_score_block(grams, b, self.scoring) for b in blocks]
        else:
            from joblib import Parallel, delayed

            parts = Parallel(n_jobs=self.n_jobs, backend="threading")(
                delayed(_score_block)(grams, b, self.scoring) for b in blocks
            )
        masks = np.concatenate([p[0] for p in parts])
        errors = np.concatenate([p[1] for p in parts])
        self._sizes_all = np.concatenate([np.full(len(b), b.shape[1], dtype=np.int8) for b in blocks])
        elapsed = time.perf_counter() - t0
        self.results_ = self._top_table(Z, y, folds, grams, masks, errors, elapsed)
        top = self.results_.top
        if self.select == "1se":
            limit = top["cv_error"].iloc[0] + top["cv_se"].iloc[0]
            ok = top[top["cv_error"] <= limit]
            best = ok.sort_values(["size", "cv_error"], kind="stable").iloc[0]
        else:
            best = top.iloc[0]
        self.best_rank_ = int(best["rank"])
        self.best_subset_ = tuple(best["members"])
        self.best_support_ = np.array([n in self.best_subset_ for n in names])
        self.best_estimator_ = self._final_estimator().fit(arr[:, self.best_support_], y)
        return self

    def _final_estimator(self):
        from sklearn.linear_model import LinearRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        if self.model == "gp":
            from matinfo.learn.zoo import make_model

            return make_model("gp", "regression", random_state=self.random_state, n_restarts_optimizer=0)
        return make_pipeline(StandardScaler(), LinearRegression()) if self.standardize else LinearRegression()

    def _top_table(self, Z, y, folds, grams, masks, errors, elapsed) -> SubsetSearchResult:
        names = self.feature_names_
        n_top = min(int(self.top_n), errors.size)
        gram, zy = Z.T @ Z, Z.T @ (y - y.mean())
        order = np.argpartition(errors, n_top - 1)[:n_top] if n_top < errors.size else np.arange(errors.size)
        order = order[np.lexsort((masks[order], errors[order]))]
        if self.select == "1se" and self.model == "linear":
            # Hastie et al., ESL §7.10: the sparsest subset within one standard error of the best
            first = subset_cv_mse(
                grams, np.array([[j for j in range(len(names)) if masks[order[0]] >> j & 1]])
            )
            thr = errors[order[0]] + _fold_se(first[:, 0], self.scoring)
            cand = np.flatnonzero(errors <= thr)
            pick = cand[np.lexsort((masks[cand], errors[cand], self._sizes_all[cand]))[0]]
            if pick not in order:
                order = np.append(order, pick)
        rows = []
        for mask in masks[order]:
            sel = [j for j in range(len(names)) if mask >> j & 1]
            mse = subset_cv_mse(grams, np.array([sel]))[:, 0]
            fold_err = np.sqrt(mse) if self.scoring == "rmse" else mse
            # Z has zero column means, so the intercept is mean(y); min-norm solution for collinear subsets
            w, icpt = np.linalg.lstsq(gram[np.ix_(sel, sel)], zy[sel], rcond=None)[0], float(y.mean())
            if not self.standardize:  # back to raw units
                w = w / self.scale_[sel]
                icpt = icpt - float(w @ self.mean_[sel])
            row = {"rank": 0, "size": len(sel), "members": tuple(names[j] for j in sel), "mask": int(mask)}
            row |= {
                "cv_error": float(fold_err.mean()),
                "cv_std": float(fold_err.std()),
                "cv_se": _fold_se(mse, self.scoring),
                "intercept": float(icpt),
            }
            row |= {f"coef[{n}]": np.nan for n in names} | {
                f"coef[{names[j]}]": float(v) for j, v in zip(sel, w, strict=True)
            }
            rows.append(row)
        top = pd.DataFrame(rows)
        extra: dict[str, Any] = {}
        if self.model == "gp":
            top.insert(top.columns.get_loc("cv_error") + 1, "cv_error_linear", top["cv_error"])
            gp_err = [
                self._gp_error(Z[:, list(self.feature_names_.index(n) for n in m)], y, folds)
                for m in top["members"]
            ]
            top["cv_error"], top["cv_std"], top["cv_se"] = (
                [e[0] for e in gp_err],
                [e[1] for e in gp_err],
                [e[1] * np.sqrt(len(folds) / (len(folds) - 1)) / np.sqrt(len(folds)) for e in gp_err],
            )
            top = top.sort_values(["cv_error", "mask"], kind="stable").reset_index(drop=True)
            top["rank"] = np.arange(1, len(top) + 1)
        else:  # rank among all subsets searched (a 1-SE pick from beyond top_n is appended last)
            top["rank"] = [int((errors < e).sum()) + 1 for e in errors[order]]
        return SubsetSearchResult(
            top=top, feature_names=list(names), errors=errors, masks=masks,
            sizes=self.__dict__.pop("_sizes_all"),
            scoring=self.scoring, model=self.model, standardized=bool(self.standardize), n_folds=len(folds),
            elapsed_s=elapsed,
            extra={"subsets_per_s": errors.size / max(elapsed, 1e-12), **extra},
        )  # fmt: skip

    def _gp_error(self, Z: np.ndarray, y: np.ndarray, folds) -> tuple[float, float]:
        from sklearn.model_selection import cross_val_score

        score = "neg_root_mean_squared_error" if self.scoring == "rmse" else "neg_mean_squared_error"
        s = -cross_val_score(self._final_estimator(), Z, y, cv=folds, scoring=score)
        return float(s.mean()), float(s.std())

    # -- using the best subset -----------------------------------------------------------------------------
    def _select(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "best_estimator_")
        if isinstance(X, pd.DataFrame) and set(self.best_subset_) <= set(map(str, X.columns)):
            return X.rename(columns=str)[list(self.best_subset_)].to_numpy(dtype=float)
        arr = np.asarray(X, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != self.n_features_in_:
            raise ParameterError(
                f"X has shape {arr.shape}; pass the {self.n_features_in_} descriptor columns used in fit"
            )
        return arr[:, self.best_support_]

    def predict(self, X: Any) -> np.ndarray:
        """Predictions of ``best_estimator_`` from the best subset's columns of X."""
        X_best = self._select(X)
        return self.best_estimator_.predict(X_best)

    def transform(self, X: Any) -> np.ndarray:
        """The best subset's columns of X."""
        return self._select(X)

    def get_support(self) -> np.ndarray:
        check_is_fitted(self, "best_support_")
        return self.best_support_.copy()

    def inclusion_frequency(self, top: int | None = None) -> pd.Series:
        """Fraction of the ``top`` best subsets that contain each descriptor (see :class:`SubsetSearchResult`)."""
        check_is_fitted(self, "results_")
        return self.results_.inclusion_frequency(top)
