"""Bulk inserts through the DBAPI connection of the session's transaction: what makes an import fast.

SQLAlchemy's ``insert(Model)`` with a list of dicts costs ~20 µs a row in Python (parameter processing,
insertmanyvalues), more than SQLite itself needs.  An import writes ~10 rows per material, so the writer
hands plain tuples to the driver instead:

* **SQLite**: ``cursor.executemany`` of one prepared ``INSERT``; new IDs are those SQLite gives the rows
  (``max(rowid) + 1``, consecutive while the import's transaction holds the write lock), read back with
  ``last_insert_rowid()`` and checked;
* **PostgreSQL**: ``COPY ... FROM STDIN`` (psycopg 3), with IDs drawn from the table's sequence first.

Values are converted as SQLAlchemy would store them: JSON columns as ``json.dumps`` text (``None`` as JSON
``null``, like SQLAlchemy's ``JSON`` type with ``none_as_null=False``), datetimes through the dialect's own
bind processor, and Python-side column defaults (``created_at``, ``{}``) applied to missing keys.  Every
statement runs in the session's transaction, so an import stays all or nothing.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.orm import Session

from matinfo.errors import StoreError

__all__ = ["BulkWriter"]


class BulkWriter:
    """Row inserts for one import transaction (one per :func:`~matinfo.store.writer.write_records` call)."""

    def __init__(self, session: Session) -> None:
        conn = session.connection()
        self.dialect = conn.dialect
        self.pg = conn.dialect.name == "postgresql"
        self.raw = conn.connection.driver_connection
        self._sequences: dict[str, str] = {}

    # -- rows --------------------------------------------------------------------------------------------
    def columns(self, model) -> list[str]:
        """The table's columns in order, without ``id``."""
        return [c.name for c in model.__table__.columns if c.name != "id"]

    def tuples(self, model, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> list[tuple]:
        """``rows`` (dicts) as tuples in ``columns`` order, converted and defaulted as SQLAlchemy would."""
        table = model.__table__
        constant: dict[str, Any] = {}  # value of a missing key: the column's Python default, converted
        convert: list[Any] = []
        for name in columns:
            col = table.c[name]
            conv = None
            if isinstance(col.type, JSON):
                conv = _json
            elif isinstance(col.type, DateTime) and not self.pg:
                conv = col.type.dialect_impl(self.dialect).bind_processor(self.dialect)
            convert.append(conv)
            default = col.default
            if default is not None and getattr(default, "is_scalar", False):
                value = default.arg
            elif default is not None and getattr(default, "is_callable", False):
                value = default.arg(None)
            else:
                value = None
            # a missing key without default is SQL NULL (SQLAlchemy leaves the column out of the INSERT)
            constant[name] = None if value is None else value if conv is None else conv(value)
        pairs = list(zip(columns, convert, strict=True))
        if not rows:
            return []
        # the writer's rows share their keys: then each row is one itemgetter call plus its conversions
        keys = rows[0].keys()
        if all(r.keys() == keys for r in rows):
            present = [(i, n, c) for i, (n, c) in enumerate(pairs) if n in keys]
            if present:
                get = operator.itemgetter(*(n for _, n, _ in present))
                convs = [(j, c) for j, (_, _, c) in enumerate(present) if c is not None]
                template = [constant[n] for n in columns]
                slots = [i for i, _, _ in present]
                out = []
                for r in rows:
                    got = get(r)
                    if len(present) == 1:
                        got = (got,)
                    row = template.copy()
                    for j, i in enumerate(slots):
                        row[i] = got[j]
                    for j, c in convs:
                        row[slots[j]] = c(got[j])
                    out.append(tuple(row))
                return out
        return [
            tuple([(r[n] if c is None else c(r[n])) if n in r else constant[n] for n, c in pairs])
            for r in rows
        ]

    # -- statements ----------------------------------------------------------------------------------------
    def insert(self, model, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        """Insert ready tuples (``columns`` order; ``id`` may be one of the columns)."""
        if not rows:
            return
        quote = self.dialect.identifier_preparer.quote
        table = quote(model.__table__.name)
        cols = ", ".join(quote(c) for c in columns)
        if self.pg:
            with self.raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            cur = self.raw.cursor()
            try:
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
            finally:
                cur.close()

    def insert_new(self, model, columns: Sequence[str], rows: Sequence[tuple]) -> list[int]:
        """Insert rows without ``id``; the IDs they got, in row order."""
        n = len(rows)
        if not n:
            return []
        table = model.__table__.name
        if self.pg:
            ids = self._next_ids(table, n)
            self.insert(model, ["id", *columns], [(i, *r) for i, r in zip(ids, rows, strict=True)])
            return ids
        self.insert(model, columns, rows)
        cur = self.raw.cursor()
        try:
            last = cur.execute("SELECT last_insert_rowid()").fetchone()[0]
            first = last - n + 1
            # SQLite gives each new row max(rowid) + 1, and no other writer runs inside our transaction:
            # the rows got first..last.  Checked, because everything after (children) relies on it.
            found = cur.execute(
                f"SELECT count(*) FROM {table} WHERE id BETWEEN ? AND ?", (first, last)
            ).fetchone()
            top = cur.execute(f"SELECT max(id) FROM {table}").fetchone()[0]
        finally:
            cur.close()
        if found[0] != n or top != last:
            raise StoreError(
                f"SQLite did not number the {n} new rows of {table} consecutively; nothing was written"
            )
        return list(range(first, last + 1))

    def _next_ids(self, table: str, n: int) -> list[int]:
        seq = self._sequences.get(table)
        with self.raw.cursor() as cur:
            if seq is None:
                seq = cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,)).fetchone()[0]
                self._sequences[table] = seq
            rows = cur.execute("SELECT nextval(%s) FROM generate_series(1, %s)", (seq, n)).fetchall()
        return [r[0] for r in rows]


def _json(value: Any) -> str:
    """``json.dumps(value)``, with the common cases of an import written directly (same text)."""
    if value is None:
        return "null"
    if type(value) is dict and not value:  # no conditions: the usual case of computed data
        return "{}"
    if type(value) is dict:
        parts = []
        for k, v in value.items():
            # finite floats (v - v is nan for nan and ±inf) under plain keys (element symbols): no escaping
            if type(v) is not float or v - v != 0.0 or type(k) is not str or k not in _PLAIN_KEYS:
                if type(k) is str and k.isalnum() and k.isascii() and type(v) is float and v - v == 0.0:
                    _PLAIN_KEYS.add(k)
                else:
                    return json.dumps(value)
            parts.append(f'"{k}": {v!r}')
        return "{" + ", ".join(parts) + "}"
    return json.dumps(value)


#: Keys seen to be ASCII letters and digits only (written as they are); element symbols, mostly.
_PLAIN_KEYS: set[str] = set()
