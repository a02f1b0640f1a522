"""``matinfo lit``: extract property values from papers, and score the extractor on the gold corpora.

CLI contract: ``matinfo lit extract FILE... --format json`` prints a JSON list of objects with ``source`` (the
path as given), ``material`` (as written), ``formula`` (normalised, or null), ``property``, ``value`` (number, in
``unit``), ``unit`` (canonical), ``raw_value``, ``conditions``, ``sentence``, and ``uncertainty``, ``bound``,
``low``, ``high``, ``material_long_form``, ``link``, ``start``, ``end``, ``doi``, ``title``, ``year``.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

lit_app = typer.Typer(
    help="Literature: extract materials, properties, values and conditions from papers (text, HTML, JATS, PDF).",
    no_args_is_help=True,
)


class Fmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class InputFormat(str, Enum):
    text = "text"
    html = "html"
    jats = "jats"
    pdf = "pdf"


_COLUMNS = (
    "source",
    "material",
    "formula",
    "property",
    "value",
    "unit",
    "raw_value",
    "conditions",
    "sentence",
)


@lit_app.command("extract")
def extract_command(
    files: Annotated[list[Path], typer.Argument(help="Papers: .txt, .html, .xml (JATS) or .pdf.")],
    fmt: Annotated[
        Fmt, typer.Option("--format", help="table (readable), json (all fields) or csv.")
    ] = Fmt.table,
    input_format: Annotated[
        InputFormat | None,
        typer.Option("--input-format", help="Read every file as this format (default: by suffix)."),
    ] = None,
    model: Annotated[
        Path | None, typer.Option(help="A material-tagger model file (default: the shipped one).")
    ] = None,
) -> None:
    """Extract one record per property value reported in each paper, linked to its material."""
    from matinfo.errors import ImportDataError
    from matinfo.literature.pipeline import extract
    from matinfo.literature.tagger import MaterialTagger

    for f in files:
        if not f.is_file():
            raise ImportDataError("no such file", source=str(f), hint="check the path")
    tagger = MaterialTagger(model)
    records = []
    for f in files:
        records += extract(
            [str(f)], format=input_format.value if input_format is not None else None, tagger=tagger
        )
    if fmt == Fmt.json:
        typer.echo(json.dumps([r.as_dict() for r in records], indent=2, ensure_ascii=False))
    elif fmt == Fmt.csv:
        import csv
        import sys

        writer = csv.writer(sys.stdout)
        writer.writerow(_COLUMNS)
        for r in records:
            d = r.as_dict()
            d["conditions"] = json.dumps(d["conditions"], ensure_ascii=False)
            writer.writerow([d[c] for c in _COLUMNS])
    else:
        from rich.table import Table

        from matinfo.cli.render import console

        table = Table("material", "formula", "property", "value", "unit", "printed", "conditions",
                      title=f"{len(records)} values from {len(files)} file(s)")  # fmt: skip
        for r in records:
            conds = ", ".join(
                f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in r.conditions.items()
            )
            table.add_row(
                r.material, r.formula or "", r.property, f"{r.value:.4g}", r.unit, r.raw_value, conds
            )
        console.print(table)


@lit_app.command("evaluate")
def evaluate_command(
    data: Annotated[
        Path, typer.Argument(help="Folder holding sofc_exp/ and mspt/ (../shared/data/literature).")
    ],
    split: Annotated[str, typer.Option(help="train, dev or test.")] = "test",
    fmt: Annotated[Fmt, typer.Option("--format", help="table or json.")] = Fmt.table,
    model: Annotated[
        Path | None, typer.Option(help="Material-tagger model (default: the shipped one).")
    ] = None,
) -> None:
    """Score material mentions and values with units against the gold corpora (exact and overlap P/R/F1)."""
    from matinfo.literature.evaluate import evaluate_corpus
    from matinfo.literature.tagger import MaterialTagger

    results = {
        corpus: evaluate_corpus(corpus, data, split=split, tagger=MaterialTagger(model))  # type: ignore[arg-type]
        for corpus in ("sofc_exp", "mspt")
    }
    if fmt == Fmt.json:
        typer.echo(json.dumps(
            {c: {task: {m: s.as_dict() for m, s in scores.items()} for task, scores in r.items()}
             for c, r in results.items()}, indent=2))  # fmt: skip
        return
    from rich.table import Table

    from matinfo.cli.render import console

    table = Table("corpus", "task", "match", "P", "R", "F1", "tp", "fp", "fn", title=f"{split} split")
    for corpus, r in results.items():
        for task, scores in r.items():
            for match, s in scores.items():
                table.add_row(corpus, task, match, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}",
                              str(s.tp), str(s.fp), str(s.fn))  # fmt: skip
    console.print(table)


# The editor's commands (ingest, review, publish, overview) live in lit_curation and register on lit_app.
from matinfo.cli import lit_curation as _lit_curation  # noqa: E402,F401
