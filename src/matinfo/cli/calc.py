"""``matinfo calc ...``: calculations from CIF files or store searches, as resumable jobs in the database.

CLI contract (scripts rely on it): ``calc submit [FILES...] [--formula F | --elements E,E | --dataset D |
--filter OPTIMADE | --hits HITS.csv [--top N]] [--engine chgnet|emt|...] [--task relax|static]
[-p KEY=VALUE ...] [--workflow [--no-hull] [--no-competitors]] [--tag T]``; ``calc run [--parallel N] [--max-jobs N] [--tag T] [--runner local|slurm|dask] [--no-wait]``;
``calc status [JOB] [--state S] [--tag T]``; ``calc results [JOB] [--tag T] [--cif-dir DIR]``;
``calc check FILES... [--engine E] [--task T]`` (the checks of submit, nothing queued); ``calc retry [IDS...]``.
Every command takes ``--db URL`` (or ``$MATINFO_DB_URL``), ``--config FILE`` (or ``$MATINFO_CALC_CONFIG``,
``~/.config/matinfo/calc.toml``) and ``--format table|json``.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

calc_app = typer.Typer(
    help="Calculations (CHGNet, EMT, DFT codes) from CIF files or store searches: queued, resumable, stored.",
    no_args_is_help=True,
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", envvar="MATINFO_DB_URL", help="Database URL (sqlite:///file.db, postgresql://...) or path."
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Calc configuration TOML (default $MATINFO_CALC_CONFIG, ~/.config/matinfo/calc.toml).",
    ),
]


class Fmt(str, Enum):
    table = "table"
    json = "json"


FmtOption = Annotated[Fmt, typer.Option("--format", help="table (for people) or json (for scripts).")]
EngineOption = Annotated[
    str, typer.Option("--engine", "-e", help="chgnet (default), emt, or a configured engine.")
]
TagOption = Annotated[
    str | None, typer.Option("--tag", help="A label to group jobs by (submit, run, status, results).")
]


def _echo_json(obj) -> None:
    typer.echo(json.dumps(obj, indent=2, default=str, allow_nan=False))


def _config(path: Path | None):
    from matinfo.calc.config import load_config

    return load_config(path)


def _db(db: str | None):
    from matinfo.store import connect

    return connect(db)


def _params(items: list[str] | None) -> dict:
    """``KEY=VALUE`` pairs; values read as TOML (numbers, true/false, "strings", [lists]) or else as text."""
    import tomllib

    from matinfo.errors import ParameterError

    out: dict = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"parameter {item!r}: write KEY=VALUE, e.g. -p fmax=0.02")
        try:
            out[key.strip()] = tomllib.loads(f"v = {value.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            out[key.strip()] = value.strip()
    return out


def _hit_targets(path: Path, top: int, database) -> list:
    """The structures of the first ``top`` rows of a screen's hit list: prototypes with the hit's elements on
    their sites (``substitute:`` screens: columns prototype, sites), or the stored structures of the hit
    substances (``db:`` screens: column substance_id)."""
    import pandas as pd

    from matinfo.calc.api import cells_from_substances
    from matinfo.calc.structures import Cell
    from matinfo.errors import ImportDataError

    if not path.is_file():
        raise ImportDataError(
            "no such file", source=str(path), hint="give the hits.csv of `matinfo screen run`"
        )
    table = pd.read_csv(path)
    if {"prototype", "sites"} <= set(table.columns):
        from matinfo.screen.substitution import find_prototype, substituted

        out = []
        for i, row in table.head(top).iterrows():
            proto = find_prototype(str(row["prototype"]))
            own = sorted({sp.symbol for sp in proto.structure.composition.elements})
            new = [part.split("=", 1)[1] for part in str(row["sites"]).split()]
            if len(new) != len(own):
                raise ImportDataError(
                    f"{len(new)} sites for a prototype with {len(own)}", source=str(path), line=int(i) + 2,
                    field="sites", value=row["sites"],
                )  # fmt: skip
            label = str(row.get("candidate") or f"{row['formula']} ({row['prototype']})")
            out.append(
                (label, Cell.from_structure(substituted(proto.structure, own, new), source=label), None)
            )
        return out
    if "substance_id" in table.columns:
        ids = [int(x) for x in table["substance_id"].dropna()]
        return cells_from_substances(database, ids, limit=top)
    raise ImportDataError(
        "a hit list needs the columns prototype and sites (a substitute: screen) or substance_id (a db: screen)",
        source=str(path),
    )


def _targets(files, formula, elements, dataset, filter_, all_structures, database, hits=None, top=5):
    from matinfo.calc.api import cells_from_files, cells_from_store
    from matinfo.errors import ParameterError

    targets = cells_from_files(files) if files else []
    if hits is not None:
        targets += _hit_targets(hits, top, database)
    if formula or elements or dataset or filter_:
        targets += cells_from_store(
            database,
            formula=formula,
            elements=tuple(e.strip() for e in (elements or "").split(",") if e.strip()),
            dataset=dataset,
            filter=filter_,
            limit=None,
            all_structures=all_structures,
        )
    if not targets:
        raise ParameterError(
            "nothing to calculate: give CIF files, or a store search (--formula, --elements ...)"
        )
    return targets


@calc_app.command("submit")
def submit(
    files: Annotated[list[Path] | None, typer.Argument(help="Structure files (CIF, POSCAR).")] = None,
    engine: EngineOption = "chgnet",
    task: Annotated[str, typer.Option(help="relax or static.")] = "relax",
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Engine parameter KEY=VALUE.")
    ] = None,
    workflow: Annotated[
        bool,
        typer.Option(help="relax → static → formation energy and energy above hull (elemental references)."),
    ] = False,
    hull: Annotated[
        bool, typer.Option(help="With --workflow: formation energy and hull (reference jobs).")
    ] = True,
    competitors: Annotated[
        bool,
        typer.Option(help="With --workflow: also relax the stored compounds of the chemical system (hull)."),
    ] = True,
    formula: Annotated[str | None, typer.Option(help="Store search: substances of this composition.")] = None,
    elements: Annotated[
        str | None, typer.Option(help="Store search: with all these elements (Li,O).")
    ] = None,
    dataset: Annotated[str | None, typer.Option(help="Store search: of this dataset.")] = None,
    filter_: Annotated[str | None, typer.Option("--filter", help="Store search: an OPTIMADE filter.")] = None,
    all_structures: Annotated[
        bool, typer.Option(help="Store search: every ordered structure, not one per substance.")
    ] = False,
    hits: Annotated[
        Path | None, typer.Option(help="A screen's hits.csv: the structures of its first --top candidates.")
    ] = None,
    top: Annotated[int, typer.Option(help="With --hits: how many candidates, in the list's order.")] = 5,
    tag: TagOption = None,
    fmt: FmtOption = Fmt.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Queue calculations; the same spec submitted again is the same job.  Checked before anything is queued.

    Structures come from files, a store search (--formula, --elements, --dataset, --filter) or a screen's hit
    list (--hits: substituted prototypes, or the stored structures of the hit substances).
    """
    from matinfo.calc.api import submit as do_submit
    from matinfo.cli.render import console

    database = _db(db)
    cfg = _config(config)
    targets = _targets(files, formula, elements, dataset, filter_, all_structures, database, hits, top)
    pairs = do_submit(
        database, targets, engine=engine, task=task, parameters=_params(param), config=cfg,
        workflow=workflow, hull=hull, competitors=competitors, tag=tag,
    )  # fmt: skip
    rows = [{**job.summary(), "new": created} for job, created in pairs]
    if fmt == Fmt.json:
        _echo_json(rows)
        return
    from rich.table import Table

    t = Table(
        "job", "key", "formula", "label", "engine", "task", "state", title=f"{len(rows)} calculation(s)"
    )
    for r in rows:
        t.add_row(str(r["id"]), r["key"][:12], r["formula"], r["label"] or "", r["engine"], r["task"],
                  r["state"] + ("" if r["new"] else " (submitted before)"))  # fmt: skip
    console.print(t)
    console.print("run them with `matinfo calc run`")


