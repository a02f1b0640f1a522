"""``matinfo db ...``: build, import, search, show, export the materials database.

CLI contract (scripts rely on it): ``db init [--demo]``, ``db import PATH... [--mapping FILE | --preset NAME]
[--skip-bad]``, ``db search [flags] [--filter OPTIMADE] [--format table|json|csv]``, ``db show ID [--format
json]``, ``db export``, ``db stats``; ``--db URL`` or ``$MATINFO_DB_URL`` everywhere.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

db_app = typer.Typer(
    help="The materials database: build, import, search, show, export.", no_args_is_help=True
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
    csv = "csv"


class ShowFmt(str, Enum):
    text = "text"
    json = "json"


class ExportFmt(str, Enum):
    csv = "csv"
    json = "json"
    cif = "cif"
    ml = "ml"


def _open(db: str | None):
    from matinfo.store import connect

    return connect(db)


def _db(ctx: typer.Context, db: str | None):
    return _open(db or (ctx.obj or {}).get("db"))


@db_app.callback()
def _db_main(ctx: typer.Context, db: DbOption = None) -> None:
    ctx.obj = {"db": db}


@db_app.command("init")
def init(
    ctx: typer.Context,
    demo: Annotated[
        bool, typer.Option("--demo", help="Also import the demo data shipped with matinfo.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create (or upgrade) the database; with --demo, fill it with the shipped real data sets."""
    from matinfo.cli.render import console, progress_bar

    database = _db(ctx, db)
    console.print(f"database: [bold]{database.url}[/]")
    if demo:
        from matinfo.store.demo import build_demo

        with progress_bar() as bar:
            reports = build_demo(database, progress=bar)
        from matinfo.cli.render import import_table

        console.print(import_table(reports))
    stats = database.stats()
    console.print(", ".join(f"{k}: {v}" for k, v in stats.items()))


def _records_for(path: Path, mapping: Path | None, preset: str | None):
    """(dataset, records iterator) for one input path."""
    from matinfo.errors import ImportDataError

    if preset:
        from matinfo.io.presets import get_preset

        p = get_preset(preset)
        return p.dataset, p.read(path)
    if mapping:
        from matinfo.io.tabular import load_mapping, read_table

        mp = load_mapping(mapping)
        return mp.dataset, read_table(path, mp, on_error="yield")  # the store raises or rejects (--skip-bad)
    if path.is_dir() or path.suffix.lower() == ".cif":
        from matinfo.io.cif_records import cif_records

        return None, cif_records(path)
    if path.suffix.lower() == ".json":
        from matinfo.io.jsonio import read_json_records

        return None, read_json_records(path)
    raise ImportDataError(
        "do not know how to import this file",
        source=str(path),
        hint="give --mapping FILE.toml (CSV column mapping) or --preset NAME (see `matinfo db presets`); "
        "CIF files/folders and matinfo JSON are recognised by their extension",
    )


@db_app.command("import")
def import_(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="CSV / JSON / CIF files or folders of CIFs.")],
    mapping: Annotated[Path | None, typer.Option(help="TOML column mapping for CSV files.")] = None,
    preset: Annotated[
        str | None, typer.Option(help="Import preset for a known data set (db presets).")
    ] = None,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Write the good rows, report the bad ones.")
    ] = False,
    reject_report: Annotated[Path | None, typer.Option(help="Where --skip-bad writes rejects (CSV).")] = None,
    dataset: Annotated[
        str | None, typer.Option(help="Dataset name (default: from preset/mapping/file).")
    ] = None,
    resumable: Annotated[
        bool,
        typer.Option(
            "--resumable",
            help="Commit every batch of 2,000 records; after an "
            "interruption, run the same command again to continue.",
        ),
    ] = False,
    fmt: Annotated[Fmt, typer.Option("--format")] = Fmt.table,
    db: DbOption = None,
) -> None:
    """Import files in one transaction each: on a bad row nothing is written (unless --skip-bad).

    Re-importing a file adds nothing twice.  For very long imports, --resumable commits batch by batch so that an
    interrupted run can be continued by running the same command again.
    """
    from matinfo.cli.render import console, import_table, progress_bar
    from matinfo.core.records import DatasetIn

    if mapping and preset:
        raise typer.BadParameter("give --mapping or --preset, not both")
    database = _db(ctx, db)
    reports = []
    with progress_bar(disable=fmt != Fmt.table) as bar:
        for path in paths:
            if not path.exists():
                from matinfo.errors import ImportDataError

                raise ImportDataError("no such file or folder", source=str(path), hint="check the path")
            ds, records = _records_for(path, mapping, preset)
            if dataset:
                ds = DatasetIn(name=dataset) if ds is None else DatasetIn(**{**ds.__dict__, "name": dataset})
            elif ds is None:
                ds = DatasetIn(name=path.stem if path.is_file() else path.name)
            task = bar.add_task(f"import {path.name}", total=None)
            report = database.write(
                records,
                dataset=ds,
                skip_bad=skip_bad,
                resumable=resumable,
                progress=lambda n, t=task: bar.advance(t, n),
            )
            bar.update(task, completed=report.read, total=report.read)
            if report.rejects:
                out = reject_report or Path(f"{path.stem}.rejects.csv")
                report.write_rejects(out)
                console.print(f"[yellow]{len(report.rejects)} rejected rows written to {out}[/]")
            reports.append(report)
    if fmt == Fmt.json:
        typer.echo(json.dumps([r.as_dict() for r in reports], indent=2))
    else:
        console.print(import_table(reports))


