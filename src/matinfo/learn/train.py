"""Train a featurizer → model pipeline from a table, evaluate it by cross-validation, save it with its card.

``fit_model(table, target="gap", composition_col="formula")`` does what a careful person does by hand:

1. reads the target, handling censored values (``<1E-10``) explicitly (``censored="drop"`` or ``"bound"``) and
   optionally taking log10;
2. featurizes the inputs once (featurizers are stateless or learn only category vocabularies, never the target,
   so computing features on all rows leaks nothing into the folds);
3. cross-validates the model on out-of-fold predictions — grouped by ``group_col`` (substance, chemical system,
   DOI) when given, stratified for classification — and reports metrics and, for regression, the coverage of the
   predicted uncertainty;
4. fits the final pipeline on all rows, with an uncertainty estimate (the model's own std, or a calibrated
   bootstrap ensemble), and writes a model card.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from matinfo.errors import ImportDataError, ParameterError

__all__ = [
    "read_target",
    "default_featurizer",
    "choose_splitter",
    "cross_validated_predictions",
    "fit_model",
    "FitResult",
    "predict_table",
]


def _censored_value(v: Any) -> tuple[float | None, str | None]:
    """(number, '<' or '>' or None) from a target cell; None for missing."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None, None
    if isinstance(v, int | float | np.integer | np.floating):
        return float(v), None
    text = str(v).strip()
    if not text:
        return None, None
    sign = None
    if text[0] in "<>≤≥":
        sign = "<" if text[0] in "<≤" else ">"
        text = text[1:].lstrip("=").strip()
    try:
        return float(text), sign
    except ValueError:
        return float("nan"), sign


def read_target(
    frame: Any, target: str, *, task: str | None = None, censored: str = "drop", log_target: bool = False
) -> tuple[np.ndarray, np.ndarray, str, dict[str, Any]]:
    """Target values, the mask of usable rows, the task and a censoring report.

    ``censored="drop"`` drops bounds such as ``<1E-10``; ``"bound"`` keeps the bound as the value (an upper
    limit taken at face value: for conductivities below a detection limit this over-states them, which is the
    conservative side for screening).  Unreadable cells raise :class:`~matinfo.errors.ImportDataError` naming the
    row.
    """
    if target not in frame.columns:
        raise ImportDataError(
            f"no target column {target!r}; columns are {list(frame.columns)}",
            field=target,
            hint="name it with --target",
        )
    if censored not in ("drop", "bound"):
        raise ParameterError(f"censored={censored!r}: use 'drop' or 'bound'")
    col = frame[target]
    values = np.full(len(col), np.nan)
    signs: list[str | None] = []
    for i, (label, v) in enumerate(col.items()):
        num, sign = _censored_value(v)
        if num is not None and np.isnan(num):
            raise ImportDataError(
                "target is not a number",
                line=None,
                source=f"row {label}",
                field=target,
                value=v,
                hint="fix the cell, or leave it empty to skip the row",
            )
        values[i] = np.nan if num is None else num
        signs.append(sign)
    signs_arr = np.asarray(signs, dtype=object)
    n_censored = int(sum(s is not None for s in signs))
    keep = ~np.isnan(values)
    if censored == "drop":
        keep &= signs_arr == None  # noqa: E711 - elementwise on an object array
    if task is None:
        uniq = np.unique(values[keep])
        task = "classification" if len(uniq) <= 2 and set(uniq.tolist()) <= {0.0, 1.0} else "regression"
    transform = None
    if log_target:
        if task != "regression":
            raise ParameterError("log_target applies to regression targets only")
        bad = keep & (values <= 0)
        if bad.any():
            first = frame.index[np.flatnonzero(bad)[0]]
            raise ImportDataError(
                "log10 of a value <= 0",
                source=f"row {first}",
                field=target,
                value=col.loc[first],
                hint="drop the row or do not use --log-target",
            )
        values = np.where(keep, np.log10(np.where(keep, values, 1.0)), np.nan)
        transform = "log10"
    report = {
        "policy": censored,
        "n_censored": n_censored,
        "n_used": int(keep.sum()),
        "n_missing": int(np.isnan(values).sum()),
    }
    return values, keep, task, {**report, "transform": transform}


