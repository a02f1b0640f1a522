"""CSV rows to records: :func:`read_table` streams one :class:`~matinfo.core.records.MaterialIn` per row."""

from __future__ import annotations

import csv
import difflib
import math
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal

from matinfo.core.records import BadRecord, MaterialIn, PropertyIn, ReferenceIn, StructureIn
from matinfo.errors import ImportDataError, MappingError
from matinfo.io.tabular.csvfile import _display_name, _header, _open, _rows, as_id, parse_cell
from matinfo.io.tabular.mapping import Mapping, PropertyMapping

__all__ = ["ImportDataWarning", "OnError", "read_table"]

OnError = Literal["raise", "warn", "skip", "yield"]


class ImportDataWarning(UserWarning):
    """A row was skipped by ``read_table(..., on_error="warn")``; the message says where and why."""


def _check_columns(mapping: Mapping, header: list[str], csv_name: str) -> None:
    missing = [(key, col) for key, col in mapping.columns() if col not in header]
    if not missing:
        return
    key, col = missing[0]
    near = difflib.get_close_matches(col, header, n=1, cutoff=0.4)
    hint = (
        f"did you mean {near[0]!r}? " if near else ""
    ) + f"the header of {csv_name} has: {', '.join(header)}"
    if len(missing) > 1:
        hint += f" (also missing: {', '.join(repr(c) for _, c in missing[1:])})"
    raise MappingError(
        f"column not found in {csv_name}", source=mapping.source, field=key, value=col, hint=hint
    )


def read_table(
    path: str | Path | IO[str],
    mapping: Mapping,
    *,
    source: str | None = None,
    on_error: OnError = "raise",
) -> Iterator[MaterialIn]:
    """Stream one :class:`MaterialIn` per data row of a CSV (or ``.csv.gz``) file.

    ``source`` names the file in ``location`` (``"<source>:<line>"``, 1-based physical lines, header = 1) and in
    errors; default: the file name.  CIF paths are relative to the CSV's folder.  Empty cells leave the
    property, condition or field out.  Row problems (empty formula, unreadable CIF, bad uncertainty or year)
    raise :class:`ImportDataError` (``on_error="raise"``), or skip the row with an :class:`ImportDataWarning`
    (``"warn"``) or silently (``"skip"``), or yield a :class:`~matinfo.core.records.BadRecord` in its place
    (``"yield"``: the store then decides, as ``matinfo db import --skip-bad`` does).  Columns the mapping names but the header lacks raise
    :class:`MappingError` before the first row.
    """
    if on_error not in ("raise", "warn", "skip", "yield"):
        raise ValueError(f"on_error must be 'raise', 'warn', 'skip' or 'yield', not {on_error!r}")
    src = source or _display_name(path)
    base = Path(path).parent if isinstance(path, (str, Path)) else Path.cwd()
    handle = path if not isinstance(path, (str, Path)) else _open(path, mapping.encoding, src)
    try:
        reader = csv.reader(handle, delimiter=mapping.delimiter)
        header = _header(reader, src)
        _check_columns(mapping, header, src)

        for line, row in _rows(reader, header, src, mapping.delimiter):
            try:
                if isinstance(row, ImportDataError):
                    raise row
                yield _record(mapping, row, line, src, base)
            except ImportDataError as exc:
                if on_error == "raise":
                    raise
                if on_error == "yield":
                    yield BadRecord(f"{src}:{line}", None, exc)
                elif on_error == "warn":
                    warnings.warn(f"skipped row: {exc}", ImportDataWarning, stacklevel=2)
    finally:
        if isinstance(path, (str, Path)):
            handle.close()


