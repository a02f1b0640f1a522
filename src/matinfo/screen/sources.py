"""Candidate spaces read from somewhere: an in-memory table, a CSV file, a store search, crabnet's unlabelled pool.

:class:`TableSpace` is random access (``iloc``); the others are read in order, chunk by chunk, so a CSV file of
ten million rows is never in memory at once.

>>> import pandas as pd
>>> space = TableSpace(pd.DataFrame({"formula": ["Bi2Te3", "PbTe", "SnSe"], "T": [300, 300, 300]}))
>>> len(space), space.chunk(1, 2)["formula"].tolist()
(3, ['SnSe'])
"""

from __future__ import annotations

import dataclasses
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from matinfo.errors import ImportDataError, ParameterError
from matinfo.screen.spaces import CandidateSpace, _bounds, _checked_chunk_size

__all__ = ["TableSpace", "CsvSpace", "StoreSpace", "crabnet_unlabelled", "CRABNET_POOL"]

#: Column names tried, in order, when a table's composition column is not named.
COMPOSITION_COLUMNS = ("formula", "composition", "pair", "Pymatgen Composition", "Reduced Composition")
#: What pandas reads as missing by default; a formula column keeps these as text except the empty cell, because
#: ``NaN`` (sodium nitride), ``NA`` … are formulas.
_NA_TEXT = (
    "-1.#IND", "1.#QNAN", "1.#IND", "-1.#QNAN", "#N/A N/A", "#N/A", "N/A", "n/a", "NA", "<NA>", "#NA", "NULL",
    "null", "NaN", "-NaN", "nan", "-nan", "None", "",
)  # fmt: skip
#: crabnet's unlabelled compositions (Materials Project formulas, every target 0): a path inside the package.
CRABNET_POOL = ("data", "materials_data", "elasticity", "val.csv")


def _pick_column(columns: list[str], column: str | None, source: str) -> str:
    if column is not None:
        if column not in columns:
            raise ImportDataError(
                f"no column {column!r}; columns are {columns}",
                source=source,
                field=column,
                hint="name the composition column (csv:PATH:COLUMN)",
            )
        return column
    for name in COMPOSITION_COLUMNS:
        if name in columns:
            return name
    raise ImportDataError(
        f"no composition column; columns are {columns}",
        source=source,
        hint=f"name it (csv:PATH:COLUMN), or call it one of {', '.join(COMPOSITION_COLUMNS)}",
    )


class TableSpace(CandidateSpace):
    """The rows of a pandas DataFrame (kept in memory), with ``column`` as the key and composition column.

    ``column`` holds formulas or ``"A|B"`` pair strings; ``None`` picks the first of ``formula``,
    ``composition``, ``pair``, ``Pymatgen Composition``, ``Reduced Composition``.  Other columns travel along
    (a model can read them, e.g. a temperature).
    """

    random_access = True

    def __init__(self, frame: Any, column: str | None = None, *, source: str = "table") -> None:
        import pandas as pd

        if not isinstance(frame, pd.DataFrame):
            raise ParameterError(f"TableSpace takes a pandas DataFrame, not {type(frame).__name__}")
        self.column = _pick_column([str(c) for c in frame.columns], column, source)
        self.frame = frame.reset_index(drop=True)
        self.source = source
        self.key = self.column
        self.composition_columns = (self.column,)
        self.columns = tuple(str(c) for c in frame.columns)

    def __len__(self) -> int:
        return len(self.frame)

    def chunk(self, i: int, chunk_size: int):
        start, stop = _bounds(i, chunk_size, len(self))
        return self.frame.iloc[start:stop]

    def describe(self) -> str:
        return f"{len(self):,} rows of {self.source} (column {self.column!r})"


