"""``matinfo featurize``: descriptors for every row of a CSV file or of a database search → CSV / Parquet."""

from __future__ import annotations

import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from matinfo.cli.db import DbOption


class Executor(str, Enum):
    local = "local"
    dask = "dask"


class OnError(str, Enum):
    raise_ = "raise"
    nan = "nan"


def _value(text: str) -> Any:
    """Parameter values from the command line: numbers, booleans, comma lists, else strings."""
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    if "," in text:
        return [_value(t) for t in text.split(",") if t]
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def build_featurizer(specs: list[str], *, on_error: str, n_jobs: int):
    """``["element_stats:preset=magpie", "stoichiometry"]`` → one featurizer (combined when several).

    ``NAME@COLUMN`` reads that column of the table; featurizers of whole tables (conditions) need no column.
    With any ``@`` or a table featurizer the result is a :class:`~matinfo.features.TableFeatures`.
    """
    from matinfo.errors import MatinfoError
    from matinfo.features import CombinedFeatures, TableFeatures, registered_featurizers

    registry = registered_featurizers()
    parts = []
    columns: list[str | None] = []
    for spec in specs:
        head, _, rest = spec.partition(":")
        name, _, column = head.partition("@")
        columns.append(column or None)
        if name not in registry:
            raise MatinfoError(
                f"unknown featurizer {name!r}; choose from {', '.join(n for n in registry if n != 'combined')} "
                "(matinfo featurize --list)"
            )
        params: dict[str, Any] = {}
        for item in filter(None, rest.split(";")):
            key, eq, val = item.partition("=")
            if not eq:
                raise MatinfoError(f"featurizer option {item!r} in {spec!r}: write NAME:key=value;key=value")
            params[key.strip()] = _value(val.strip())
        try:
            parts.append(registry[name](**params, on_error=on_error, n_jobs=n_jobs))
        except TypeError as exc:
            raise MatinfoError(f"featurizer {name!r}: {exc}") from None
    if any(columns) or any(p.input_kind == "table" for p in parts):
        names = [spec.partition(":")[0].partition("@")[0] for spec in specs]
        return TableFeatures(
            list(zip(parts, columns, strict=True)),
            prefix=len(set(names)) < len(names),
            on_error=on_error,
            n_jobs=n_jobs,
        )
    if len(parts) == 1:
        return parts[0]
    return CombinedFeatures(parts, on_error=on_error, n_jobs=n_jobs)


def _atomic_write(df, out: Path) -> None:
    from matinfo._files import atomic_write

    def write(tmp: str) -> None:
        if out.suffix.lower() == ".parquet":
            # Parquet columns have one type: a column mixing numbers and bounds ("<1e-10") is written as text.
            mixed = [c for c in df.columns if df[c].dtype == object and df[c].map(type).nunique() > 1]
            (df.astype({c: "string" for c in mixed}) if mixed else df).to_parquet(tmp, index=False)
        else:
            df.to_csv(tmp, index=False)

    atomic_write(out, write)


