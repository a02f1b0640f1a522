"""Read and write material records as JSON — the shape the store's JSON export writes.

A file holds a list of material objects, or an object ``{"dataset": {...}, "materials": [...]}``::

    [{"formula": "Li7La3Zr2O12", "name": "LLZO", "space_group": 230,
      "reference": {"doi": "10.1002/anie.200701144"},
      "properties": [{"quantity": "ionic_conductivity", "value": 3e-4, "unit": "S/cm",
                      "conditions": {"temperature": {"value": 298.15, "unit": "K"}}, "method": "experiment"}],
      "structure": {"cif": "data_...", "source": "llzo.cif"},
      "external_ids": [{"source": "icsd", "id": "422259"}]}]

The full shape (every field, what is optional, how conditions are written) is in ``docs/mappings.md``.  Errors
name the file, the record index (0-based, as ``[3]``) and the field path, e.g.
``data.json, field '[3].properties[0].quantity', value None: missing``.

>>> from matinfo.core.records import MaterialIn, PropertyIn
>>> m = MaterialIn("GaAs", properties=(PropertyIn("band_gap", 1.42, "eV"),))
>>> material_from_dict(material_to_dict(m)) == m
True
"""

from __future__ import annotations

import dataclasses
import difflib
import gzip
import json
import math
from collections.abc import Iterable, Iterator
from collections.abc import Mapping as AbcMapping
from pathlib import Path
from typing import Any

from matinfo.core.records import DatasetIn, MaterialIn, PropertyIn, ReferenceIn, StructureIn
from matinfo.errors import ImportDataError

__all__ = [
    "material_to_dict",
    "material_from_dict",
    "read_json_records",
    "read_json_dataset",
    "write_json_records",
]

_METHODS = ("experiment", "calculation", "prediction", "literature-extraction")
_MATERIAL_KEYS = (
    "formula",
    "name",
    "variables",
    "space_group",
    "prototype",
    "reference",
    "properties",
    "structure",
    "external_ids",
    "location",
)
_PROPERTY_KEYS = (
    "quantity",
    "value",
    "unit",
    "uncertainty",
    "conditions",
    "method",
    "reference",
    "location",
    "produced_by",
)
_REFERENCE_KEYS = ("doi", "authors", "title", "journal", "year", "volume", "pages", "url")
_DATASET_KEYS = ("name", "description", "license", "citation", "url", "visibility")