@db_app.command("presets")
def presets() -> None:
    """List the import presets (shipped data sets and their formats)."""
    from rich.table import Table

    from matinfo.cli.render import console
    from matinfo.io.presets import PRESETS

    t = Table("preset", "dataset", "license", "description")
    for name, p in PRESETS.items():
        t.add_row(name, p.dataset.name, p.dataset.license or "", p.description)
    console.print(t)


@db_app.command("search")
def search(
    ctx: typer.Context,
    elements: Annotated[str | None, typer.Option(help="Must contain ALL of these (Li,O).")] = None,
    any_elements: Annotated[str | None, typer.Option("--any", help="Must contain ANY of these.")] = None,
    no_elements: Annotated[str | None, typer.Option("--none", help="Must contain NONE of these.")] = None,
    nelements: Annotated[str | None, typer.Option(help="Number of elements: 3 or 2..4.")] = None,
    formula: Annotated[str | None, typer.Option(help="Formula in any notation (compared reduced).")] = None,
    reduced_formula: Annotated[str | None, typer.Option(help="Exact reduced formula, e.g. LiNbO3.")] = None,
    chemical_system: Annotated[
        str | None, typer.Option(help="e.g. Li-Nb-O (all elements, any order).")
    ] = None,
    space_group: Annotated[str | None, typer.Option(help="Number or symbol (161, R3c).")] = None,
    crystal_system: Annotated[str | None, typer.Option(help="cubic, tetragonal, ...")] = None,
    prototype: Annotated[str | None, typer.Option(help="AFLOW prototype label.")] = None,
    prop: Annotated[
        list[str] | None,
        typer.Option(
            "--property", "-p", help="'ionic_conductivity >= 0.1 mS/cm', 'band_gap 1..2 eV' (repeatable)."
        ),
    ] = None,
    condition: Annotated[
        list[str] | None,
        typer.Option(
            "--condition", "-c", help="Condition of the same property record: 'temperature <= 310 K'."
        ),
    ] = None,
    method: Annotated[str | None, typer.Option(help="experiment / calculation / prediction / ...")] = None,
    doi: Annotated[str | None, typer.Option()] = None,
    year: Annotated[str | None, typer.Option(help="2019 or 2010..2020")] = None,
    author: Annotated[str | None, typer.Option()] = None,
    dataset: Annotated[str | None, typer.Option()] = None,
    optimade: Annotated[
        str | None, typer.Option("--filter", help='OPTIMADE filter, e.g. \'elements HAS ALL "Li","O"\'.')
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many substances.")] = 50,
    fmt: Annotated[Fmt, typer.Option("--format")] = Fmt.table,
    db: DbOption = None,
) -> None:
    """Find substances by any combination of composition, structure, property, condition and reference."""
    from matinfo.cli.render import console, search_csv, search_table
    from matinfo.store import Query

    q = Query(
        elements=elements or (),
        elements_any=any_elements or (),
        elements_none=no_elements or (),
        nelements=_int_range(nelements),
        formula=formula,
        reduced_formula=reduced_formula,
        chemical_system=chemical_system,
        space_group=space_group,
        crystal_system=crystal_system,
        prototype=prototype,
        properties=tuple(prop or ()),
        conditions=tuple(condition or ()),
        method=method,
        doi=doi,
        year=_int_range(year),
        author=author,
        dataset=dataset,
        filter=optimade,
        limit=limit,
    )
    hits = _db(ctx, db).search(q)
    if fmt == Fmt.json:
        typer.echo(json.dumps([h.to_dict() for h in hits], indent=2))
    elif fmt == Fmt.csv:
        typer.echo(search_csv(hits), nl=False)
    else:
        console.print(search_table(hits))


def _int_range(text: str | None):
    if text is None:
        return None
    from matinfo.errors import QueryError

    try:
        if ".." in text:
            lo, hi = text.split("..", 1)
            return (int(lo), int(hi))
        return int(text)
    except ValueError:
        raise QueryError("not an integer or range", value=text, hint="write 3 or 2..4") from None


@db_app.command("show")
def show(
    ctx: typer.Context,
    substance: Annotated[str, typer.Argument(help="Substance ID (from search), or a formula.")],
    fmt: Annotated[ShowFmt, typer.Option("--format")] = ShowFmt.text,
    db: DbOption = None,
) -> None:
    """One substance: materials (and why each was linked), structures, properties, phase diagrams, references.

    Given a formula instead of an ID, shows the substance of that composition with the most reported materials
    and lists the other phases of the same composition.
    """
    from matinfo.cli.render import console, substance_page

    database = _db(ctx, db)
    if substance.strip().isdigit():
        sub = database.get_substance(int(substance))
    else:
        from matinfo.errors import NotFoundError

        hits = database.search(formula=substance, limit=None)
        if not hits:
            raise NotFoundError(
                f"no substance with the composition of {substance!r}; try `matinfo db search`"
            )
        best = max(hits, key=lambda h: (h.n_materials, -h.substance_id))
        others = [h for h in hits if h is not best]
        if others and fmt == ShowFmt.text:
            console.print(
                "other phases of this composition: "
                + ", ".join(
                    f"{h.substance_id} (SG {h.space_group or '?'}, {h.n_materials} materials)" for h in others
                )
            )
        sub = database.get_substance(best.substance_id)
    if fmt == ShowFmt.json:
        typer.echo(json.dumps(sub.to_dict(), indent=2, default=str))
    else:
        substance_page(sub, console)


@db_app.command("export")
def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="Output file (a folder for --format cif).")],
    fmt: Annotated[
        ExportFmt,
        typer.Option("--format", help="csv (properties), json (records), cif, ml (one row per material)."),
    ] = ExportFmt.csv,
    elements: Annotated[str | None, typer.Option(help="Only materials with all these elements.")] = None,
    dataset: Annotated[str | None, typer.Option()] = None,
    prop: Annotated[list[str] | None, typer.Option("--property", "-p", help="Filter as in search.")] = None,
    db: DbOption = None,
) -> None:
    """Export materials (optionally filtered) as CSV, JSON (re-importable), CIF files or an ML-ready table."""
    from matinfo.cli.render import console
    from matinfo.store import Query
    from matinfo.store.export import export as do_export

    q = Query(elements=elements or (), dataset=dataset, properties=tuple(prop or ()), limit=None)
    n = do_export(_db(ctx, db), out, fmt=fmt.value, query=q)
    console.print(f"wrote {n} records to {out}")


@db_app.command("relink")
def relink(ctx: typer.Context, db: DbOption = None) -> None:
    """Re-link materials reported without a structure to the only known phase they now fit.

    Linking happens at import time; run this after importing structures for compositions imported earlier.
    """
    from matinfo.cli.render import console

    counts = _db(ctx, db).relink()
    console.print(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()))


@db_app.command("stats")
def stats(
    ctx: typer.Context,
    fmt: Annotated[ShowFmt, typer.Option("--format")] = ShowFmt.text,
    db: DbOption = None,
) -> None:
    """Counts of substances, materials, structures, properties, ... and the datasets."""
    from rich.table import Table

    from matinfo.cli.render import console

    database = _db(ctx, db)
    counts, datasets = database.stats(), database.datasets()
    if fmt == ShowFmt.json:
        typer.echo(json.dumps({"counts": counts, "datasets": datasets}, indent=2))
        return
    t = Table("table", "rows", title=database.url)
    for k, v in counts.items():
        t.add_row(k, str(v))
    console.print(t)
    d = Table("dataset", "materials", "license", "citation")
    for ds in datasets:
        d.add_row(ds["name"], str(ds["materials"]), ds["license"] or "", (ds["citation"] or "")[:80])
    console.print(d)
