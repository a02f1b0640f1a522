"""Import CSV tables with a TOML column mapping into :class:`~matinfo.core.records.MaterialIn` records.

A *mapping* says which CSV column holds the formula, the name, the space group, a CIF path, the reference
fields, each property (value, unit, uncertainty, conditions) and external IDs.  :func:`load_mapping` reads and
validates it; :func:`read_table` streams the CSV row by row and yields one record per row.  The mapping file
format is documented in ``docs/mappings.md``; a short example::

    [material]
    formula = "Composition"
    [[property]]
    quantity = "ionic_conductivity"
    value = "Ionic conductivity (S cm-1)"
    unit = "S/cm"
    [property.conditions]
    temperature = { value = 298.15, unit = "K" }

Values are passed on as the source writes them (numbers as ``float``, ``true``/``false`` as ``bool``, anything
else such as ``<1E-8`` or ``1.2(3)`` unchanged as text); the store parses them and converts units.

>>> m = Mapping.from_dict({"material": {"formula": "f"},
...                        "property": [{"quantity": "band_gap", "value": "gap", "unit": "eV"}]})
>>> import io
>>> [r.properties[0].value for r in read_table(io.StringIO("f,gap\\nGaAs,1.42\\n"), m, source="x.csv")]
[1.42]
"""

from __future__ import annotations

import codecs
import csv
import difflib
import gzip
import io
import math
import re
import tomllib
import warnings
from collections.abc import Iterable, Iterator
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from matinfo.core.records import BadRecord, DatasetIn, MaterialIn, PropertyIn, ReferenceIn, StructureIn
from matinfo.errors import ImportDataError, MappingError

__all__ = [
    "METHODS",
    "NA_VALUES",
    "REFERENCE_FIELDS",
    "ConditionMapping",
    "ExternalIdMapping",
    "Mapping",
    "PropertyMapping",
    "ImportDataWarning",
    "load_mapping",
    "read_table",
    "iter_rows",
    "read_header",
    "open_text",
    "parse_cell",
    "as_id",
]

#: Property methods a mapping may name (see ARCHITECTURE: property record).
METHODS = ("experiment", "calculation", "prediction", "literature-extraction")
#: Cells treated as empty (the property, condition or field is then left out) unless ``[csv] na_values`` says else.
NA_VALUES = ("", "nan", "NaN", "NA", "N/A", "n/a", "None", "none", "null", "NULL")
#: Reference fields a ``[reference]`` section may map.
REFERENCE_FIELDS = ("doi", "authors", "title", "journal", "year", "volume", "pages", "url")

_MATERIAL_KEYS = ("formula", "name", "space_group", "prototype", "cif")
_PROPERTY_KEYS = ("quantity", "value", "unit", "unit_column", "uncertainty", "method", "conditions")
_TOP_KEYS = ("csv", "dataset", "material", "reference", "property", "external_id")
_DATASET_KEYS = ("name", "description", "license", "citation", "url", "visibility")
_CSV_KEYS = ("delimiter", "encoding", "na_values")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")

OnError = Literal["raise", "warn", "skip", "yield"]


class ImportDataWarning(UserWarning):
    """A row was skipped by ``read_table(..., on_error="warn")``; the message says where and why."""


# ----------------------------------------------------------------------------------------------- mapping model
@dataclass(frozen=True)
class ConditionMapping:
    """One condition of a property: a constant (``value``) or a column (``column``), with an optional unit."""

    name: str
    column: str | None = None
    value: Any = None
    unit: str | None = None


@dataclass(frozen=True)
class PropertyMapping:
    """One ``[[property]]`` block.  ``key`` is its TOML location (``property[2]``, 1-based) for messages."""

    quantity: str
    value: str
    unit: str | None = None
    unit_column: str | None = None
    uncertainty: str | None = None
    method: str = "experiment"
    conditions: tuple[ConditionMapping, ...] = ()
    key: str = "property[1]"