# ----------------------------------------------------------------------------------------------- writing
def _reference_to_dict(ref: ReferenceIn | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {k: getattr(ref, k) for k in _REFERENCE_KEYS if getattr(ref, k) is not None}


def _condition_to_json(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 2:
        return {"value": value[0], "unit": value[1]}
    return value


def _number(x: Any) -> Any:
    """NaN/inf are not JSON; write them as the strings ``"nan"``/``"inf"`` (read back as text values)."""
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    return x


def material_to_dict(m: MaterialIn) -> dict[str, Any]:
    """One record as a JSON-ready dict; None/empty fields are left out."""
    out: dict[str, Any] = {"formula": m.formula}
    for key in ("name", "space_group", "prototype", "location"):
        if getattr(m, key) is not None:
            out[key] = getattr(m, key)
    if m.variables:
        out["variables"] = dict(m.variables)
    if m.reference is not None:
        out["reference"] = _reference_to_dict(m.reference)
    if m.properties:
        props = []
        for p in m.properties:
            d: dict[str, Any] = {"quantity": p.quantity, "value": _number(p.value)}
            if p.unit is not None:
                d["unit"] = p.unit
            if p.uncertainty is not None:
                d["uncertainty"] = _number(p.uncertainty)
            if p.conditions:
                d["conditions"] = {k: _condition_to_json(v) for k, v in p.conditions.items()}
            d["method"] = p.method
            for key in ("location", "produced_by"):
                if getattr(p, key) is not None:
                    d[key] = getattr(p, key)
            if p.reference is not None:
                d["reference"] = _reference_to_dict(p.reference)
            props.append(d)
        out["properties"] = props
    if m.structure is not None:
        out["structure"] = {"cif": m.structure.cif}
        if m.structure.source is not None:
            out["structure"]["source"] = m.structure.source
    if m.external_ids:
        out["external_ids"] = [{"source": s, "id": i} for s, i in m.external_ids]
    return out


def write_json_records(
    records: Iterable[MaterialIn],
    path: str | Path,
    *,
    dataset: DatasetIn | None = None,
    indent: int | None = 1,
) -> int:
    """Write records to ``path`` (``.json`` or ``.json.gz``); with ``dataset``, as ``{"dataset", "materials"}``.

    Returns the number of records written.
    """
    materials = [material_to_dict(m) for m in records]
    doc: Any = materials
    if dataset is not None:
        doc = {
            "dataset": {k: getattr(dataset, k) for k in _DATASET_KEYS if getattr(dataset, k) is not None},
            "materials": materials,
        }
    text = json.dumps(doc, indent=indent, ensure_ascii=False, allow_nan=False)
    path = Path(path)
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return len(materials)


# ----------------------------------------------------------------------------------------------- reading
class _Ctx:
    def __init__(self, source: str | None) -> None:
        self.source = source

    def error(self, where: str, value: Any, problem: str, hint: str | None = None) -> ImportDataError:
        return ImportDataError(problem, source=self.source, field=where, value=value, hint=hint)

    def keys(
        self, obj: AbcMapping[str, Any], allowed: tuple[str, ...], where: str, *, strict: bool = False
    ) -> None:
        """Unknown keys of materials and properties are ignored (exports may add IDs), unless they look like a
        misspelt known key; in ``strict`` objects (reference, structure, condition, dataset) they are errors."""
        for key in obj:
            if key in allowed:
                continue
            near = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.5 if strict else 0.75)
            if near:
                raise self.error(f"{where}.{key}", key, "unknown field", f"did you mean {near[0]!r}?")
            if strict:
                raise self.error(f"{where}.{key}", key, "unknown field", f"allowed: {', '.join(allowed)}")

    def obj(self, value: Any, where: str) -> AbcMapping[str, Any]:
        if not isinstance(value, AbcMapping):
            raise self.error(where, _short(value), "must be an object", "write it as {...}")
        return value

    def text(self, obj: AbcMapping[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
        value = obj.get(key)
        if value is None:
            if required:
                raise self.error(f"{where}.{key}", None, "missing", f'add "{key}": "..."')
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.error(
                f"{where}.{key}", _short(value), "must be non-empty text" if required else "must be text"
            )
        return value

    def num(self, obj: AbcMapping[str, Any], key: str, where: str) -> float | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(f"{where}.{key}", _short(value), "must be a number")
        return float(value)


def _short(value: Any) -> Any:
    text = repr(value)
    return value if len(text) <= 80 else text[:77] + "..."


def _reference(ctx: _Ctx, value: Any, where: str) -> ReferenceIn | None:
    if value is None:
        return None
    obj = ctx.obj(value, where)
    ctx.keys(obj, _REFERENCE_KEYS, where, strict=True)
    fields: dict[str, Any] = {}
    for key in _REFERENCE_KEYS:
        v = obj.get(key)
        if v is None:
            continue
        if key == "year":
            if isinstance(v, bool) or not (
                isinstance(v, int) or (isinstance(v, str) and v.strip().isdigit())
            ):
                raise ctx.error(f"{where}.year", _short(v), "must be an integer year", 'e.g. "year": 2019')
            v = int(v)
        elif isinstance(v, (int, float)) and not isinstance(v, bool) and key in ("volume", "pages"):
            v = str(v)
        elif not isinstance(v, str):
            raise ctx.error(f"{where}.{key}", _short(v), "must be text")
        fields[key] = v
    return ReferenceIn(**fields) if fields else None


def _condition(ctx: _Ctx, value: Any, where: str) -> Any:
    if isinstance(value, AbcMapping):
        ctx.keys(value, ("value", "unit"), where, strict=True)
        if "value" not in value:
            raise ctx.error(
                where,
                _short(value),
                "a condition object needs 'value'",
                '"temperature": {"value": 298.15, "unit": "K"}',
            )
        unit = ctx.text(value, "unit", where)
        return (value["value"], unit) if unit else value["value"]
    if isinstance(value, list):
        if len(value) != 2 or not isinstance(value[1], str):
            raise ctx.error(
                where,
                _short(value),
                "a condition list must be [value, unit]",
                'write "temperature": {"value": 298.15, "unit": "K"}',
            )
        return (value[0], value[1])
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ctx.error(where, _short(value), "must be a number, text, bool or {value, unit}")


def _property(ctx: _Ctx, value: Any, where: str) -> PropertyIn:
    obj = ctx.obj(value, where)
    ctx.keys(obj, _PROPERTY_KEYS, where)
    quantity = ctx.text(obj, "quantity", where, required=True)
    if obj.get("value") is None:
        raise ctx.error(f"{where}.value", None, "missing", 'add "value": <number or text as printed>')
    v = obj["value"]
    if not isinstance(v, (bool, int, float, str)):
        raise ctx.error(f"{where}.value", _short(v), "must be a number, text or bool")
    if isinstance(v, int) and not isinstance(v, bool):
        v = float(v)
    conds = obj.get("conditions") or {}
    conds = ctx.obj(conds, f"{where}.conditions")
    method = obj.get("method", "experiment")
    if method not in _METHODS:
        near = difflib.get_close_matches(str(method), _METHODS, n=1, cutoff=0.5)
        raise ctx.error(
            f"{where}.method",
            _short(method),
            "unknown method",
            f"did you mean {near[0]!r}?" if near else f"use one of {', '.join(_METHODS)}",
        )
    return PropertyIn(
        quantity=quantity.strip(),
        value=v,
        unit=ctx.text(obj, "unit", where),
        uncertainty=ctx.num(obj, "uncertainty", where),
        conditions={str(k): _condition(ctx, c, f"{where}.conditions.{k}") for k, c in conds.items()},
        method=method,
        reference=_reference(ctx, obj.get("reference"), f"{where}.reference"),
        location=ctx.text(obj, "location", where),
        produced_by=ctx.text(obj, "produced_by", where),
    )


def _external_ids(ctx: _Ctx, value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if isinstance(value, AbcMapping):
        return tuple((str(k), str(v)) for k, v in value.items() if v is not None)
    if not isinstance(value, list):
        raise ctx.error(
            where, _short(value), "must be a list", '"external_ids": [{"source": "icsd", "id": "1234"}]'
        )
    out = []
    for i, item in enumerate(value):
        w = f"{where}[{i}]"
        if isinstance(item, list) and len(item) == 2:
            out.append((str(item[0]), str(item[1])))
        elif isinstance(item, AbcMapping) and "source" in item and "id" in item:
            out.append((str(item["source"]), str(item["id"])))
        else:
            raise ctx.error(
                w,
                _short(item),
                'must be {"source": ..., "id": ...}',
                '"external_ids": [{"source": "icsd", "id": "1234"}]',
            )
    return tuple(out)


def material_from_dict(obj: Any, *, source: str | None = None, where: str = "record") -> MaterialIn:
    """Build a :class:`MaterialIn` from one JSON object; :class:`ImportDataError` names ``source`` and the field."""
    ctx = _Ctx(source)
    obj = ctx.obj(obj, where)
    ctx.keys(obj, _MATERIAL_KEYS, where)
    formula = ctx.text(obj, "formula", where, required=True)
    sg = obj.get("space_group")
    if isinstance(sg, bool) or not (sg is None or isinstance(sg, (int, str))):
        raise ctx.error(f"{where}.space_group", _short(sg), "must be a number 1-230 or a symbol text")
    if isinstance(sg, int) and not 1 <= sg <= 230:
        raise ctx.error(f"{where}.space_group", sg, "space group numbers run from 1 to 230")
    variables = obj.get("variables")
    if variables is not None:
        variables = ctx.obj(variables, f"{where}.variables")
        for k, v in variables.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ctx.error(f"{where}.variables.{k}", _short(v), "must be a number")
        variables = {str(k): float(v) for k, v in variables.items()}
    props = obj.get("properties") or []
    if not isinstance(props, list):
        raise ctx.error(f"{where}.properties", _short(props), "must be a list of property objects")
    structure = None
    if obj.get("structure") is not None:
        s = ctx.obj(obj["structure"], f"{where}.structure")
        ctx.keys(s, ("cif", "source"), f"{where}.structure", strict=True)
        structure = StructureIn(
            cif=ctx.text(s, "cif", f"{where}.structure", required=True),
            source=ctx.text(s, "source", f"{where}.structure"),
        )
    return MaterialIn(
        formula=formula,
        name=ctx.text(obj, "name", where),
        variables=variables,
        structure=structure,
        space_group=sg,
        prototype=ctx.text(obj, "prototype", where),
        reference=_reference(ctx, obj.get("reference"), f"{where}.reference"),
        properties=tuple(_property(ctx, p, f"{where}.properties[{i}]") for i, p in enumerate(props)),
        external_ids=_external_ids(ctx, obj.get("external_ids"), f"{where}.external_ids"),
        location=ctx.text(obj, "location", where),
    )


def _load(path: str | Path) -> Any:
    path = Path(path)
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8-sig") as fh:
                return json.load(fh)
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise ImportDataError("file not found", source=str(path), hint="check the path") from None
    except json.JSONDecodeError as exc:
        raise ImportDataError(
            f"not valid JSON: {exc.msg}",
            source=path.name,
            line=exc.lineno,
            hint=f"column {exc.colno}; check commas, quotes and brackets",
        ) from None
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise ImportDataError(f"cannot read the file ({exc})", source=path.name) from None


def _materials(doc: Any, name: str) -> list[Any]:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, AbcMapping) and isinstance(doc.get("materials"), list):
        return doc["materials"]
    raise ImportDataError(
        'expected a list of material objects or {"materials": [...]}',
        source=name,
        value=type(doc).__name__,
        hint="see docs/mappings.md, section JSON",
    )


def read_json_records(path: str | Path) -> Iterator[MaterialIn]:
    """Yield one :class:`MaterialIn` per object of a JSON (``.json``/``.json.gz``) file.

    ``location`` of each record is ``"<file>:[<index>]"`` unless the object carries its own ``location``.
    Raises :class:`ImportDataError` naming the file, the record index and the field path.
    """
    name = Path(path).name
    doc = _load(path)
    for i, obj in enumerate(_materials(doc, name)):
        m = material_from_dict(obj, source=name, where=f"[{i}]")
        if m.location is None:
            m = dataclasses.replace(m, location=f"{name}:[{i}]")
        yield m


def read_json_dataset(path: str | Path) -> DatasetIn | None:
    """The ``"dataset"`` object of a ``{"dataset", "materials"}`` file, or None."""
    doc = _load(path)
    if not isinstance(doc, AbcMapping) or doc.get("dataset") is None:
        return None
    ctx = _Ctx(Path(path).name)
    obj = ctx.obj(doc["dataset"], "dataset")
    ctx.keys(obj, _DATASET_KEYS, "dataset", strict=True)
    fields = {k: ctx.text(obj, k, "dataset", required=(k == "name")) for k in _DATASET_KEYS if k in obj}
    return DatasetIn(**{k: v for k, v in fields.items() if v is not None})