def featurize_command(
    data: Annotated[
        Path | None, typer.Argument(help="CSV file with one row per material (or use --db + search flags).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output .csv or .parquet (written atomically).")
    ] = None,
    featurizer: Annotated[
        list[str] | None,
        typer.Option(
            "--featurizer",
            "-f",
            help="NAME[@COLUMN][:key=value;...], repeatable (default element_stats). "
            "E.g. -f element_stats@formula:preset=deml -f structure_basics@cif",
        ),
    ] = None,
    column: Annotated[
        str | None, typer.Option(help="Input column (default: formula / composition column).")
    ] = None,
    features_only: Annotated[
        bool, typer.Option("--features-only", help="Do not copy the input columns.")
    ] = False,
    on_error: Annotated[
        OnError, typer.Option(help="raise: stop at the first bad row; nan: NaN row + report.")
    ] = OnError.raise_,
    n_jobs: Annotated[
        int, typer.Option(help="Processes per chunk for the local executor (-1: all cores).")
    ] = 1,
    executor: Annotated[
        Executor, typer.Option(help="local, or dask (a local dask.distributed cluster).")
    ] = Executor.local,
    workers: Annotated[int | None, typer.Option(help="Dask workers (default: all cores).")] = None,
    chunk_size: Annotated[int, typer.Option(help="Rows per chunk.")] = 5000,
    checkpoint: Annotated[
        Path | None, typer.Option(help="Folder for finished chunks; rerun the same command to resume.")
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the featurizers and exit.")] = False,
    db: DbOption = None,
    elements: Annotated[
        str | None, typer.Option(help="With --db: materials with all these elements.")
    ] = None,
    dataset: Annotated[str | None, typer.Option(help="With --db: materials of this dataset.")] = None,
    prop: Annotated[
        list[str] | None, typer.Option("--property", "-p", help="With --db: property filter.")
    ] = None,
) -> None:
    """Compute descriptors for every row of DATA (or of a database search) and write them as a table.

    Prints the number of features per category and the rows that could not be featurized.
    """
    import pandas as pd

    from matinfo.cli.render import console, progress_bar
    from matinfo.errors import ImportDataError

    if list_:
        from rich.table import Table

        from matinfo.features import registered_featurizers

        listing = Table("name", "categories (default parameters)", "what it computes", box=None)
        for name, cls in registered_featurizers().items():
            doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
            try:
                counts = cls().feature_categories() if cls.stateless else {}
                cats = ", ".join(
                    f"{c} {list(counts.values()).count(c)}" for c in dict.fromkeys(counts.values())
                )
            except Exception:  # needs parameters (columns, parts) or a fit: say so
                cats = "set by parameters / fit"
            listing.add_row(name, cats or "set by parameters / fit", doc)
        console.print(listing)
        return
    if out is None:
        raise typer.BadParameter("give --out FILE.csv or FILE.parquet")
    from matinfo.cli._tables import load_table, resolve_paths

    frame, source = load_table(data, db=db, dataset=dataset, elements=elements, prop=prop)

    feat = build_featurizer(featurizer or ["element_stats"], on_error=on_error.value, n_jobs=n_jobs)
    if feat.input_kind == "table":
        for _, c in getattr(feat, "parts", []):
            if c is not None and c not in frame.columns:
                raise ImportDataError(
                    f"no column {c!r}; columns are {list(frame.columns)}",
                    source=source,
                    field=c,
                    hint="fix NAME@COLUMN",
                )
            if c is not None and data is not None:
                frame[c] = resolve_paths(frame[c], data.parent)
        inputs = frame
    else:
        col = column or next(
            (c for c in ("formula", "composition", "structure", "cif", "smiles") if c in frame.columns), None
        )
        if col is None or col not in frame.columns:
            raise ImportDataError(
                f"no input column {column or 'formula/composition'!r}; columns are {list(frame.columns)}",
                source=source,
                field=column,
                hint="name the column with --column",
            )
        inputs = resolve_paths(frame[col], data.parent) if data is not None else frame[col]

    from matinfo.features import featurize

    t0 = time.perf_counter()
    with progress_bar() as bar:
        task = bar.add_task(f"featurize {len(frame)} rows", total=len(frame))
        result = featurize(
            feat,
            inputs,
            executor=executor.value,
            chunk_size=chunk_size,
            checkpoint=checkpoint,
            n_workers=workers,
            progress=lambda n: bar.advance(task, n),
        )
    seconds = time.perf_counter() - t0
    features = result.to_frame().reset_index(drop=True)
    if features_only:
        table = features
    else:  # an input column named like a feature (n_sites, density) keeps its values under "input: NAME"
        clash = {c: f"input: {c}" for c in frame.columns if c in set(features.columns)}
        table = pd.concat([frame.reset_index(drop=True).rename(columns=clash), features], axis=1)
    _atomic_write(table, out)
    counts = ", ".join(f"{c} {n}" for c, n in result.category_counts().items())
    console.print(
        f"wrote {len(table)} rows x {features.shape[1]} features ({counts}) to {out} "
        f"in {seconds:.1f} s ({len(table) / max(seconds, 1e-9):,.0f} rows/s)"
    )
    if result.report.n_failed:
        console.print(f"[yellow]{result.report}[/]")
