"""The TOML column mapping: its dataclasses, :func:`load_mapping` and the validation behind
:meth:`Mapping.from_dict`, which raises :class:`~matinfo.errors.MappingError` naming file, key and value.
"""

from __future__ import annotations

import codecs
import difflib
import tomllib
from collections.abc import Iterable
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matinfo.core.records import DatasetIn
from matinfo.errors import MappingError
from matinfo.io.tabular.csvfile import NA_VALUES

__all__ = [
    "METHODS",
    "REFERENCE_FIELDS",
    "ConditionMapping",
    "ExternalIdMapping",
    "Mapping",
    "PropertyMapping",
    "load_mapping",
]

#: Property methods a mapping may name (see ARCHITECTURE: property record).
METHODS = ("experiment", "calculation", "prediction", "literature-extraction")
#: Reference fields a ``[reference]`` section may map.
REFERENCE_FIELDS = ("doi", "authors", "title", "journal", "year", "volume", "pages", "url")

_MATERIAL_KEYS = ("formula", "name", "space_group", "prototype", "cif")
_PROPERTY_KEYS = ("quantity", "value", "unit", "unit_column", "uncertainty", "method", "conditions")
_TOP_KEYS = ("csv", "dataset", "material", "reference", "property", "external_id")
_DATASET_KEYS = ("name", "description", "license", "citation", "url", "visibility")
_CSV_KEYS = ("delimiter", "encoding", "na_values")


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
        raise MappingError(
            f"cannot read the mapping file ({exc})", source=str(path), hint="save it as UTF-8 text"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(
            f"not valid TOML: {exc}",
            source=str(path),
            hint="see docs/mappings.md for the format; quote column names with spaces",
        ) from None
    return _build_mapping(data, str(path))


def _err(source: str | None, key: str, value: Any, problem: str, hint: str | None = None) -> MappingError:
    return MappingError(problem, source=source, field=key, value=value, hint=hint)


def _closest(word: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    near = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return f"did you mean {near[0]!r}?" if near else f"allowed: {', '.join(choices)}"


def _check_keys(
    table: AbcMapping[str, Any], allowed: tuple[str, ...], where: str, source: str | None
) -> None:
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
            raise _err(
                source,
                f"{where}.{key}",
                None,
                "missing",
                f'add {key} = "<column name>" under [{where.split("[")[0]}]',
            )
        return None
    if not isinstance(value, str) or not value.strip():
        raise _err(
            source,
            f"{where}.{key}",
            value,
            "must be a column name (non-empty text)",
            f'write {key} = "<column name as in the CSV header>"',
        )
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
        raise _err(
            source,
            key,
            spec,
            "must be a constant or a table",
            f'write {name} = {{ value = 298.15, unit = "K" }} or {name} = {{ column = "T (K)", unit = "K" }}',
        )
    _check_keys(spec, ("value", "column", "unit"), key, source)
    if ("value" in spec) == ("column" in spec):
        raise _err(
            source,
            key,
            dict(spec),
            "needs exactly one of 'value' (a constant) or 'column'",
            f'write {name} = {{ value = 298.15, unit = "K" }} or {name} = {{ column = "T (K)", unit = "K" }}',
        )
    column = _column(spec, "column", key, source) if "column" in spec else None
    unit = _text(spec, "unit", key, source)
    return ConditionMapping(name, column=column, value=spec.get("value"), unit=unit)


def _property(block: AbcMapping[str, Any], index: int, source: str | None) -> PropertyMapping:
    where = f"property[{index}]"
    _check_keys(block, _PROPERTY_KEYS, where, source)
    quantity = block.get("quantity")
    if not isinstance(quantity, str) or not quantity.strip():
        raise _err(
            source,
            f"{where}.quantity",
            quantity,
            "missing or not text",
            'name the quantity, e.g. quantity = "ionic_conductivity"',
        )
    value = _column(block, "value", where, source, required=True)
    unit = _text(block, "unit", where, source)
    unit_column = _column(block, "unit_column", where, source)
    if unit is not None and unit_column is not None:
        raise _err(
            source,
            f"{where}.unit_column",
            unit_column,
            "give either 'unit' or 'unit_column', not both",
            "use unit for one fixed unit, unit_column when each row names its unit",
        )
    method = block.get("method", "experiment")
    if method not in METHODS:
        raise _err(source, f"{where}.method", method, "unknown method", _closest(str(method), METHODS))
    conds = block.get("conditions", {})
    if not isinstance(conds, AbcMapping):
        raise _err(
            source,
            f"{where}.conditions",
            conds,
            "must be a table",
            f"write a [{where.split('[')[0]}.conditions] section after the [[property]] block",
        )
    conditions = tuple(_condition(name, spec, where, source) for name, spec in conds.items())
    return PropertyMapping(
        quantity.strip(),
        value,
        unit,
        unit_column,
        _column(block, "uncertainty", where, source),
        method,
        conditions,
        where,
    )


def _build_mapping(data: AbcMapping[str, Any], source: str | None) -> Mapping:
    _check_keys(data, _TOP_KEYS, "", source)
    material = _table(data, "material", source)
    _check_keys(material, _MATERIAL_KEYS, "material", source)
    if "formula" not in material:
        raise _err(
            source,
            "material.formula",
            None,
            "missing: every mapping needs the formula column",
            'add [material] with formula = "<column with the formula>"',
        )
    cols = {k: _column(material, k, "material", source, required=(k == "formula")) for k in _MATERIAL_KEYS}

    ref_table = _table(data, "reference", source)
    _check_keys(ref_table, REFERENCE_FIELDS, "reference", source)
    reference: dict[str, str] = {}
    constants: dict[str, Any] = {}
    for key, spec in ref_table.items():
        if isinstance(spec, AbcMapping):
            _check_keys(spec, ("value",), f"reference.{key}", source)
            if "value" not in spec:
                raise _err(
                    source,
                    f"reference.{key}",
                    dict(spec),
                    "a table here needs 'value'",
                    f'write {key} = {{ value = "..." }} for a constant, or {key} = "<column>"',
                )
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
            raise _err(
                source,
                f"{where}.source",
                src,
                "missing or not text",
                'name the ID source, e.g. source = "icsd"',
            )
        ext.append(
            ExternalIdMapping(src.strip(), _column(block, "column", where, source, required=True), where)
        )

    dataset = None
    if "dataset" in data:
        ds = _table(data, "dataset", source)
        _check_keys(ds, _DATASET_KEYS, "dataset", source)
        if not isinstance(ds.get("name"), str) or not ds["name"].strip():
            raise _err(
                source,
                "dataset.name",
                ds.get("name"),
                "missing or not text",
                'give the data set a name: [dataset] name = "my-data"',
            )
        for k in _DATASET_KEYS:
            _text(ds, k, "dataset", source)
        dataset = DatasetIn(**{k: ds[k] for k in _DATASET_KEYS if k in ds})

    opts = _table(data, "csv", source)
    _check_keys(opts, _CSV_KEYS, "csv", source)
    delimiter = opts.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise _err(
            source, "csv.delimiter", delimiter, "must be one character", 'e.g. delimiter = ";" or "\\t"'
        )
    encoding = opts.get("encoding", "utf-8-sig")
    try:
        codecs.lookup(str(encoding))
    except LookupError:
        raise _err(
            source,
            "csv.encoding",
            encoding,
            "unknown text encoding",
            'use e.g. "utf-8", "latin-1" or "cp1252"',
        ) from None
    if str(encoding).lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"  # same, but drops a byte-order mark
    na_values = opts.get("na_values", list(NA_VALUES))
    if not isinstance(na_values, list) or not all(isinstance(v, str) for v in na_values):
        raise _err(
            source, "csv.na_values", na_values, "must be a list of texts", 'e.g. na_values = ["", "NA", "-"]'
        )

    return Mapping(
        formula=cols["formula"],
        name=cols["name"],
        space_group=cols["space_group"],
        prototype=cols["prototype"],
        cif=cols["cif"],
        reference=reference,
        reference_constants=constants,
        properties=properties,
        external_ids=tuple(ext),
        dataset=dataset,
        delimiter=delimiter,
        encoding=encoding,
        na_values=tuple(na_values),
        source=source,
    )
