"""``matinfo bench matbench``: run a Matbench-format task with its official folds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

bench_app = typer.Typer(help="Benchmarks with official splits (Matbench).", no_args_is_help=True)


@bench_app.command("matbench")
def matbench(
    task: Annotated[
        str, typer.Option(help="Task name (expt_gap, expt_is_metal, glass, or any NAME with NAME_folds.csv).")
    ],
    data_dir: Annotated[
        Path, typer.Option(help="Folder with matbench_<task>.csv and matbench_<task>_folds.csv.")
    ],
    out: Annotated[Path, typer.Option(help="Result JSON (per-fold scores, mean, std, times, versions).")],
    recipe: Annotated[
        str, typer.Option(help="default (the matinfo recipe) or baseline (Magpie + random forest).")
    ] = "default",
    n_jobs: Annotated[int, typer.Option(help="CPU cores to use.")] = 2,
    fold: Annotated[
        list[int] | None, typer.Option(help="Only these folds (repeatable); default all.")
    ] = None,
) -> None:
    """Train on four folds, score the fifth, for every official fold; write the scores to OUT."""
    from matinfo.cli.render import console
    from matinfo.learn.matbench import run_matbench, write_result

    with console.status("matbench") as status:
        res = run_matbench(
            task,
            data_dir,
            recipe=recipe,
            n_jobs=n_jobs,
            folds=fold,
            progress=lambda m: (status.update(m), console.print(m)),
        )
    write_result(res, out)
    console.print(
        f"{res['task']}: {res['metric']} = {res['mean']:.4f} ± {res['std']:.4f} over {len(res['folds'])} folds in {res['wall_seconds']:.0f} s → {out}"
    )
