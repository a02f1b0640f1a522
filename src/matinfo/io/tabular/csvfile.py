"""Reading CSV files for the tabular importer: opening (``.gz``, byte-order mark), streaming rows, cells.

:func:`iter_rows` streams ``(line, {column: cell})``; :func:`parse_cell` turns a cell into what the store
wants; :func:`as_id` reads an identifier cell.  Used by :func:`~matinfo.io.tabular.read_table` and the
presets.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from matinfo.errors import ImportDataError

__all__ = ["NA_VALUES", "as_id", "iter_rows", "open_text", "parse_cell", "read_header"]

#: Cells treated as empty (the property, condition or field is then left out) unless ``[csv] na_values`` says else.
NA_VALUES = ("", "nan", "NaN", "NA", "N/A", "n/a", "None", "none", "null", "NULL")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def open_text(path: str | Path, encoding: str = "utf-8-sig") -> IO[str]:
    """Open a text file for reading; ``*.gz`` files are decompressed, a UTF-8 byte-order mark is dropped."""
    path = Path(path)
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding=encoding, newline="")
    return open(path, encoding=encoding, newline="")  # noqa: SIM115 - the caller closes it


def _display_name(path: Any) -> str:
    name = getattr(path, "name", None) if not isinstance(path, (str, Path)) else Path(path).name
    return str(name) if isinstance(name, str) else "<stream>"


def iter_rows(
    path: str | Path | IO[str],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    source: str | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Stream a CSV (or ``.csv.gz``) file as ``(line, {column: cell})``.

    ``line`` is the 1-based physical line where the row starts (the header is line 1; quoted cells may span
    lines).  Blank lines are skipped; missing trailing cells read as empty; a row with more cells than the
    header raises :class:`ImportDataError`.
    """
    src = source or _display_name(path)
    handle = path if not isinstance(path, (str, Path)) else _open(path, encoding, src)
    try:
        reader = csv.reader(handle, delimiter=delimiter)
        header = _header(reader, src)
        for line, row in _rows(reader, header, src, delimiter):
            if isinstance(row, ImportDataError):
                raise row
            yield line, row
    finally:
        if isinstance(path, (str, Path)):
            handle.close()


def _rows(
    reader: Any,
    header: list[str],
    src: str,
    delimiter: str,
) -> Iterator[tuple[int, dict[str, str] | ImportDataError]]:
    width, start = len(header), reader.line_num + 1
    for cells in _cells(reader, src):
        line, start = start, reader.line_num + 1
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        if len(cells) > width:
            yield (
                line,
                ImportDataError(
                    f"row has {len(cells)} cells but the header has {width}",
                    source=src,
                    line=line,
                    value=delimiter.join(cells[width:])[:80],
                    hint="quote cells that contain the delimiter, or check the delimiter ([csv] delimiter)",
                ),
            )
            continue
        yield line, dict(zip(header, cells + [""] * (width - len(cells)), strict=True))


def _open(path: str | Path, encoding: str, src: str) -> IO[str]:
    try:
        return open_text(path, encoding)
    except FileNotFoundError:
        raise ImportDataError("file not found", source=str(path), hint="check the path") from None
    except OSError as exc:
        raise ImportDataError(f"cannot open the file ({exc})", source=src) from None


def _cells(reader: Any, src: str) -> Iterator[list[str]]:
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError, OSError, EOFError) as exc:
            raise ImportDataError(
                f"cannot read the CSV ({exc})",
                source=src,
                line=reader.line_num + 1,
                hint="check the encoding ([csv] encoding) and the quoting",
            ) from None


def _header(reader: Any, src: str) -> list[str]:
    for cells in _cells(reader, src):
        if any(c.strip() for c in cells):
            return [c.strip() for c in cells]
    raise ImportDataError(
        "the file is empty (no header row)", source=src, line=1, hint="the first line must name the columns"
    )


def read_header(path: str | Path, *, delimiter: str = ",", encoding: str = "utf-8-sig") -> list[str]:
    """The column names of a CSV file (first non-blank line)."""
    with _open(path, encoding, Path(path).name) as handle:
        return _header(csv.reader(handle, delimiter=delimiter), Path(path).name)


def parse_cell(text: str | None, na_values: Iterable[str] = NA_VALUES) -> Any:
    """A cell as the store wants it: None when empty, float for plain numbers, bool for true/false, else the
    stripped text unchanged (``<1E-8``, ``1.2(3)``, ``3e-4 S/cm``).

    >>> [parse_cell(c) for c in ("1.5e-3", " <1E-8 ", "", "True", "R-3c")]
    [0.0015, '<1E-8', None, True, 'R-3c']
    """
    if text is None:
        return None
    s = text.strip()
    if s in na_values or not s:
        return None
    if _NUMBER.match(s):
        return float(s)
    low = s.lower()
    if low in ("true", "false"):
        return low == "true"
    return s


def as_id(text: Any) -> str:
    """An identifier cell as text; ``155950.0`` → ``155950`` (IDs that went through a float column), anything
    else kept as written (``019``, ``1e9`` and ``mp-1143`` are IDs, not numbers)."""
    s = str(text).strip()
    m = re.fullmatch(r"(\d+)\.0*", s)
    return m.group(1) if m else s
