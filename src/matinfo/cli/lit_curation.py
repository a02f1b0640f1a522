"""``matinfo lit ingest | review | publish | overview``: the editor's side of the literature database.

``ingest`` reads papers, extracts and queues the statements as drafts (never twice from the same paper);
``review`` lists the queue and accepts / edits / rejects records; ``publish`` writes reviewed records into the
store, linked to their substances; ``overview`` shows which materials the queued or published literature is about
(frequency table, word cloud, the fewest papers that cover the most material × property pairs).  Every action names
its editor (``--actor``, default the login name) for the audit trail.
"""

from __future__ import annotations

import getpass
import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from matinfo.cli.db import DbOption, _open
from matinfo.cli.lit import InputFormat, lit_app

ActorOption = Annotated[
    str | None, typer.Option("--actor", help="Who does this (kept in the audit trail); default: login name.")
]


class Fmt(str, Enum):
    table = "table"
    json = "json"


def _actor(actor: str | None) -> str:
    return actor or getpass.getuser()


def _ids(text: list[str]) -> list[int]:
    from matinfo.errors import ParameterError

    out = []
    for part in ",".join(text).split(","):
        if part.strip():
            try:
                out.append(int(part))
            except ValueError:
                raise ParameterError(f"record id {part!r} is not a number; give ids like 3,4,7") from None
    return out


@lit_app.command("ingest")
def ingest_command(
    files: Annotated[list[Path], typer.Argument(help="Papers: .txt, .html, .xml (JATS) or .pdf.")],
    db: DbOption = None,
    input_format: Annotated[
        InputFormat | None,
        typer.Option("--input-format", help="Read every file as this format (default: by suffix)."),
    ] = None,
    actor: ActorOption = None,
    fmt: Annotated[Fmt, typer.Option("--format")] = Fmt.table,
) -> None:
    """Extract from each paper and queue the statements as drafts for review."""
    from matinfo.errors import ImportDataError
    from matinfo.literature.curation import Curation
    from matinfo.literature.documents import read_document
    from matinfo.literature.pipeline import _producer, extract_document

    for f in files:
        if not f.is_file():
            raise ImportDataError("no such file", source=str(f), hint="check the path")
    cur = Curation(_open(db))
    rows = []
    for f in files:
        doc = read_document(f, format=input_format.value if input_format else None)
        found = extract_document(doc)
        doc_id = cur.add_document(str(f), f.read_bytes(), doi=doc.doi, title=doc.title, year=doc.year)
        rep = cur.submit(found, document=doc_id, extractor=_producer(), actor=_actor(actor))
        rows.append({"file": str(f), "document": doc_id, "doi": doc.doi, "extracted": len(found),
                     "queued": len(rep.added), "already_queued": rep.skipped})  # fmt: skip
    if fmt == Fmt.json:
        typer.echo(json.dumps(rows, indent=2))
        return
    from rich.table import Table

    from matinfo.cli.render import console

    table = Table("file", "document", "doi", "extracted", "queued", "already queued", title="ingested")
    for r in rows:
        table.add_row(r["file"], str(r["document"]), r["doi"] or "", str(r["extracted"]), str(r["queued"]),
                      str(r["already_queued"]))  # fmt: skip
    console.print(table)
    console.print(f"queue: {cur.counts()}")