@dataclass(frozen=True)
class ExternalIdMapping:
    """One ``[[external_id]]`` block: IDs of ``source`` (``icsd``, ``cod``, ``mp``, ...) read from ``column``."""

    source: str
    column: str
    key: str = "external_id[1]"


@dataclass(frozen=True)
class Mapping:
    """A validated column mapping (see ``docs/mappings.md``).  Build with :func:`load_mapping` or :meth:`from_dict`.

    Column fields hold CSV header names; ``reference`` maps reference fields to a column name or, for
    ``{ value = ... }`` entries, to a constant (kept in ``reference_constants``).  ``source`` is the mapping
    file, named in every :class:`~matinfo.errors.MappingError`.
    """

    formula: str
    name: str | None = None
    space_group: str | None = None
    prototype: str | None = None
    cif: str | None = None
    reference: AbcMapping[str, str] = field(default_factory=dict)
    reference_constants: AbcMapping[str, Any] = field(default_factory=dict)
    properties: tuple[PropertyMapping, ...] = ()
    external_ids: tuple[ExternalIdMapping, ...] = ()
    dataset: DatasetIn | None = None
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    na_values: tuple[str, ...] = NA_VALUES
    source: str | None = None

    @classmethod
    def from_dict(cls, data: AbcMapping[str, Any], *, source: str | None = None) -> Mapping:
        """Validate a parsed TOML document; raise :class:`MappingError` naming ``source``, key and value."""
        return _build_mapping(data, source)

    def columns(self) -> list[tuple[str, str]]:
        """Every ``(toml key, column name)`` the mapping reads, in file order."""
        out: list[tuple[str, str]] = [("material.formula", self.formula)]
        for key in ("name", "space_group", "prototype", "cif"):
            if getattr(self, key) is not None:
                out.append((f"material.{key}", getattr(self, key)))
        out += [(f"reference.{k}", c) for k, c in self.reference.items()]
        for p in self.properties:
            out.append((f"{p.key}.value", p.value))
            if p.unit_column:
                out.append((f"{p.key}.unit_column", p.unit_column))
            if p.uncertainty:
                out.append((f"{p.key}.uncertainty", p.uncertainty))
            out += [(f"{p.key}.conditions.{c.name}.column", c.column) for c in p.conditions if c.column]
        out += [(f"{e.key}.column", e.column) for e in self.external_ids]
        return out