def default_featurizer(
    composition_col: str | None = "formula",
    structure_col: str | None = None,
    condition_columns: dict[str, Any] | None = None,
    numeric_columns: dict[str, list[str]] | None = None,
):
    """The descriptors a materials scientist would start from, as one :class:`~matinfo.features.TableFeatures`:

    * composition column → Magpie element statistics, stoichiometry norms, valence-orbital fractions;
    * structure column (CIF paths or text) → density / volume / packing, symmetry, Li-site occupancy;
    * condition columns → :class:`~matinfo.features.ConditionFeatures` (processing / measurement, units normalised);
    * ``numeric_columns`` → ``{category: [columns]}`` passed through as descriptors of that category.

    Rows whose structure cannot be read get NaN structure features (``on_error="nan"``), not an error.
    """
    from matinfo.features import NumericColumns, TableFeatures
    from matinfo.features.base import registered_featurizers

    reg = registered_featurizers()
    parts: list[tuple[Any, str | None]] = []
    if composition_col:
        parts += [(reg[n](), composition_col) for n in ("element_stats", "stoichiometry", "valence_orbital")]
    if structure_col:
        parts += [(reg[n](), structure_col) for n in ("structure_basics", "symmetry", "site_occupancy")]
    if condition_columns:
        parts.append((reg["conditions"](columns=condition_columns), None))
    for category, cols in (numeric_columns or {}).items():
        # "reported a" vs the "a" computed from a CIF: numbers given in the table keep a prefix
        parts.append((NumericColumns(columns=list(cols), category=category, prefix="reported "), None))
    if not parts:
        raise ParameterError(
            "nothing to featurize: give a composition, structure, condition or numeric column"
        )
    return TableFeatures(parts, on_error="nan")


@dataclass
class FitResult:
    """The fitted pipeline, its card and the out-of-fold predictions (``oof``: y, prediction, std, fold)."""

    pipeline: Any
    card: Any
    oof: Any
    #: a few training inputs, predicted at save time and re-predicted by ``load_model`` as a check
    check_rows: Any = None

    def save(self, directory) -> Any:
        """Write the pipeline and its card (see :func:`matinfo.learn.save_model`)."""
        from matinfo.learn.card import save_model

        cols = self.card.input_columns
        rows = self.check_rows
        return save_model(
            self.pipeline, self.card, directory, check_rows=rows[cols] if cols and rows is not None else rows
        )


def _uncertain_model(
    name: str, task: str, random_state: int | None, uncertainty: str, params: dict[str, Any]
):
    from matinfo.learn.uncertainty import Ensemble
    from matinfo.learn.zoo import get_model_spec, make_model

    spec = get_model_spec(name)
    model = make_model(name, task, random_state=random_state, **params)
    if task != "regression" or uncertainty == "none":
        return model, None
    if uncertainty == "auto":
        uncertainty = "native" if spec.native_std else "ensemble"
    if uncertainty == "native":
        if not spec.native_std:
            raise ParameterError(f"model {name!r} has no native uncertainty; use uncertainty='ensemble'")
        return model, f"native std of {spec.name}"
    if uncertainty == "ensemble":
        return Ensemble(model, n_members=5, random_state=random_state), "calibrated bootstrap ensemble of 5"
    raise ParameterError(f"uncertainty={uncertainty!r}: use auto, native, ensemble or none")


def input_columns(
    composition_col: str | None = None,
    structure_col: str | None = None,
    condition_columns: dict[str, Any] | None = None,
    numeric_columns: dict[str, list[str]] | None = None,
) -> list[str]:
    """The raw columns a default featurizer reads, in order, without repeats."""
    cols = [composition_col, structure_col, *(condition_columns or {})]
    cols += [c for group in (numeric_columns or {}).values() for c in group]
    return list(dict.fromkeys(c for c in cols if c))


def choose_splitter(task: str, cv: int, group_col: str | None, random_state: int | None) -> tuple[Any, str]:
    """GroupKFold when there are groups, StratifiedKFold for classification, else shuffled KFold."""
    from matinfo.learn.splits import make_cv

    if group_col is not None:
        return make_cv("group", cv, random_state=random_state), f"GroupKFold({cv}) by {group_col}"
    if task == "classification":
        return make_cv("stratified", cv, random_state=random_state), f"StratifiedKFold({cv}, shuffled)"
    return make_cv("kfold", cv, random_state=random_state), f"KFold({cv}, shuffled)"