class RunnerKind(str, Enum):
    local = "local"
    slurm = "slurm"
    dask = "dask"


@calc_app.command("run")
def run(
    parallel: Annotated[int, typer.Option(help="Calculations at the same time.")] = 1,
    max_jobs: Annotated[int | None, typer.Option(help="Stop after this many jobs.")] = None,
    runner: Annotated[
        RunnerKind | None, typer.Option(help="Override the runner kind of the configuration.")
    ] = None,
    wait: Annotated[
        bool,
        typer.Option(help="Wait for jobs running elsewhere and for references; --no-wait stops when idle."),
    ] = True,
    tag: TagOption = None,
    fmt: FmtOption = Fmt.table,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Run queued jobs until none is left; a crashed run's jobs are taken over when their lease expires."""
    from dataclasses import replace

    from matinfo.calc.jobs import JobQueue
    from matinfo.calc.work import work
    from matinfo.cli.render import console, progress_bar

    database = _db(db)
    cfg = _config(config)
    if runner is not None:
        cfg = replace(cfg, runner=replace(cfg.runner, kind=runner.value))
    queue = JobQueue(database)

    with progress_bar(disable=fmt == Fmt.json) as bar:
        counts = queue.counts(tag=tag)
        task_id = bar.add_task("calculations", total=counts["queued"] + counts["running"])
        finished = [0]

        def on_event(outcome, job) -> None:
            if outcome == "start":
                bar.update(task_id, description=f"{job.task} {job.formula} ({job.engine})")
                return
            finished[0] += 1
            c = queue.counts(tag=tag)
            bar.update(task_id, completed=finished[0], total=finished[0] + c["queued"] + c["running"])
            if outcome == "failed" and fmt != Fmt.json:
                console.print(
                    f"[red]job {job.id} ({job.formula}) failed[/]: see `matinfo calc status {job.id}`"
                )

        report = work(
            database, config=cfg, parallel=parallel, max_jobs=max_jobs, tag=tag, wait=wait, on_event=on_event
        )
    if fmt == Fmt.json:
        _echo_json(report.to_dict())
        return
    console.print(
        f"done {len(report.done)}, failed {len(report.failed)}, to retry {len(report.retried)}, "
        f"taken over by others {len(report.lost)} in {report.seconds:.1f} s"
    )


@calc_app.command("status")
def status(
    job: Annotated[str | None, typer.Argument(help="A job ID or key prefix: its details.")] = None,
    state: Annotated[
        str | None, typer.Option(help="Only jobs in this state (queued, running, done, failed).")
    ] = None,
    tag: TagOption = None,
    limit: Annotated[int, typer.Option(help="Jobs listed at most.")] = 50,
    fmt: FmtOption = Fmt.table,
    db: DbOption = None,
) -> None:
    """Counts of jobs by state and the jobs themselves (or one job in detail)."""
    from rich.table import Table

    from matinfo.calc.jobs import JobQueue
    from matinfo.cli.render import console

    queue = JobQueue(_db(db))
    if job is not None:
        j = queue.get(job)
        info = {**j.summary(), "parameters": dict(j.parameters), "requires": list(j.requires),
                "claimed_by": j.claimed_by, "max_attempts": j.max_attempts}  # fmt: skip
        if fmt == Fmt.json:
            _echo_json(info)
            return
        t = Table("", "", show_header=False, title=f"job {j.id}")
        for k, v in info.items():
            t.add_row(k, "" if v is None else str(v))
        console.print(t)
        return
    counts = queue.counts(tag=tag)
    jobs = queue.jobs(state=state, tag=tag)
    if fmt == Fmt.json:
        _echo_json({"counts": counts, "jobs": [j.summary() for j in jobs[-limit:]]})
        return
    console.print(", ".join(f"{k} {v}" for k, v in counts.items()))
    t = Table("job", "key", "formula", "label", "engine", "task", "state", "tries", "error")
    for j in jobs[-limit:]:
        t.add_row(str(j.id), j.key[:12], j.formula, j.label or "", j.engine, j.task, j.state, str(j.attempts),
                  (j.error or "").splitlines()[0][:80] if j.error else "")  # fmt: skip
    console.print(t)


@calc_app.command("results")
def results(
    job: Annotated[
        str | None, typer.Argument(help="A job ID or key prefix (default: every done job).")
    ] = None,
    tag: TagOption = None,
    cif_dir: Annotated[
        Path | None, typer.Option(help="Write each final (relaxed) structure as a CIF here.")
    ] = None,
    fmt: FmtOption = Fmt.table,
    db: DbOption = None,
) -> None:
    """Energies, forces, stress, band gaps and final structures of done jobs (JSON: everything, DOS included)."""
    from rich.table import Table

    from matinfo.calc.jobs import JobQueue
    from matinfo.cli.render import console

    queue = JobQueue(_db(db))
    jobs = [queue.get(job)] if job is not None else queue.jobs(state="done", tag=tag)
    done = [(j, j.result) for j in jobs if j.result_data is not None]
    if cif_dir is not None:
        cif_dir.mkdir(parents=True, exist_ok=True)
        for j, r in done:
            (cif_dir / f"job{j.id}_{j.formula}_{j.task}.cif").write_text(r.cell.to_cif())
    if fmt == Fmt.json:
        _echo_json(
            [{"job": j.id, "label": j.label, "material_id": j.material_id, **r.to_dict()} for j, r in done]
        )
        return
    t = Table("job", "formula", "label", "engine", "task", "E/atom (eV)", "max |F| (eV/Å)", "P (GPa)",
              "gap (eV)", "steps", "converged", "material", title=f"{len(done)} result(s)")  # fmt: skip
    for j, r in done:
        p = r.pressure
        t.add_row(str(j.id), j.formula, j.label or "", r.engine_version, r.task, f"{r.energy_per_atom:.4f}",
                  f"{r.max_force:.3f}", "" if p is None else f"{p:.2f}",
                  "" if r.band_gap is None else f"{r.band_gap:.3f}", str(r.n_steps),
                  "yes" if r.converged else "[red]no[/]", str(j.material_id or ""))  # fmt: skip
    console.print(t)
    if cif_dir is not None:
        console.print(f"wrote {len(done)} CIF file(s) to {cif_dir}")


@calc_app.command("check")
def check(
    files: Annotated[list[Path], typer.Argument(help="Structure files (CIF, POSCAR).")],
    engine: EngineOption = "chgnet",
    task: Annotated[str, typer.Option(help="relax or static.")] = "relax",
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Engine parameter KEY=VALUE.")
    ] = None,
    fmt: FmtOption = Fmt.table,
    config: ConfigOption = None,
) -> None:
    """The checks of submit (overlapping atoms, elements, executables, pseudopotentials); nothing is queued.

    The first problem stops the command (exit status 2) with a message naming the file, the sites or the
    configuration key, and what to do.
    """
    from matinfo.calc.api import cells_from_files
    from matinfo.calc.engines import check_spec, make_spec
    from matinfo.cli.render import console

    cfg = _config(config)
    rows = []
    for label, cell, _ in cells_from_files(files):
        spec = make_spec(engine, task, cell, _params(param), label=label, config=cfg)
        check_spec(spec, cfg)
        rows.append({"file": label, "formula": cell.formula, "atoms": cell.n_atoms, "key": spec.key})
        if fmt == Fmt.table:
            console.print(f"{label}: {cell.formula}, {cell.n_atoms} atoms — ok for {engine} {task}")
    if fmt == Fmt.json:
        _echo_json(rows)


@calc_app.command("retry")
def retry(
    ids: Annotated[
        list[int] | None, typer.Argument(help="Failed job IDs (default: every failed job).")
    ] = None,
    fmt: FmtOption = Fmt.table,
    db: DbOption = None,
) -> None:
    """Queue failed jobs again with a fresh count of attempts."""
    from matinfo.calc.jobs import JobQueue
    from matinfo.cli.render import console

    n = JobQueue(_db(db)).retry(ids or None)
    if fmt == Fmt.json:
        _echo_json({"queued": n})
    else:
        console.print(f"{n} job(s) queued again; run them with `matinfo calc run`")