@lit_app.command("review")
def review_command(
    db: DbOption = None,
    status: Annotated[
        str, typer.Option(help="List records in this state: draft, reviewed, published, rejected, all.")
    ] = "draft",
    limit: Annotated[int, typer.Option(help="List at most this many (0: act only, print the counts).")] = 50,
    accept: Annotated[list[str] | None, typer.Option(help="Accept these record ids (3,4,7).")] = None,
    reject: Annotated[list[str] | None, typer.Option(help="Reject these record ids; needs --note.")] = None,
    reopen: Annotated[list[str] | None, typer.Option(help="Put rejected records back into draft.")] = None,
    edit: Annotated[int | None, typer.Option(help="Edit this record (with --set field=value ...).")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="field=value for --edit (value, unit, formula, property, ...)."),
    ] = None,
    note: Annotated[str | None, typer.Option(help="Why (kept in the audit trail).")] = None,
    history: Annotated[int | None, typer.Option(help="Show the audit trail of this record.")] = None,
    actor: ActorOption = None,
    fmt: Annotated[Fmt, typer.Option("--format")] = Fmt.table,
) -> None:
    """List the curation queue, or accept / edit / reject / reopen records."""
    from matinfo.errors import ParameterError
    from matinfo.literature.curation import Curation

    cur = Curation(_open(db))
    who = _actor(actor)
    acted = False
    if accept:
        cur.accept(_ids(accept), actor=who, note=note)
        acted = True
    if reject:
        cur.reject(_ids(reject), actor=who, note=note or "")
        acted = True
    if reopen:
        cur.reopen(_ids(reopen), actor=who, note=note)
        acted = True
    if edit is not None:
        if not set_:
            raise ParameterError("--edit needs at least one --set field=value")
        changes = {}
        for item in set_:
            field, sep, value = item.partition("=")
            if not sep:
                raise ParameterError(f"--set {item!r}: write field=value")
            changes[field.strip()] = _parse_value(value)
        cur.edit(edit, changes, actor=who, note=note)
        acted = True
    if history is not None:
        entries = cur.history(history)
        if fmt == Fmt.json:
            typer.echo(json.dumps([e.__dict__ for e in entries], indent=2, default=str))
        else:
            for e in entries:
                if e.action == "extract":
                    changed = {k: (e.after or {}).get(k) for k in ("material", "property", "raw_value")}
                else:
                    changed = {k: v for k, v in (e.after or {}).items() if (e.before or {}).get(k) != v}
                typer.echo(f"{e.at:%Y-%m-%d %H:%M:%S}  {e.actor:<16} {e.action:<8} {changed}  {e.note or ''}")
        return
    if limit == 0:  # act only
        typer.echo(f"queue: {cur.counts()}")
        return
    items = cur.queue(None if status == "all" else status, limit=limit)
    if fmt == Fmt.json:
        typer.echo(json.dumps([{**i.__dict__} for i in items], indent=2, default=str))
        return
    from rich.table import Table

    from matinfo.cli.render import console

    if acted:
        console.print(f"queue: {cur.counts()}")
    table = Table("id", "status", "material", "formula", "property", "value", "unit", "printed", "doi",
                  title=f"{status} records (first {limit})")  # fmt: skip
    for i in items:
        d = i.data
        table.add_row(str(i.id), i.status, str(d.get("material")), str(d.get("formula") or ""), str(d.get("property")),
                      f"{float(d.get('value')):.4g}", str(d.get("unit") or ""), str(d.get("raw_value") or ""),
                      i.doi or i.source)  # fmt: skip
    console.print(table)


def _parse_value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


@lit_app.command("publish")
def publish_command(
    ids: Annotated[
        list[str] | None, typer.Argument(help="Record ids to publish (default: every reviewed record).")
    ] = None,
    db: DbOption = None,
    actor: ActorOption = None,
) -> None:
    """Write reviewed records into the database, linked to their substances (method literature-extraction)."""
    from matinfo.literature.curation import Curation

    cur = Curation(_open(db))
    done = cur.publish(_ids(ids) if ids else None, actor=_actor(actor))
    typer.echo(f"published {len(done)} record(s); queue: {cur.counts()}")


@lit_app.command("overview")
def overview_command(
    db: DbOption = None,
    status: Annotated[str, typer.Option(help="Records to count: published, reviewed, draft or all.")] = "all",
    top: Annotated[int, typer.Option(help="Rows of the frequency table to print.")] = 15,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for formula_frequencies.csv, reading_list.csv and the word cloud."),
    ] = None,
    weighting: Annotated[str, typer.Option(help="Paper selection: uniform or rarity.")] = "uniform",
) -> None:
    """What the queued / published literature is about: formula frequencies, word cloud, a minimal reading list."""
    import pandas as pd

    from matinfo.errors import ParameterError
    from matinfo.literature.curation import Curation
    from matinfo.literature.overview import formula_frequencies, select_papers

    items = [i for i in Curation(_open(db)).queue(None) if status == "all" or i.status == status]
    items = [i for i in items if i.status != "rejected"]
    if not items:
        raise ParameterError(
            f"no {status} literature records in the database; run `matinfo lit ingest` first"
        )
    t = pd.DataFrame(
        [{"doi": i.doi or i.source, "formula": i.data.get("formula") or i.data.get("material"),
          "property": i.data.get("property")} for i in items]
    )  # fmt: skip
    freq = formula_frequencies(t)
    sel = select_papers(t, weighting=weighting)
    from rich.table import Table

    from matinfo.cli.render import console

    table = Table("formula", "papers", "mentions", "cumulative share of mentions",
                  title=f"{len(t)} records, {t['doi'].nunique()} papers, {len(freq)} materials")  # fmt: skip
    for r in freq.head(top).itertuples():
        table.add_row(r.formula, str(r.papers), str(r.mentions), f"{r.cumulative_mentions:.2f}")
    console.print(table)
    console.print(
        f"reading list ({weighting}): {sel.papers_for(0.5)} paper(s) cover half of the {sel.n_pairs} "
        f"material x property pairs, {len(sel.steps)} cover all"
    )
    if out is not None:
        from matinfo.viz.wordcloud import formula_cloud

        out.mkdir(parents=True, exist_ok=True)
        freq.to_csv(out / "formula_frequencies.csv", index=False)
        sel.to_frame().to_csv(out / "reading_list.csv", index=False)
        fig = formula_cloud(freq)
        png, html = fig.save(out / "formula_cloud")
        fig.close()
        console.print(f"wrote {out / 'formula_frequencies.csv'}, {out / 'reading_list.csv'}, {png}, {html}")
