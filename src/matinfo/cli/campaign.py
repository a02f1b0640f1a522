"""``matinfo campaign ...``: Bayesian-optimisation campaigns kept in the database.

CLI contract (scripts rely on it): ``campaign new NAME (--candidates CSV --features COLS [--id-col COL]
[--cost-col COL] | --params FILE) --target COL [--maximize/--minimize] [--acquisition ei|pi|ucb|ts] [--seed N]
[--n-initial N] [--transfer-from NAME]``; ``campaign suggest NAME [-n N] [--out CSV]``; ``campaign observe NAME
RESULTS.csv`` (the target column; a truthy ``failed`` column records a failed experiment);
``campaign status NAME``; ``campaign history NAME``; ``campaign plot NAME --out STEM``; ``campaign list``;
``campaign cancel NAME [ID...]``.  Every command takes ``--db URL`` (or ``$MATINFO_DB_URL``) and
``--format table|json``.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

campaign_app = typer.Typer(
    help="Bayesian-optimisation campaigns: suggest the next experiments, record results, resume any time.",
    no_args_is_help=True,
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", envvar="MATINFO_DB_URL", help="Database URL (sqlite:///file.db, postgresql://...) or path."
    ),
]


class Fmt(str, Enum):
    table = "table"
    json = "json"


FmtOption = Annotated[Fmt, typer.Option("--format", help="table (for people) or json (for scripts).")]
Name = Annotated[str, typer.Argument(help="Campaign name.")]


def _db(db: str | None):
    from matinfo.store import connect

    return connect(db)


def _load(name: str, db: str | None):
    from matinfo.optimize import Campaign

    return Campaign.load(_db(db), name)


def _echo_json(obj) -> None:
    typer.echo(json.dumps(obj, indent=2, default=str, allow_nan=False))


def _read_table(path: Path):
    import pandas as pd

    from matinfo.errors import ImportDataError

    if not path.exists():
        raise ImportDataError("no such file", source=str(path), hint="check the path")
    return pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)


def _status_table(status: dict):
    from rich.table import Table

    t = Table("", "", title=f"campaign {status['name']}", show_header=False)
    t.add_row("goal", f"{status['goal']} {status['target']}")
    space = status["space"]
    if space["kind"] == "discrete":
        t.add_row("space", f"{space['n_candidates']} candidates, features {', '.join(space['features'])}")
    else:
        t.add_row("space", ", ".join(p["name"] for p in space["params"]))
    t.add_row(
        "acquisition",
        f"{status['settings']['acquisition']} (seed {status['seed']}, {status['n_initial']} random first)",
    )
    t.add_row(
        "observed / failed / pending", f"{status['observed']} / {status['failed']} / {len(status['pending'])}"
    )
    best = status["best"]
    if best:
        params = ", ".join(
            f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in best["params"].items()
        )
        t.add_row("best", f"{best['id']}: {status['target']} = {best['value']:g} ({params})")
    if status["pending"]:
        t.add_row(
            "pending", ", ".join(status["pending"][:12]) + (" ..." if len(status["pending"]) > 12 else "")
        )
    return t


@campaign_app.command("new")
def new(
    name: Name,
    target: Annotated[
        str, typer.Option(help="Name of the measured quantity (column of result files).")
    ] = ...,
    candidates: Annotated[
        Path | None, typer.Option(help="CSV/Parquet of candidates (a screen's hits, a designed pool).")
    ] = None,
    features: Annotated[
        str | None, typer.Option(help="With --candidates: comma-separated feature columns.")
    ] = None,
    id_col: Annotated[
        str | None, typer.Option(help="With --candidates: column of candidate IDs (default: row number).")
    ] = None,
    cost_col: Annotated[
        str | None, typer.Option(help="With --candidates: cost of one experiment (cost-aware).")
    ] = None,
    params: Annotated[
        Path | None, typer.Option(help="TOML/JSON file of process parameters (real, integer, categorical).")
    ] = None,
    maximize: Annotated[
        bool, typer.Option("--maximize/--minimize", help="Look for the largest or smallest value.")
    ] = True,
    acquisition: Annotated[str, typer.Option(help="ei, pi, ucb or ts (Thompson sampling).")] = "ei",
    seed: Annotated[int, typer.Option(help="Seed of every random choice.")] = 0,
    n_initial: Annotated[
        int | None, typer.Option(help="Random experiments before the model (default d+1, 5..20).")
    ] = None,
    transfer_from: Annotated[
        list[str] | None,
        typer.Option(help="Related finished campaign whose results become the prior (repeatable)."),
    ] = None,
    feasibility: Annotated[bool, typer.Option(help="Learn where experiments fail and avoid it.")] = False,
    kernel: Annotated[str, typer.Option(help="matern52, matern32 or rbf.")] = "matern52",
    periodic: Annotated[
        str,
        typer.Option(
            help="Periodic kernel part with learned periods: auto (when the evidence favours it), on or off."
        ),
    ] = "auto",
    fmt: FmtOption = Fmt.table,
    db: DbOption = None,
) -> None:
    """Create a campaign over a candidate table (--candidates) or a parameter space (--params)."""
    from matinfo.cli.render import console
    from matinfo.errors import ParameterError
    from matinfo.optimize import Campaign, DiscreteSpace, ParameterSpace

    if (candidates is None) == (params is None):
        raise ParameterError(
            "give either --candidates CSV (with --features) or --params FILE, not both or neither"
        )
    if candidates is not None:
        if not features:
            raise ParameterError("--candidates needs --features COL,COL (the columns the model uses)")
        space = DiscreteSpace.from_csv(
            candidates,
            features=[f.strip() for f in features.split(",") if f.strip()],
            id_col=id_col,
            cost_col=cost_col,
        )
    else:
        if features or id_col or cost_col:
            raise ParameterError(
                "--features, --id-col and --cost-col go with --candidates; a parameter file lists its parameters"
            )
        space = ParameterSpace.from_file(params)
    camp = Campaign.create(
        _db(db),
        name,
        space,
        target=target,
        maximize=maximize,
        seed=seed,
        n_initial=n_initial,
        transfer_from=tuple(transfer_from or ()),
        acquisition=acquisition,
        feasibility=feasibility,
        kernel=kernel,
        periodic=periodic,
    )
    status = camp.status()
    if fmt == Fmt.json:
        _echo_json(status)
        return
    console.print(_status_table(status))
    console.print(f"next: matinfo campaign suggest {name} -n 5")


@campaign_app.command("suggest")
def suggest(
    name: Name,
    n: Annotated[int, typer.Option("-n", "--n", help="How many experiments to propose.")] = 1,
    out: Annotated[
        Path | None,
        typer.Option(help="Also write the suggestions to this CSV, with an empty target column to fill in."),
    ] = None,
    fmt: FmtOption = Fmt.table,
    db: DbOption = None,
) -> None:
    """Propose the next N experiments (recorded as pending until observed, failed or cancelled)."""
    from matinfo.cli.render import console

    camp = _load(name, db)
    frame = camp.suggest(n)
    if out is not None:
        from matinfo.cli.featurize import _atomic_write

        sheet = frame.copy()
        sheet[camp.target] = None
        _atomic_write(sheet, out)
    if fmt == Fmt.json:
        _echo_json(json.loads(frame.to_json(orient="records")))
        return
    from rich.table import Table

    t = Table(*[str(c) for c in frame.columns], title=f"{name}: step {int(frame['step'].iloc[0])}")
    for row in frame.itertuples(index=False):
        t.add_row(
            *["" if v is None or v != v else f"{v:.4g}" if isinstance(v, float) else str(v) for v in row]
        )
    console.print(t)
    if out is not None:
        console.print(f"wrote {out}; fill in {camp.target!r} and run: matinfo campaign observe {name} {out}")


@campaign_app.command("observe")
def observe(
    name: Name,
    results: Annotated[
        Path, typer.Argument(help="CSV with the target column and an id column (or the parameters).")
    ],
    id_col: Annotated[str, typer.Option(help="Column of candidate / suggestion IDs.")] = "id",
    failed_col: Annotated[
        str, typer.Option(help="Column marking failed experiments (1/true/yes).")
    ] = "failed",
    reason_col: Annotated[str, typer.Option(help="Column with why an experiment failed.")] = "reason",
    note: Annotated[str | None, typer.Option(help="Free text stored with the observations.")] = None,
    fmt: FmtOption = Fmt.table,
    db: DbOption = None,
) -> None:
    """Record results: one row per experiment; all rows are checked before anything is written."""
    from matinfo.cli.render import console
    from matinfo.errors import ImportDataError

    camp = _load(name, db)
    frame = _read_table(results)
    if camp.target not in frame.columns:
        raise ImportDataError(
            f"no column {camp.target!r} (the campaign's target)",
            source=str(results),
            hint=f"columns are: {', '.join(map(str, frame.columns))}",
        )
    failed = (
        frame[failed_col].map(_truthy)
        if failed_col in frame.columns
        else frame[camp.target].map(lambda _: False)
    )
    if id_col in frame.columns and frame[id_col].notna().all():
        cands = list(frame[id_col])
    elif camp.space.kind == "parameters":
        cands = [{p: row[p] for p in camp.space.names if p in row} for row in frame.to_dict("records")]
    else:
        raise ImportDataError(f"no (complete) ID column {id_col!r}", source=str(results), hint="use --id-col")
    ok = [i for i in range(len(frame)) if not failed.iloc[i]]
    bad = [i for i in range(len(frame)) if failed.iloc[i]]
    reasons = [
        str(frame[reason_col].iloc[i])
        if reason_col in frame.columns and frame[reason_col].notna().iloc[i]
        else ""
        for i in bad
    ]
    values = []
    for i in ok:
        v = frame[camp.target].iloc[i]
        try:
            values.append(float(v))
        except (TypeError, ValueError):
            raise ImportDataError(
                f"row {i + 2}: value {v!r} is not a number", source=str(results), field=camp.target
            ) from None
    if bad:  # check the failures first, so that nothing is written when either part is wrong
        camp.fail([cands[i] for i in bad], reasons=reasons, dry_run=True)
    if ok:
        camp.observe([cands[i] for i in ok], values, note=note or f"from {results.name}")
    if bad:
        camp.fail([cands[i] for i in bad], reasons=reasons)
    status = camp.status()
    if fmt == Fmt.json:
        _echo_json({"observed": len(ok), "failed": len(bad), "status": status})
        return
    console.print(f"recorded {len(ok)} result(s) and {len(bad)} failure(s)")
    console.print(_status_table(status))


def _truthy(v) -> bool:
    if v is None or v != v:
        return False
    return str(v).strip().lower() in ("1", "1.0", "true", "yes", "y", "failed", "x")


@campaign_app.command("status")
def status(name: Name, fmt: FmtOption = Fmt.table, db: DbOption = None) -> None:
    """Goal, counts, best result and pending suggestions."""
    from matinfo.cli.render import console

    st = _load(name, db).status()
    if fmt == Fmt.json:
        _echo_json(st)
    else:
        console.print(_status_table(st))


@campaign_app.command("history")
def history(
    name: Name,
    out: Annotated[Path | None, typer.Option(help="Write the history to this CSV.")] = None,
    fmt: FmtOption = Fmt.table,
    db: DbOption = None,
) -> None:
    """Every result and failure in order, with the best value so far."""
    from matinfo.cli.render import console

    frame = _load(name, db).history()
    if out is not None:
        from matinfo.cli.featurize import _atomic_write

        _atomic_write(frame, out)
    if fmt == Fmt.json:
        _echo_json(json.loads(frame.to_json(orient="records", date_format="iso")))
        return
    console.print(frame.drop(columns=["time"], errors="ignore").to_string(index=False))


@campaign_app.command("plot")
def plot(
    name: Name,
    out: Annotated[Path, typer.Option(help="Output stem: writes STEM.png and STEM.html.")] = ...,
    fmt: FmtOption = Fmt.table,
    db: DbOption = None,
) -> None:
    """Best-so-far vs number of experiments, and the map of tried and pending candidates (PNG + HTML)."""
    from matinfo.cli.render import console
    from matinfo.viz.campaign import campaign_plot

    fig = campaign_plot(_load(name, db))
    png, html = fig.save(out.with_suffix("") if out.suffix in (".png", ".html") else out)
    fig.close()
    if fmt == Fmt.json:
        _echo_json({"png": str(png), "html": str(html)})
    else:
        console.print(f"wrote {png} and {html}")


@campaign_app.command("list")
def list_(fmt: FmtOption = Fmt.table, db: DbOption = None) -> None:
    """All campaigns in the database."""
    from rich.table import Table

    from matinfo.cli.render import console
    from matinfo.optimize import list_campaigns

    rows = list_campaigns(_db(db))
    if fmt == Fmt.json:
        _echo_json(rows)
        return
    t = Table("name", "space", "goal", "target", "events", "created")
    for r in rows:
        t.add_row(r["name"], r["space"], r["goal"], r["target"], str(r["events"]), str(r["created_at"])[:19])
    console.print(t)


@campaign_app.command("cancel")
def cancel(
    name: Name,
    ids: Annotated[
        list[str] | None, typer.Argument(help="Pending suggestion IDs (default: all pending).")
    ] = None,
    reason: Annotated[str, typer.Option(help="Why (kept in the log).")] = "",
    fmt: FmtOption = Fmt.table,
    db: DbOption = None,
) -> None:
    """Withdraw pending suggestions (they become available again)."""
    from matinfo.cli.render import console

    gone = _load(name, db).cancel(ids or None, reason=reason)
    if fmt == Fmt.json:
        _echo_json({"cancelled": gone})
    else:
        console.print(f"cancelled {len(gone)} pending suggestion(s)")
