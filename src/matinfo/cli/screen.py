"""``matinfo screen run``: score a candidate space with several saved models; top lists, overlaps, hit list.

CLI contract: ``matinfo screen run --models DIR [DIR...] --candidates SPEC --top N --out DIR`` writes
``DIR/hits.csv`` (the union of the models' top-N lists with every model's prediction) and ``DIR/overlap.json``
(``in_all``, ``in_at_least`` {"2": …}, every exclusive intersection, the run's counts), plus an UpSet figure.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from matinfo.cli.db import DbOption

screen_app = typer.Typer(
    help="Screening: rank a large candidate space with several models and find where they agree.",
    no_args_is_help=True,
)


class RankBy(str, Enum):
    mean = "mean"
    optimistic = "optimistic"
    conservative = "conservative"
    probability = "probability"


class Executor(str, Enum):
    local = "local"
    threads = "threads"
    dask = "dask"


class Known(str, Enum):
    known = "known"
    novel = "novel"


class Fmt(str, Enum):
    text = "text"
    json = "json"


def _value(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def _pairs(items: list[str] | None, option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        key, eq, value = item.rpartition("=")
        if not eq or not key.strip() or not value.strip():
            raise typer.BadParameter(
                f"{option} {item!r}: write NAME=VALUE, e.g. {option} 'Temperature (K)=300'"
            )
        out[key.strip()] = value.strip()
    return out


def _goal(text: str) -> str | dict[str, str]:
    if "=" not in text:
        return text
    return _pairs(text.split(","), "--goal")


def _elements(text: str | None) -> list[str] | None:
    return None if not text else [e.strip() for e in text.split(",") if e.strip()]


def _filters(
    exclude: str | None,
    allow: str | None,
    require: str | None,
    max_elements: int | None,
    charge_balanced: bool,
    no_shared: bool,
    known: Known | None,
    db: str | None,
) -> list[Any]:
    from matinfo.screen.filters import ChargeBalanced, Elements, KnownPhases, NoSharedElements

    out: list[Any] = []
    if exclude or allow or require or max_elements is not None:
        out.append(
            Elements(
                allowed=_elements(allow),
                required=_elements(require),
                exclude=_elements(exclude),
                max_elements=max_elements,
            )
        )
    if charge_balanced:
        out.append(ChargeBalanced())
    if no_shared:
        out.append(NoSharedElements())
    if known is not None:
        if not db:
            raise typer.BadParameter("--known needs the store of known phases: --db URL")
        out.append(KnownPhases.from_store(db, keep=known.value))
    return out


@screen_app.command("run", context_settings={"allow_extra_args": True, "ignore_unknown_options": False})
def run(
    ctx: typer.Context,
    models: Annotated[
        list[Path],
        typer.Option(
            "--models",
            "-m",
            help="Folders written by `matinfo model fit` (--models A B C, or repeat --models).",
        ),
    ],
    candidates: Annotated[str, typer.Option("--candidates", "-c", help="The candidate space SPEC (forms above).")],
    out: Annotated[Path, typer.Option(help="Folder for hits.csv, overlap.json and overlap.png/.html.")],
    top: Annotated[int, typer.Option(help="Length of each model's top list.")] = 100,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="A model input with one value for all candidates, e.g. 'Temperature (K)=300' (repeatable)."),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="MODEL_COLUMN=CANDIDATE_COLUMN when the names differ, e.g. 'Pymatgen Composition=formula'."),
    ] = None,
    goal: Annotated[str, typer.Option(help="min (lowest first) or max; per model: NAME=max,NAME=min.")] = "min",
    ranking: Annotated[RankBy, typer.Option(help="Rank by the mean, or use the uncertainty: optimistic / conservative (mean -/+ kappa std), probability (of beating --threshold).")] = RankBy.mean,
    kappa: Annotated[float, typer.Option(help="Standard deviations for optimistic / conservative.")] = 1.0,
    threshold: Annotated[float | None, typer.Option(help="Value to beat for --ranking probability (target units).")] = None,
    uncertainty: Annotated[bool | None, typer.Option("--uncertainty/--no-uncertainty", help="Add each model's std to the hit list (default: when the ranking needs it).")] = None,
    depth: Annotated[int | None, typer.Option(help="Candidates kept per model for rank aggregation (default 10 x top).")] = None,
    exclude_elements: Annotated[str | None, typer.Option(help="Drop candidates with any of these elements, e.g. Pb,Cd,Hg.")] = None,
    allow_elements: Annotated[str | None, typer.Option(help="Keep candidates made only of these elements.")] = None,
    require_elements: Annotated[str | None, typer.Option(help="Keep candidates with all of these elements.")] = None,
    max_elements: Annotated[int | None, typer.Option(help="Keep compositions of at most this many elements.")] = None,
    charge_balanced: Annotated[bool, typer.Option("--charge-balanced", help="Keep charge-balanced compositions (common oxidation states).")] = False,
    no_shared_elements: Annotated[bool, typer.Option("--no-shared-elements", help="Pairs: keep A|B with no element in common.")] = False,
    known: Annotated[Known | None, typer.Option(help="known: only compositions of substances in --db; novel: only others.")] = None,
    executor: Annotated[Executor, typer.Option(help="local (one core), threads (--workers threads of this process), or dask (a local dask.distributed cluster).")] = Executor.local,
    workers: Annotated[int | None, typer.Option(help="Threads or Dask workers (default: all cores).")] = None,
    chunk_size: Annotated[int, typer.Option(help="Candidates per chunk.")] = 20_000,
    write_back: Annotated[bool, typer.Option("--write-back", help="Store the hits' predictions in --db (method prediction, model ID).")] = False,
    quantity: Annotated[str | None, typer.Option(help="With --write-back: the quantity (default: from the model's target).")] = None,
    unit: Annotated[str | None, typer.Option(help="With --write-back: the predictions' unit.")] = None,
    figure: Annotated[bool, typer.Option("--figure/--no-figure", help="Write the UpSet figure overlap.png / overlap.html.")] = True,
    fmt: Annotated[Fmt, typer.Option("--format", help="text, or json (overlap.json on stdout).")] = Fmt.text,
    db: DbOption = None,
) -> None:  # fmt: skip
    """Score every candidate with every model; write each model's top N, their overlaps and the hit list.

    The candidates stream in chunks (memory stays flat for millions) and only each model's best are kept.
    hits.csv holds the union of the top-N lists: every model's prediction and rank, in how many lists each hit
    is (n_models) and the rank aggregates (borda, mean_rank, reciprocal_rank, mean_zscore); overlap.json the
    counts in all / in at least k models and every exclusive intersection.

    \b
    SPEC forms (--candidates):
      csv:PATH[:COLUMN]                  rows of a CSV file; COLUMN holds formulas or A|B pairs
      pairs:FILE[:OPTS] | pairs:A,B,C    A|B pairs of the substances (file: one formula per line);
                                         OPTS: ordered (default) or unordered, self (include A|A)
      grid:Bi-Sb-Te:step=0.05[,all]      compositions on the simplex (divisions=N instead of step;
                                         all: every element present)
      substitute:PROTO[+PROTO]:POOL      elements on the sites of AFLOW prototypes (label or mineral
                                         name); POOL: Li,Na,Cl (every site) or A=Cl,Br/B=Li,Na
      db:[OPTIMADE FILTER]               one candidate per substance of a store search (with --db)
      crabnet:unlabelled                 crabnet's 91,017 unlabelled Materials Project compositions

    \b
    Example (lowest thermal conductivity at 300 K, three models):
      matinfo screen run --models lgbm/ svm/ gp/ --candidates crabnet:unlabelled \\
          --set 'Temperature (K)=300' --top 100 --out screen/
    """
    from matinfo.cli.render import console, progress_bar
    from matinfo.screen.models import Ranking, load_models
    from matinfo.screen.run import screen
    from matinfo.screen.spec import parse_candidates

    dirs = [*models, *(Path(a) for a in ctx.args)]
    stray = [a for a in ctx.args if a.startswith("-")]
    if stray:
        raise typer.BadParameter(f"unknown option(s) {stray}")
    loaded = load_models(dirs)
    space = parse_candidates(candidates, db=db)
    filters = _filters(
        exclude_elements,
        allow_elements,
        require_elements,
        max_elements,
        charge_balanced,
        no_shared_elements,
        known,
        db,
    )
    constants = {k: _value(v) for k, v in _pairs(set_, "--set").items()}
    rank = Ranking(ranking.value, kappa=kappa, threshold=threshold)
    with progress_bar(disable=fmt != Fmt.text) as bar:
        task = bar.add_task(f"screen with {len(loaded)} models", total=space.size)
        result = screen(
            space,
            loaded,
            top=top,
            depth=depth,
            goal=_goal(goal),
            ranking=rank,
            uncertainty=uncertainty,
            filters=filters,
            constants=constants,
            columns=_pairs(map_, "--map"),
            chunk_size=chunk_size,
            executor=executor.value,
            n_workers=workers,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    paths = result.save(out, figure=figure)
    written = None
    if write_back:
        if not db:
            raise typer.BadParameter("--write-back needs --db URL")
        from matinfo.screen.writeback import write_predictions

        written = write_predictions(db, result, quantity=quantity, unit=unit)
    if fmt == Fmt.json:
        typer.echo(json.dumps(result.to_dict(), indent=2, default=str))
        return
    _print(result, console)
    console.print(f"wrote {', '.join(str(p) for p in paths.values())}")
    if written is not None:
        console.print(
            f"stored {written.properties} predictions ({written.materials} new materials, "
            f"{written.duplicates} already there) in {db}"
        )


def _print(result: Any, console: Any, rows: int = 20) -> None:
    import pandas as pd
    from rich.table import Table

    console.print(result.summary())
    hits = result.hits()
    table = Table(
        "candidate",
        "models",
        *(f"{n}\n(rank)" for n in result.names),
        "borda",
        title=f"best {min(rows, len(hits))} of {len(hits)} hits",
    )
    for _, h in hits.head(rows).iterrows():
        cells = []
        for n in result.names:
            rank = h[f"{n}_rank"]
            cells.append(f"{h[f'{n}_prediction']:.4g}" + ("" if pd.isna(rank) else f" ({int(rank)})"))
        table.add_row(str(h["candidate"]), str(h["n_models"]), *cells, f"{h['borda']:.0f}")
    console.print(table)
    o = result.overlap()
    console.print(
        "overlaps: "
        + ", ".join(
            f"{' & '.join(c['models'])}: {c['count']}" for c in o["combinations"] if len(c["models"]) > 1
        )
        or "overlaps: none"
    )
