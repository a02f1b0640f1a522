"""A modelling study in one call: several model types on the same folds, importance by category, ablation.

This is the analysis of the seed papers: train LSBoost, SVM and GPR on the same descriptors, compare their
cross-validated errors, ask which descriptors (and which *kinds* of descriptors) matter, and check whether a
group of descriptors can be removed.  ``run_study`` returns a :class:`StudyResult`; ``result.report(DIR)``
writes ``metrics.csv``, ``study.json``, parity plots with uncertainty bars, the grouped-importance and ablation
figures (PNG + HTML) and a short ``report.md``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from matinfo.errors import ParameterError

__all__ = ["run_study", "StudyResult"]


@dataclass
class StudyResult:
    target: str
    task: str
    split: str
    n_rows: int
    feature_names: list[str]
    feature_categories: list[str]
    metrics: dict[str, dict[str, Any]]  # model -> cv metrics
    oof: dict[str, Any]  # model -> DataFrame
    importance: Any = None  # Importance of the best model
    ablation: Any = None  # AblationResult of the best model
    analysis_model: str = ""
    censored: dict[str, Any] = field(default_factory=dict)
    hover: Any = None

    def metrics_frame(self):
        """One row per model: mean ± std of each metric over folds (and uncertainty coverage)."""
        import pandas as pd

        rows = []
        for name, m in self.metrics.items():
            row = {"model": name}
            for k, v in m["cv_mean"].items():
                row[k] = v
                row[f"{k}_std"] = m["cv_std"][k]
            if "coverage" in m:
                row["coverage_68"] = m["coverage"]["coverage_68"]
            rows.append(row)
        return pd.DataFrame(rows)

    def summary(self) -> str:
        lines = [f"{self.target}: {self.n_rows} rows, {len(self.feature_names)} descriptors, {self.split}"]
        key = "mae" if self.task == "regression" else "roc_auc"
        for name, m in self.metrics.items():
            cov = f", ±1σ covers {m['coverage']['coverage_68']:.0%}" if "coverage" in m else ""
            lines.append(f"  {name:<14} {key} {m['cv_mean'][key]:.3f} ± {m['cv_std'][key]:.3f}{cov}")
        if self.importance is not None:
            shares = self.importance.by_category()
            parts = ", ".join(f"{r.Index} {r.share:.0%}" for r in shares.itertuples())
            lines.append(f"  importance by category ({self.analysis_model}): {parts}")
            top = self.importance.top(7)
            lines.append("  top 7: " + "; ".join(f"{r.name} [{r.category}]" for r in top.itertuples()))
        if self.ablation is not None:
            df = self.ablation.to_frame()
            for r in df.itertuples():
                if r.kind == "all":
                    continue
                lines.append(
                    f"  {r.variant:<24} Δ{self.ablation.scoring} {r.diff_mean:+.3f} (p = {r.p_corrected:.3g})"
                )
        return "\n".join(lines)

    def report(self, directory: str | Path) -> Path:
        """Write tables, figures (PNG + HTML) and ``report.md`` into ``directory``."""
        from matinfo.viz import parity_plot
        from matinfo.viz.importance import ablation_plot, importance_plot

        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        self.metrics_frame().to_csv(out / "metrics.csv", index=False)
        files = []
        for name, oof in self.oof.items():
            if self.task == "regression":
                fig = parity_plot(
                    oof["y"],
                    oof["prediction"],
                    oof["uncertainty"],
                    label=self.target,
                    hover=self.hover,
                    title=f"{name}: {self.target}",
                )
                files += [p.name for p in fig.save(out / f"parity_{name}")]
                fig.close()
            oof.to_csv(out / f"cv_predictions_{name}.csv", index=False)
        if self.importance is not None:
            fig = importance_plot(self.importance, top=15, title=f"importance ({self.analysis_model})")
            files += [p.name for p in fig.save(out / "importance")]
            fig.close()
        if self.ablation is not None:
            fig = ablation_plot(self.ablation, title=f"ablation ({self.analysis_model})")
            files += [p.name for p in fig.save(out / "ablation")]
            fig.close()
        data = {
            "target": self.target,
            "task": self.task,
            "split": self.split,
            "n_rows": self.n_rows,
            "censored": self.censored,
            "analysis_model": self.analysis_model,
            "metrics": self.metrics,
            "importance": self.importance.to_dict() if self.importance is not None else None,
            "ablation": self.ablation.to_dict() if self.ablation is not None else None,
        }
        (out / "study.json").write_text(json.dumps(data, indent=2, default=float) + "\n")
        (out / "report.md").write_text(
            f"# Study: {self.target}\n\n```\n{self.summary()}\n```\n\n"
            + "\n".join(f"- [{f}]({f})" for f in files)
            + "\n"
        )
        return out


def run_study(
    frame: Any,
    target: str,
    *,
    featurizer: Any,
    input_columns: Sequence[str] | None = None,
    models: Sequence[str] = ("lgbm", "svm", "gp"),
    model_params: dict[str, dict[str, Any]] | None = None,
    group_col: str | None = None,
    cv: int = 5,
    log_target: bool = False,
    censored: str = "drop",
    importance: str | None = "permutation",
    ablation: bool = True,
    ablation_repeats: int = 3,
    analysis_model: str | None = None,
    random_state: int | None = 0,
    progress: Callable[[str], None] | None = None,
) -> StudyResult:
    """Compare ``models`` on the same folds, then importance by category and ablation for the best one.

    ``importance`` is ``"permutation"`` (grouped by category too), ``"shap"`` (LightGBM only) or None.
    Importance and ablation use ``analysis_model`` (default: the model with the best CV score).
    The ablation uses ``ablation_repeats`` × ``cv`` repeated folds (grouped when ``group_col`` is given) and the
    Nadeau–Bengio corrected t-test.
    """
    import pandas as pd
    from sklearn.base import clone

    from matinfo.learn.ablation import run_ablation
    from matinfo.learn.importance import cv_importance
    from matinfo.learn.train import (
        _uncertain_model,
        choose_splitter,
        cross_validated_predictions,
        read_target,
    )

    say = progress or (lambda _m: None)
    if not models:
        raise ParameterError("run_study needs at least one model")
    y_all, keep, task, cens = read_target(frame, target, censored=censored, log_target=log_target)
    data = frame.loc[keep].reset_index(drop=True)
    y = y_all[keep]
    inputs = data[list(input_columns)] if input_columns else data
    say(f"featurizing {len(data)} rows")
    feat = clone(featurizer).fit(inputs, y)
    names = [str(n) for n in feat.get_feature_names_out()]
    cats = [str(c) for c in feat.get_feature_categories_out()]
    X = feat.transform(inputs)
    informative = ~np.all(np.isnan(X), axis=0) & (np.nanstd(X, axis=0) > 0)
    X, names, cats = (
        X[:, informative],
        [n for n, k in zip(names, informative, strict=True) if k],
        [c for c, k in zip(cats, informative, strict=True) if k],
    )
    groups = data[group_col].astype(str).to_numpy() if group_col else None
    splitter, desc = choose_splitter(task, cv, group_col, random_state)
    metrics, oofs, estimators = {}, {}, {}
    for name in models:
        say(f"cross-validating {name}")
        est, unc = _uncertain_model(name, task, random_state, "auto", (model_params or {}).get(name, {}))
        oof, m = cross_validated_predictions(est, X, y, task, splitter, groups, with_std=bool(unc))
        metrics[name], oofs[name], estimators[name] = m, oof, est
    key, sign = ("mae", 1) if task == "regression" else ("roc_auc", -1)
    best = min(metrics, key=lambda n: sign * metrics[n]["cv_mean"][key])
    Xdf = pd.DataFrame(X, columns=names)
    from matinfo.learn.zoo import make_model

    best = analysis_model or best
    plain = make_model(best, task, random_state=random_state, **(model_params or {}).get(best, {}))
    imp = None
    if importance:
        say(f"importance by category ({best})")
        imp = cv_importance(
            plain,
            Xdf,
            y,
            cats,
            cv=splitter,
            groups=groups,
            method=importance,
            scoring="mae" if task == "regression" else "roc_auc",
            random_state=random_state,
        )
    abl = None
    if ablation and len(set(cats)) > 1:
        say(f"ablation ({best})")
        from sklearn.model_selection import GroupKFold, RepeatedKFold, RepeatedStratifiedKFold, check_cv

        if groups is not None:
            rep = [
                s
                for r in range(ablation_repeats)
                for s in GroupKFold(cv, shuffle=True, random_state=(random_state or 0) + r).split(
                    X, y, groups
                )
            ]
        elif task == "classification":
            rep = list(
                RepeatedStratifiedKFold(
                    n_splits=cv, n_repeats=ablation_repeats, random_state=random_state
                ).split(X, y)
            )
        else:
            rep = list(
                RepeatedKFold(n_splits=cv, n_repeats=ablation_repeats, random_state=random_state).split(X, y)
            )
        abl = run_ablation(
            plain,
            Xdf,
            y,
            cats,
            cv=check_cv(rep),
            scoring="mae" if task == "regression" else "roc_auc",
            random_state=random_state,
        )
    hover = data[input_columns[0]].astype(str).tolist() if input_columns else None
    return StudyResult(
        target=target + (" (log10)" if log_target else ""),
        task=task,
        split=desc,
        n_rows=len(y),
        feature_names=names,
        feature_categories=cats,
        metrics=metrics,
        oof=oofs,
        importance=imp,
        ablation=abl,
        analysis_model=best,
        censored=cens,
        hover=hover,
    )
