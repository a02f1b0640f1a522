"""``matinfo model fit | predict | evaluate``: train, apply and check saved models.

CLI contract: ``matinfo model fit DATA.csv --target COL [--composition-col COL] [--model NAME] [--group-col COL]
--out DIR``; ``matinfo model predict DIR DATA.csv --out PRED.csv`` (adds ``prediction`` and ``uncertainty``).
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

model_app = typer.Typer(
    help="Models: fit with cross-validation and a model card, predict, evaluate.", no_args_is_help=True
)


class Censored(str, Enum):
    drop = "drop"
    bound = "bound"


def _read(path: Path):
    import pandas as pd

    from matinfo.errors import ImportDataError

    if not path.exists():
        raise ImportDataError("no such file", source=str(path), hint="check the path")
    return pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)


DbUrl = Annotated[
    str | None, typer.Option("--db", help="Database URL: train on a search of it instead of a file.")
]
Dataset = Annotated[str | None, typer.Option(help="With --db: materials of this dataset.")]
Elements = Annotated[str | None, typer.Option(help="With --db: materials with all these elements.")]
Numbers = Annotated[
    list[str] | None,
    typer.Option(
        "--numeric",
        help="CATEGORY:COL,COL numeric columns used as descriptors of that category, e.g. structure:a,b,c (repeatable).",
    ),
]


def _numeric(specs: list[str] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for spec in specs or []:
        cat, sep, cols = spec.partition(":")
        if not sep or not cols:
            raise typer.BadParameter(f"--numeric {spec!r}: write CATEGORY:COL,COL (e.g. structure:a,b,c)")
        out.setdefault(cat, []).extend(c for c in cols.split(",") if c)
    return out


def _frame(data: Path | None, db: str | None, dataset: str | None, elements: str | None):
    from matinfo.cli._tables import load_table, resolve_paths

    frame, _ = load_table(data, db=db, dataset=dataset, elements=elements)
    if data is not None and "cif" in frame.columns:
        frame["cif"] = resolve_paths(frame["cif"], data.parent)
    return frame


def _guess_composition(frame, given: str | None) -> str | None:
    return given or next(
        (c for c in ("formula", "composition", "Reduced Composition") if c in frame.columns), None
    )


@model_app.command("fit")
def fit(
    data: Annotated[
        Path | None, typer.Argument(help="CSV (or Parquet) with one row per sample (or use --db).")
    ] = None,
    target: Annotated[str, typer.Option(help="Target column.")] = ...,
    out: Annotated[
        Path, typer.Option(help="Folder for model.joblib + card.json (replaced atomically).")
    ] = ...,
    composition_col: Annotated[
        str | None, typer.Option(help="Formula column (default: formula/composition).")
    ] = None,
    structure_col: Annotated[str | None, typer.Option(help="Column of CIF paths or CIF text.")] = None,
    model: Annotated[
        str,
        typer.Option(
            help="lgbm, random_forest, extra_trees, svm, gp, kernel_ridge, pls, lasso, elastic_net, mlp, logistic."
        ),
    ] = "lgbm",
    group_col: Annotated[
        str | None,
        typer.Option(help="Keep each group in one fold (substance, chemical system, DOI, family)."),
    ] = None,
    cv: Annotated[int, typer.Option(help="Number of folds.")] = 5,
    task: Annotated[
        str | None, typer.Option(help="regression or classification (default: guessed from the target).")
    ] = None,
    log_target: Annotated[
        bool, typer.Option("--log-target", help="Fit log10 of the target (conductivities).")
    ] = False,
    censored: Annotated[
        Censored, typer.Option(help="Bounds such as <1E-10 in the target: drop the rows or use the bound.")
    ] = Censored.drop,
    uncertainty: Annotated[str, typer.Option(help="auto, native, ensemble or none.")] = "auto",
    seed: Annotated[int, typer.Option(help="Random seed (folds, models).")] = 0,
    numeric: Numbers = None,
    db: DbUrl = None,
    dataset: Dataset = None,
    elements: Elements = None,
) -> None:
    """Cross-validate FEATURES → MODEL on DATA (or a database search), fit on all rows, save model + card."""
    from matinfo.cli.render import console
    from matinfo.learn import fit_model

    frame = _frame(data, db, dataset, elements)
    comp = _guess_composition(frame, composition_col)
    with console.status("training") as status:
        res = fit_model(
            frame,
            target,
            composition_col=comp,
            structure_col=structure_col,
            numeric_columns=_numeric(numeric),
            model=model,
            task=task,
            group_col=group_col,
            cv=cv,
            uncertainty=uncertainty,
            censored=censored.value,
            log_target=log_target,
            random_state=seed,
            progress=lambda msg: status.update(msg),
        )
    res.save(out)
    res.oof.to_csv(out / "cv_predictions.csv", index=False)
    typer.echo(res.card.summary())
    if "coverage" in res.card.metrics:
        cov = res.card.metrics["coverage"]
        console.print(
            f"uncertainty ({res.card.uncertainty}): {cov['coverage_68']:.0%} of CV errors within ±1σ, {cov['coverage_95']:.0%} within ±2σ"
        )
    if res.card.censored.get("n_censored"):
        c = res.card.censored
        console.print(f"censored target values: {c['n_censored']} ({c['policy']})")
    console.print(f"saved to {out}")


@model_app.command("predict")
def predict(
    model_dir: Annotated[Path, typer.Argument(help="Folder written by `matinfo model fit`.")],
    data: Annotated[Path, typer.Argument(help="CSV with the model's input columns.")],
    out: Annotated[Path, typer.Option(help="Output CSV: the input plus prediction and uncertainty.")],
) -> None:
    """Predict DATA with a saved model: adds `prediction` and `uncertainty` (one standard deviation)."""
    from matinfo.cli.featurize import _atomic_write
    from matinfo.cli.render import console
    from matinfo.learn import load_model, predict_table

    pipeline, card = load_model(model_dir)
    table = predict_table(pipeline, card, _read(data))
    _atomic_write(table, out)
    console.print(f"wrote {len(table)} predictions of {card.target!r} to {out}")


@model_app.command("evaluate")
def evaluate(
    model_dir: Annotated[Path, typer.Argument(help="Folder written by `matinfo model fit`.")],
    data: Annotated[Path, typer.Argument(help="CSV with inputs and the target column.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print metrics as JSON.")] = False,
) -> None:
    """Score a saved model on labelled data it has not seen (same target handling as in training)."""
    from matinfo.cli.render import console
    from matinfo.learn import (
        classification_metrics,
        interval_coverage,
        load_model,
        predict_table,
        read_target,
    )

    pipeline, card = load_model(model_dir)
    frame = _read(data)
    y, keep, _, _ = read_target(
        frame,
        card.target,
        task=card.task,
        censored=card.censored.get("policy", "drop"),
        log_target=card.target_transform == "log10",
    )
    pred = predict_table(pipeline, card, frame.loc[keep])
    if card.task == "classification":
        metrics = classification_metrics(y[keep], pred["prediction"])
    else:
        from matinfo.learn import regression_metrics

        metrics = regression_metrics(y[keep], pred["prediction"])
        if card.uncertainty:
            metrics |= interval_coverage(y[keep], pred["prediction"], pred["uncertainty"])
    if as_json:
        typer.echo(json.dumps(metrics, indent=2))
    else:
        console.print(
            ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in metrics.items())
        )


@model_app.command("study")
def study(
    data: Annotated[Path | None, typer.Argument(help="CSV (or Parquet), or use --db.")] = None,
    target: Annotated[str, typer.Option(help="Target column.")] = ...,
    out: Annotated[
        Path, typer.Option(help="Report folder: metrics.csv, study.json, figures, report.md.")
    ] = ...,
    models: Annotated[
        str, typer.Option(help="Comma-separated model names compared on the same folds.")
    ] = "lgbm,svm,gp",
    composition_col: Annotated[
        str | None, typer.Option(help="Formula column (default: formula/composition).")
    ] = None,
    structure_col: Annotated[str | None, typer.Option(help="Column of CIF paths or text (optional).")] = None,
    numeric: Numbers = None,
    group_col: Annotated[str | None, typer.Option(help="Keep each group in one fold.")] = None,
    cv: Annotated[int, typer.Option(help="Number of folds.")] = 5,
    log_target: Annotated[bool, typer.Option("--log-target", help="Study log10 of the target.")] = False,
    censored: Annotated[
        Censored, typer.Option(help="Bounds such as <1E-10: drop or use the bound.")
    ] = Censored.drop,
    importance: Annotated[str, typer.Option(help="permutation, shap (LightGBM) or none.")] = "permutation",
    ablation: Annotated[
        bool, typer.Option(help="Ablate each descriptor category (corrected t-test).")
    ] = True,
    analysis_model: Annotated[
        str | None, typer.Option(help="Model for importance / ablation (default: best).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    db: DbUrl = None,
    dataset: Dataset = None,
    elements: Elements = None,
) -> None:
    """Compare model types on the same folds, then importance by descriptor category and ablation."""
    from matinfo.cli.render import console
    from matinfo.learn import default_featurizer, run_study
    from matinfo.learn.train import input_columns

    frame = _frame(data, db, dataset, elements)
    comp = _guess_composition(frame, composition_col)
    nums = _numeric(numeric)
    feat = default_featurizer(comp, structure_col, None, nums)
    names = [m.strip() for m in models.split(",") if m.strip()]
    with console.status("study") as status:
        res = run_study(
            frame,
            target,
            featurizer=feat,
            input_columns=input_columns(comp, structure_col, None, nums),
            models=names,
            group_col=group_col,
            cv=cv,
            log_target=log_target,
            censored=censored.value,
            importance=None if importance == "none" else importance,
            ablation=ablation,
            analysis_model=analysis_model,
            random_state=seed,
            progress=lambda msg: status.update(msg),
        )
    res.report(out)
    typer.echo(res.summary())
    console.print(f"report: {out / 'report.md'}")