def cross_validated_predictions(
    estimator: Any,
    X: np.ndarray,
    y: np.ndarray,
    task: str,
    splitter: Any,
    groups: np.ndarray | None = None,
    *,
    with_std: bool = False,
    progress: Callable[[str], None] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """Out-of-fold predictions (DataFrame: y, prediction, uncertainty, fold) and per-fold / mean / std metrics.

    Regression uncertainty is the model's std when ``with_std``; classification "uncertainty" is the Bernoulli
    std sqrt(p(1-p)) of the predicted probability.
    """
    import pandas as pd
    from sklearn.base import clone

    from matinfo.learn.metrics import classification_metrics, interval_coverage, regression_metrics
    from matinfo.learn.uncertainty import predict_with_std

    oof = pd.DataFrame({"y": y, "prediction": np.nan, "uncertainty": np.nan, "fold": -1})
    fold_metrics = []
    splits = list(splitter.split(X, y, groups))
    for k, (tr, te) in enumerate(splits):
        if progress:
            progress(f"fold {k + 1}/{len(splits)}")
        est = clone(estimator).fit(X[tr], y[tr])
        if task == "classification":
            p = est.predict_proba(X[te])[:, 1]
            oof.loc[te, ["prediction", "uncertainty"]] = np.c_[p, np.sqrt(p * (1 - p))]
            fold_metrics.append(classification_metrics(y[te], p))
        else:
            if with_std:
                mean, std = predict_with_std(est, X[te])
            else:
                mean, std = np.asarray(est.predict(X[te])).ravel(), np.full(len(te), np.nan)
            oof.loc[te, ["prediction", "uncertainty"]] = np.c_[mean, std]
            fold_metrics.append(regression_metrics(y[te], mean))
        oof.loc[te, "fold"] = k
    keys = [k for k in fold_metrics[0] if k != "n"]
    metrics: dict[str, Any] = {
        "cv_mean": {k: float(np.nanmean([m[k] for m in fold_metrics])) for k in keys},
        "cv_std": {k: float(np.nanstd([m[k] for m in fold_metrics], ddof=1)) for k in keys},
        "folds": fold_metrics,
    }
    if task == "regression" and with_std:
        metrics["coverage"] = interval_coverage(oof["y"], oof["prediction"], oof["uncertainty"])
    return oof, metrics


def fit_model(
    frame: Any,
    target: str,
    *,
    composition_col: str | None = "formula",
    structure_col: str | None = None,
    condition_columns: dict[str, Any] | None = None,
    numeric_columns: dict[str, list[str]] | None = None,
    featurizer: Any = None,
    model: str = "lgbm",
    model_params: dict[str, Any] | None = None,
    task: str | None = None,
    group_col: str | None = None,
    cv: int = 5,
    uncertainty: str = "auto",
    censored: str = "drop",
    log_target: bool = False,
    random_state: int | None = 0,
    progress: Callable[[str], None] | None = None,
) -> FitResult:
    """Cross-validate and fit ``featurizer → model`` on ``frame`` (see the module docstring)."""
    from sklearn.base import clone
    from sklearn.pipeline import Pipeline

    from matinfo.learn.card import ModelCard, data_hash

    say = progress or (lambda _msg: None)
    y_all, keep, task, cens = read_target(frame, target, task=task, censored=censored, log_target=log_target)
    feat = (
        featurizer
        if featurizer is not None
        else default_featurizer(composition_col, structure_col, condition_columns, numeric_columns)
    )
    input_cols = input_columns(composition_col, structure_col, condition_columns, numeric_columns)
    if group_col and group_col not in frame.columns:
        raise ImportDataError(
            f"no group column {group_col!r}", field=group_col, hint="name an existing column"
        )
    data = frame.loc[keep].reset_index(drop=True)
    y = y_all[keep]
    groups = data[group_col].astype(str).to_numpy() if group_col else None
    inputs = data[input_cols] if input_cols else data
    say(f"featurizing {len(data)} rows")
    feat = clone(feat).fit(inputs, y)
    X = feat.transform(inputs)
    estimator, unc = _uncertain_model(model, task, random_state, uncertainty, model_params or {})
    splitter, desc = choose_splitter(task, cv, group_col if groups is not None else None, random_state)
    oof, metrics = cross_validated_predictions(
        estimator, X, y, task, splitter, groups, with_std=bool(unc), progress=say
    )
    say("fitting the final model on all rows")
    pipe = Pipeline([("features", feat), ("model", clone(estimator).fit(X, y))])
    card = ModelCard(
        task=task,
        target=target,
        model=model,
        input_columns=input_cols,
        feature_names=[str(n) for n in feat.get_feature_names_out()],
        feature_categories=[str(c) for c in feat.get_feature_categories_out()],
        data_hash=data_hash(inputs, y),
        n_train=len(y),
        split={"description": desc, "n_splits": cv, "group_col": group_col, "random_state": random_state},
        seed=random_state,
        metrics=metrics,
        params={k: repr(v) for k, v in estimator.get_params(deep=False).items()},
        target_transform=cens["transform"],
        uncertainty=unc,
        censored=cens,
    )
    return FitResult(pipe, card, oof, check_rows=inputs.head(5))


def predict_table(pipeline: Any, card: Any, frame: Any) -> Any:
    """``frame`` with ``prediction`` and ``uncertainty`` (one standard deviation) columns added.

    For a model trained on log10 of its target both are in decades (log10 units) and ``prediction_linear``
    holds ``10**prediction``; for a classifier ``prediction`` is P(class 1) and ``uncertainty`` its Bernoulli
    standard deviation.
    """
    from matinfo.learn.uncertainty import predict_with_std

    missing = [c for c in card.input_columns if c not in frame.columns]
    if missing:
        raise ImportDataError(
            f"input columns {missing} are missing; the model was trained on {card.input_columns}",
            hint="rename the columns to match",
        )
    inputs = frame[card.input_columns] if card.input_columns else frame
    out = frame.copy()
    if card.task == "classification":
        p = pipeline.predict_proba(inputs)[:, 1]
        out["prediction"], out["uncertainty"] = p, np.sqrt(p * (1 - p))
        return out
    if card.uncertainty:
        mean, std = predict_with_std(pipeline, inputs)
    else:
        mean, std = np.asarray(pipeline.predict(inputs)).ravel(), np.full(len(inputs), np.nan)
    out["prediction"], out["uncertainty"] = mean, std
    if card.target_transform == "log10":
        out["prediction_linear"] = 10.0**mean
    return out