def load_mapping(path: str | Path) -> Mapping:
    """Read and validate a TOML column mapping.

    Raises :class:`~matinfo.errors.MappingError` (file, TOML key, bad value, how to fix it) when the file is
    missing, is not TOML, or has unknown keys, missing or wrongly typed entries.  Whether the named columns
    exist is checked against the CSV header by :func:`read_table`.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MappingError("mapping file not found", source=str(path), hint="check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"cannot read the mapping file ({exc})", source=str(path),
                           hint="save it as UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"not valid TOML: {exc}", source=str(path),
                           hint="see docs/mappings.md for the format; quote column names with spaces") from None
    return _build_mapping(data, str(path))


def _err(source: str | None, key: str, value: Any, problem: str, hint: str | None = None) -> MappingError:
    return MappingError(problem, source=source, field=key, value=value, hint=hint)


def _closest(word: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    near = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return f"did you mean {near[0]!r}?" if near else f"allowed: {', '.join(choices)}"


def _check_keys(table: AbcMapping[str, Any], allowed: tuple[str, ...], where: str, source: str | None) -> None:
    for key in table:
        if key not in allowed:
            raise _err(source, f"{where}.{key}" if where else key, key, "unknown key", _closest(key, allowed))


def _table(data: AbcMapping[str, Any], key: str, source: str | None) -> AbcMapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, AbcMapping):
        raise _err(source, key, value, "must be a table", f"write it as a section: [{key}]")
    return value


def _column(table: AbcMapping[str, Any], key: str, where: str, source: str | None, *, required: bool = False):
    value = table.get(key)
    if value is None:
        if required:
            raise _err(source, f"{where}.{key}", None, "missing",
                       f'add {key} = "<column name>" under [{where.split("[")[0]}]')
        return None
    if not isinstance(value, str) or not value.strip():
        raise _err(source, f"{where}.{key}", value, "must be a column name (non-empty text)",
                   f'write {key} = "<column name as in the CSV header>"')
    return value


def _text(table: AbcMapping[str, Any], key: str, where: str, source: str | None) -> str | None:
    value = table.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise _err(source, f"{where}.{key}", value, "must be non-empty text", f'write {key} = "..."')
    return value


def _blocks(data: AbcMapping[str, Any], key: str, source: str | None) -> list[AbcMapping[str, Any]]:
    value = data.get(key, [])
    if isinstance(value, AbcMapping):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, AbcMapping) for v in value):
        raise _err(source, key, value, "must be one or more tables", f"write each as a [[{key}]] block")
    return value


def _condition(name: str, spec: Any, where: str, source: str | None) -> ConditionMapping:
    key = f"{where}.conditions.{name}"
    if isinstance(spec, bool) or isinstance(spec, (int, float, str)):
        return ConditionMapping(name, value=spec)
    if not isinstance(spec, AbcMapping):
        raise _err(source, key, spec, "must be a constant or a table",
                   f'write {name} = {{ value = 298.15, unit = "K" }} or {name} = {{ column = "T (K)", unit = "K" }}')
    _check_keys(spec, ("value", "column", "unit"), key, source)
    if ("value" in spec) == ("column" in spec):
        raise _err(source, key, dict(spec), "needs exactly one of 'value' (a constant) or 'column'",
                   f'write {name} = {{ value = 298.15, unit = "K" }} or {name} = {{ column = "T (K)", unit = "K" }}')
    column = _column(spec, "column", key, source) if "column" in spec else None
    unit = _text(spec, "unit", key, source)
    return ConditionMapping(name, column=column, value=spec.get("value"), unit=unit)


def _property(block: AbcMapping[str, Any], index: int, source: str | None) -> PropertyMapping:
    where = f"property[{index}]"
    _check_keys(block, _PROPERTY_KEYS, where, source)
    quantity = block.get("quantity")
    if not isinstance(quantity, str) or not quantity.strip():
        raise _err(source, f"{where}.quantity", quantity, "missing or not text",
                   'name the quantity, e.g. quantity = "ionic_conductivity"')
    value = _column(block, "value", where, source, required=True)
    unit = _text(block, "unit", where, source)
    unit_column = _column(block, "unit_column", where, source)
    if unit is not None and unit_column is not None:
        raise _err(source, f"{where}.unit_column", unit_column, "give either 'unit' or 'unit_column', not both",
                   "use unit for one fixed unit, unit_column when each row names its unit")
    method = block.get("method", "experiment")
    if method not in METHODS:
        raise _err(source, f"{where}.method", method, "unknown method", _closest(str(method), METHODS))
    conds = block.get("conditions", {})
    if not isinstance(conds, AbcMapping):
        raise _err(source, f"{where}.conditions", conds, "must be a table",
                   f"write a [{where.split('[')[0]}.conditions] section after the [[property]] block")
    conditions = tuple(_condition(name, spec, where, source) for name, spec in conds.items())
    return PropertyMapping(quantity.strip(), value, unit, unit_column, _column(block, "uncertainty", where, source),
                           method, conditions, where)


def _build_mapping(data: AbcMapping[str, Any], source: str | None) -> Mapping:
    _check_keys(data, _TOP_KEYS, "", source)
    material = _table(data, "material", source)
    _check_keys(material, _MATERIAL_KEYS, "material", source)
    if "formula" not in material:
        raise _err(source, "material.formula", None, "missing: every mapping needs the formula column",
                   'add [material] with formula = "<column with the formula>"')
    cols = {k: _column(material, k, "material", source, required=(k == "formula")) for k in _MATERIAL_KEYS}

    ref_table = _table(data, "reference", source)
    _check_keys(ref_table, REFERENCE_FIELDS, "reference", source)
    reference: dict[str, str] = {}
    constants: dict[str, Any] = {}
    for key, spec in ref_table.items():
        if isinstance(spec, AbcMapping):
            _check_keys(spec, ("value",), f"reference.{key}", source)
            if "value" not in spec:
                raise _err(source, f"reference.{key}", dict(spec), "a table here needs 'value'",
                           f'write {key} = {{ value = "..." }} for a constant, or {key} = "<column>"')
            constants[key] = spec["value"]
        else:
            reference[key] = _column(ref_table, key, "reference", source)

    properties = tuple(_property(b, i, source) for i, b in enumerate(_blocks(data, "property", source), 1))
    ext = []
    for i, block in enumerate(_blocks(data, "external_id", source), 1):
        where = f"external_id[{i}]"
        _check_keys(block, ("source", "column"), where, source)
        src = block.get("source")
        if not isinstance(src, str) or not src.strip():
            raise _err(source, f"{where}.source", src, "missing or not text", 'name the ID source, e.g. source = "icsd"')
        ext.append(ExternalIdMapping(src.strip(), _column(block, "column", where, source, required=True), where))

    dataset = None
    if "dataset" in data:
        ds = _table(data, "dataset", source)
        _check_keys(ds, _DATASET_KEYS, "dataset", source)
        if not isinstance(ds.get("name"), str) or not ds["name"].strip():
            raise _err(source, "dataset.name", ds.get("name"), "missing or not text",
                       'give the data set a name: [dataset] name = "my-data"')
        for k in _DATASET_KEYS:
            _text(ds, k, "dataset", source)
        dataset = DatasetIn(**{k: ds[k] for k in _DATASET_KEYS if k in ds})

    opts = _table(data, "csv", source)
    _check_keys(opts, _CSV_KEYS, "csv", source)
    delimiter = opts.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise _err(source, "csv.delimiter", delimiter, "must be one character", 'e.g. delimiter = ";" or "\\t"')
    encoding = opts.get("encoding", "utf-8-sig")
    try:
        codecs.lookup(str(encoding))
    except LookupError:
        raise _err(source, "csv.encoding", encoding, "unknown text encoding",
                   'use e.g. "utf-8", "latin-1" or "cp1252"') from None
    if str(encoding).lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"  # same, but drops a byte-order mark
    na_values = opts.get("na_values", list(NA_VALUES))
    if not isinstance(na_values, list) or not all(isinstance(v, str) for v in na_values):
        raise _err(source, "csv.na_values", na_values, "must be a list of texts", 'e.g. na_values = ["", "NA", "-"]')

    return Mapping(formula=cols["formula"], name=cols["name"], space_group=cols["space_group"],
                   prototype=cols["prototype"], cif=cols["cif"], reference=reference, reference_constants=constants,
                   properties=properties, external_ids=tuple(ext), dataset=dataset, delimiter=delimiter,
                   encoding=encoding, na_values=tuple(na_values), source=source)


# ----------------------------------------------------------------------------------------------- reading rows
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
    path: str | Path | IO[str], *, delimiter: str = ",", encoding: str = "utf-8-sig", source: str | None = None,
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


def _rows(reader: Any, header: list[str], src: str, delimiter: str,
          ) -> Iterator[tuple[int, dict[str, str] | ImportDataError]]:
    width, start = len(header), reader.line_num + 1
    for cells in _cells(reader, src):
        line, start = start, reader.line_num + 1
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        if len(cells) > width:
            yield line, ImportDataError(
                f"row has {len(cells)} cells but the header has {width}", source=src, line=line,
                value=delimiter.join(cells[width:])[:80],
                hint="quote cells that contain the delimiter, or check the delimiter ([csv] delimiter)")
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
            raise ImportDataError(f"cannot read the CSV ({exc})", source=src, line=reader.line_num + 1,
                                  hint="check the encoding ([csv] encoding) and the quoting") from None


def _header(reader: Any, src: str) -> list[str]:
    for cells in _cells(reader, src):
        if any(c.strip() for c in cells):
            return [c.strip() for c in cells]
    raise ImportDataError("the file is empty (no header row)", source=src, line=1,
                          hint="the first line must name the columns")


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


# ----------------------------------------------------------------------------------------------- rows → records
def _check_columns(mapping: Mapping, header: list[str], csv_name: str) -> None:
    missing = [(key, col) for key, col in mapping.columns() if col not in header]
    if not missing:
        return
    key, col = missing[0]
    near = difflib.get_close_matches(col, header, n=1, cutoff=0.4)
    hint = (f"did you mean {near[0]!r}? " if near else "") + f"the header of {csv_name} has: {', '.join(header)}"
    if len(missing) > 1:
        hint += f" (also missing: {', '.join(repr(c) for _, c in missing[1:])})"
    raise MappingError(f"column not found in {csv_name}", source=mapping.source, field=key, value=col, hint=hint)


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
        raise ImportDataError("empty formula", source=src, line=line, field=m.formula, value=row[m.formula],
                              hint="every row needs a formula; remove the row or fill the cell")

    name = cell(m.name)
    prototype = cell(m.prototype)
    sg = cell(m.space_group)
    if isinstance(sg, float):
        if not sg.is_integer() or not 1 <= sg <= 230:
            raise ImportDataError("space group number must be an integer 1-230", source=src, line=line,
                                  field=m.space_group, value=row[m.space_group],
                                  hint="give the number (1-230) or the Hermann-Mauguin symbol")
        sg = int(sg)
    elif sg is not None:
        sg = str(sg)

    structure = None
    if m.cif and (rel := row[m.cif].strip()) and rel not in m.na_values:
        cif_path = base / rel
        try:
            structure = StructureIn(cif=cif_path.read_text(encoding="utf-8-sig", errors="replace"), source=rel)
        except OSError as exc:
            raise ImportDataError(f"cannot read the CIF file ({exc.strerror or exc})", source=src, line=line,
                                  field=m.cif, value=rel,
                                  hint=f"CIF paths are relative to the CSV's folder ({base})") from None

    reference = _reference(m, row, line, src)
    props = tuple(p for pm in m.properties if (p := _prop(pm, row, line, src, m.na_values)) is not None)
    ext = tuple((e.source, as_id(row[e.column])) for e in m.external_ids if cell(e.column) is not None)
    return MaterialIn(formula=formula, name=None if name is None else row[m.name].strip(), structure=structure,
                      space_group=sg, prototype=None if prototype is None else row[m.prototype].strip(),
                      reference=reference,
                      properties=props, external_ids=ext, location=loc)


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
            raise ImportDataError("year is not a number", source=src, line=line,
                                  field=m.reference.get("year", "reference.year"), value=year,
                                  hint="write the year as digits, e.g. 2019") from None
    for key in ("volume", "pages"):
        if key in fields:
            fields[key] = as_id(fields[key])
    return ReferenceIn(**fields) if fields else None


def _prop(pm: PropertyMapping, row: dict[str, str], line: int, src: str, na: tuple[str, ...]) -> PropertyIn | None:
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
                raise ImportDataError("uncertainty is not a non-negative number", source=src, line=line,
                                      field=pm.uncertainty, value=row[pm.uncertainty],
                                      hint="write a plain number in the value's unit, or leave the cell empty")
            uncertainty = raw
    conditions: dict[str, Any] = {}
    for c in pm.conditions:
        v = parse_cell(row[c.column], na) if c.column else c.value
        if v is None:
            continue
        conditions[c.name] = (v, c.unit) if c.unit and not isinstance(v, bool) else v
    return PropertyIn(quantity=pm.quantity, value=value, unit=unit, uncertainty=uncertainty, conditions=conditions,
                      method=pm.method, location=f"{src}:{line}")
