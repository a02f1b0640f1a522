"""Where command-line tables come from: a CSV / Parquet file, or a search of the database (its ML table)."""

from __future__ import annotations

from pathlib import Path


def load_table(
    data: Path | None,
    *,
    db: str | None = None,
    dataset: str | None = None,
    elements: str | None = None,
    prop: list[str] | None = None,
):
    """``(frame, source)``: the file's rows, or one row per material of the database search (with a ``cif``
    column).  Relative CIF paths in a file stay relative to that file (see ``resolve_paths``)."""
    import pandas as pd

    from matinfo.errors import ImportDataError, MatinfoError

    if data is not None:
        if not data.exists():
            raise ImportDataError("no such file", source=str(data), hint="check the path")
        frame = pd.read_parquet(data) if data.suffix.lower() == ".parquet" else pd.read_csv(data)
        return frame, str(data)
    if db is None:
        import typer

        raise typer.BadParameter(
            "give a DATA file, or --db with search flags (--dataset, --elements, --property)"
        )
    from matinfo.store import Query, connect
    from matinfo.store.export import ml_table

    q = Query(elements=elements or (), dataset=dataset, properties=tuple(prop or ()), limit=None)
    frame = ml_table(connect(db), q, with_cif=True)
    if frame.empty:
        raise MatinfoError("the database search found no materials; loosen the search flags")
    return frame, "database search"


def resolve_paths(col, base: Path):
    """Relative file paths in an input column (CIF files) are relative to the CSV file."""
    import pandas as pd

    def fix(v):
        if isinstance(v, str) and v and "\n" not in v and len(v) < 1024 and not Path(v).is_absolute():
            p = base / v
            if p.suffix.lower() in (".cif", ".vasp", ".poscar") and p.exists():
                return str(p)
        return v

    return pd.Series([fix(v) for v in col], index=col.index, dtype=object)