def _record(m: Mapping, row: dict[str, str], line: int, src: str, base: Path) -> MaterialIn:
    loc = f"{src}:{line}"

    def cell(col: str | None) -> Any:
        return parse_cell(row[col], m.na_values) if col else None

    formula = row[m.formula].strip()
    if formula in m.na_values or not formula:
        raise ImportDataError(
            "empty formula",
            source=src,
            line=line,
            field=m.formula,
            value=row[m.formula],
            hint="every row needs a formula; remove the row or fill the cell",
        )

    name = cell(m.name)
    prototype = cell(m.prototype)
    sg = cell(m.space_group)
    if isinstance(sg, float):
        if not sg.is_integer() or not 1 <= sg <= 230:
            raise ImportDataError(
                "space group number must be an integer 1-230",
                source=src,
                line=line,
                field=m.space_group,
                value=row[m.space_group],
                hint="give the number (1-230) or the Hermann-Mauguin symbol",
            )
        sg = int(sg)
    elif sg is not None:
        sg = str(sg)

    structure = None
    if m.cif and (rel := row[m.cif].strip()) and rel not in m.na_values:
        cif_path = base / rel
        try:
            structure = StructureIn(
                cif=cif_path.read_text(encoding="utf-8-sig", errors="replace"), source=rel
            )
        except OSError as exc:
            raise ImportDataError(
                f"cannot read the CIF file ({exc.strerror or exc})",
                source=src,
                line=line,
                field=m.cif,
                value=rel,
                hint=f"CIF paths are relative to the CSV's folder ({base})",
            ) from None

    reference = _reference(m, row, line, src)
    props = tuple(p for pm in m.properties if (p := _prop(pm, row, line, src, m.na_values)) is not None)
    ext = tuple((e.source, as_id(row[e.column])) for e in m.external_ids if cell(e.column) is not None)
    return MaterialIn(
        formula=formula,
        name=None if name is None else row[m.name].strip(),
        structure=structure,
        space_group=sg,
        prototype=None if prototype is None else row[m.prototype].strip(),
        reference=reference,
        properties=props,
        external_ids=ext,
        location=loc,
    )


def _reference(m: Mapping, row: dict[str, str], line: int, src: str) -> ReferenceIn | None:
    fields: dict[str, Any] = dict(m.reference_constants)
    for key, col in m.reference.items():
        value = row[col].strip()
        if value and value not in m.na_values:
            fields[key] = value
    if "year" in fields and not isinstance(fields["year"], int):
        year = str(fields["year"]).strip()
        try:
            fields["year"] = int(float(year))
        except ValueError:
            raise ImportDataError(
                "year is not a number",
                source=src,
                line=line,
                field=m.reference.get("year", "reference.year"),
                value=year,
                hint="write the year as digits, e.g. 2019",
            ) from None
    for key in ("volume", "pages"):
        if key in fields:
            fields[key] = as_id(fields[key])
    return ReferenceIn(**fields) if fields else None


def _prop(
    pm: PropertyMapping, row: dict[str, str], line: int, src: str, na: tuple[str, ...]
) -> PropertyIn | None:
    value = parse_cell(row[pm.value], na)
    if value is None:
        return None
    unit = pm.unit
    if pm.unit_column:
        unit = row[pm.unit_column].strip() or None
    uncertainty = None
    if pm.uncertainty:
        raw = parse_cell(row[pm.uncertainty], na)
        if raw is not None:
            if not isinstance(raw, float) or isinstance(raw, bool) or math.isnan(raw) or raw < 0:
                raise ImportDataError(
                    "uncertainty is not a non-negative number",
                    source=src,
                    line=line,
                    field=pm.uncertainty,
                    value=row[pm.uncertainty],
                    hint="write a plain number in the value's unit, or leave the cell empty",
                )
            uncertainty = raw
    conditions: dict[str, Any] = {}
    for c in pm.conditions:
        v = parse_cell(row[c.column], na) if c.column else c.value
        if v is None:
            continue
        conditions[c.name] = (v, c.unit) if c.unit and not isinstance(v, bool) else v
    return PropertyIn(
        quantity=pm.quantity,
        value=value,
        unit=unit,
        uncertainty=uncertainty,
        conditions=conditions,
        method=pm.method,
        location=f"{src}:{line}",
    )