class CsvSpace(CandidateSpace):
    """The rows of a CSV file (plain or ``.gz``), read ``chunk_size`` rows at a time.

    Parameters
    ----------
    path : str or Path
        The file.
    column : str or None
        Composition (or ``"A|B"`` pair) column; ``None`` guesses as :class:`TableSpace` does.
    unique : bool
        Skip rows whose ``column`` value was seen before.  Keeps every value seen in memory (about 100 bytes
        each), so leave it off for files of tens of millions of distinct rows.
    usecols : sequence of str or None
        Read only these columns (the key column is always read).

    The number of rows (``size``) is counted on first request, by one pass over the file.
    """

    def __init__(
        self,
        path: str | Path,
        column: str | None = None,
        *,
        unique: bool = False,
        usecols: list[str] | tuple[str, ...] | None = None,
    ) -> None:
        import pandas as pd

        self.path = Path(path)
        if not self.path.is_file():
            raise ImportDataError("no such file", source=str(self.path), hint="check the path")
        try:
            header = [str(c) for c in pd.read_csv(self.path, nrows=0).columns]
        except (ValueError, OSError) as exc:  # pandas: EmptyDataError, ParserError; gzip: BadGzipFile
            raise ImportDataError(
                f"cannot read a CSV header: {exc}", source=str(self.path), hint="give a CSV file"
            ) from None
        self.column = _pick_column(header, column, str(self.path))
        if usecols is not None:
            missing = [c for c in usecols if c not in header]
            if missing:
                raise ImportDataError(f"no columns {missing}; columns are {header}", source=str(self.path))
            self.usecols = list(dict.fromkeys([self.column, *usecols]))
        else:
            self.usecols = None
        self.unique = bool(unique)
        self.key = self.column
        self.composition_columns = (self.column,)
        self.columns = tuple(self.usecols or header)
        self._size: int | None = None

    @property
    def size(self) -> int | None:
        if self._size is None and not self.unique:
            import pandas as pd

            self._size = sum(len(c) for c in pd.read_csv(self.path, usecols=[self.column], chunksize=200_000))
        return self._size

    def chunks(self, chunk_size: int) -> Iterator[Any]:
        import pandas as pd

        chunk_size = _checked_chunk_size(chunk_size)
        seen: set[str] = set()
        start = 0
        na = {c: list(_NA_TEXT) for c in self.columns} | {self.column: [""]}
        reader = pd.read_csv(
            self.path,
            usecols=self.usecols,
            chunksize=chunk_size,
            dtype={self.column: object},
            keep_default_na=False,
            na_values=na,
        )
        with reader:
            for raw in reader:
                raw.index = pd.RangeIndex(start, start + len(raw))
                start += len(raw)
                if self.unique:
                    keys = raw[self.column].astype(str)
                    first = ~keys.duplicated() & ~keys.isin(seen)
                    seen.update(keys[first])
                    raw = raw[first.to_numpy()]
                if len(raw):
                    yield raw

    def describe(self) -> str:
        dedup = ", duplicates skipped" if self.unique else ""
        return f"rows of {self.path.name} (column {self.column!r}{dedup})"


class StoreSpace(CandidateSpace):
    """One candidate per substance of a store search (``formula`` is the substance's reduced formula).

    ``query`` is a :class:`~matinfo.store.Query` (or ``None`` for every substance); its ``limit`` and ``offset``
    are ignored: the search is read page by page.  Chunks have ``formula`` (key), ``substance_id``,
    ``chemical_system``, ``space_group`` and ``prototype``.
    """

    key = "formula"
    composition_columns = ("formula",)
    columns = ("formula", "substance_id", "chemical_system", "space_group", "prototype")

    def __init__(self, db: Any, query: Any = None) -> None:
        from matinfo.store import Database, Query, connect

        self.db = db if isinstance(db, Database) else connect(str(db))
        self.query = query if query is not None else Query()
        if not isinstance(self.query, Query):
            raise ParameterError(f"query must be a matinfo.store.Query, not {type(self.query).__name__}")

    def chunks(self, chunk_size: int) -> Iterator[Any]:
        import pandas as pd

        chunk_size = _checked_chunk_size(chunk_size)
        start = 0
        while True:
            page = self.db.search(dataclasses.replace(self.query, limit=chunk_size, offset=start))
            if not page:
                return
            yield pd.DataFrame(
                {
                    "formula": [h.reduced_formula for h in page],
                    "substance_id": [h.substance_id for h in page],
                    "chemical_system": [h.chemical_system for h in page],
                    "space_group": [h.space_group for h in page],
                    "prototype": [h.prototype for h in page],
                },
                index=pd.RangeIndex(start, start + len(page)),
            )
            start += len(page)
            if len(page) < chunk_size:
                return

    def describe(self) -> str:
        criteria = {
            f.name: getattr(self.query, f.name)
            for f in dataclasses.fields(self.query)
            if f.name not in ("limit", "offset") and getattr(self.query, f.name) not in ((), None, 0)
        }
        what = ", ".join(f"{k}={v!r}" for k, v in criteria.items()) or "every substance"
        return f"substances of {self.db.url} ({what})"


def crabnet_unlabelled() -> CsvSpace:
    """crabnet's unlabelled pool: 128,495 Materials Project compositions (91,016 distinct), duplicates skipped.

    The file is ``crabnet/data/materials_data/elasticity/val.csv`` of the ``crabnet`` package (its targets are
    all 0: placeholders for prediction).  crabnet is not a matinfo dependency; the file is located without
    importing crabnet (which would import torch).
    """
    spec = importlib.util.find_spec("crabnet")
    roots = list(spec.submodule_search_locations or []) if spec is not None else []
    for root in roots:
        path = Path(root).joinpath(*CRABNET_POOL)
        if path.is_file():
            return CsvSpace(path, "formula", unique=True, usecols=["formula"])
    raise ParameterError(
        "crabnet's unlabelled compositions are not installed "
        "(crabnet/data/materials_data/elasticity/val.csv): pip install crabnet, or screen your own file "
        "with csv:PATH"
    )
