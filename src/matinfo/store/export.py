"""Export materials: CSV (one row per property record), JSON (re-importable records), CIF files, and an
ML-ready table (one row per material: composition, structure info, properties as columns with units in names).

Every file is written to a temporary name and renamed when complete, so an interrupted export leaves
nothing half-written.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select

from matinfo._files import atomic_open
from matinfo.store import models as m

__all__ = ["export", "iter_material_dicts", "ml_table"]


def _material_ids(db, query) -> list[int]:
    from matinfo.store.search import _material_clauses

    with db.session() as s:
        stmt = select(m.Material.id).order_by(m.Material.id)
        if query is not None:
            stmt = stmt.where(*_material_clauses(query))
        return list(s.scalars(stmt))


def _value_for_json(p: m.Property) -> Any:
    """The value as a record would give it: a number, a bound string (``<1e-08``) or a bool."""
    if p.value_text in ("true", "false"):
        return p.value_text == "true"
    if p.value_text is not None:
        return p.value_text
    if p.bound and p.value is not None:
        return f"{p.bound}{p.value!r}"
    return p.value


def iter_material_dicts(db, query=None, *, chunk: int = 500) -> Iterator[dict[str, Any]]:
    """Materials as JSON-ready dicts in the shape :func:`matinfo.io.jsonio.read_json_records` reads."""
    ids = _material_ids(db, query)
    for i in range(0, len(ids), chunk):
        part = ids[i : i + chunk]
        with db.session() as s:
            mats = list(s.scalars(select(m.Material).where(m.Material.id.in_(part)).order_by(m.Material.id)))
            ds = dict(s.execute(select(m.Dataset.id, m.Dataset.name)).all())
            props, structs, exts = defaultdict(list), {}, defaultdict(list)
            for p in s.scalars(
                select(m.Property).where(m.Property.material_id.in_(part)).order_by(m.Property.id)
            ):
                props[p.material_id].append(p)
            ref_ids = {x.reference_id for x in mats} | {p.reference_id for ps in props.values() for p in ps}
            ref_ids.discard(None)
            refs = {
                r.id: r for r in s.scalars(select(m.Reference).where(m.Reference.id.in_(sorted(ref_ids))))
            }
            for st in s.scalars(
                select(m.Structure).where(m.Structure.material_id.in_(part)).order_by(m.Structure.id)
            ):
                structs.setdefault(st.material_id, st)
            for e in s.scalars(select(m.ExternalId).where(m.ExternalId.material_id.in_(part))):
                exts[e.material_id].append([e.source, e.value])
            for x in mats:
                ref = refs.get(x.reference_id)
                st = structs.get(x.id)
                yield {
                    "material_id": x.id,
                    "formula": x.formula,
                    "name": x.name,
                    "substance_id": x.substance_id,
                    "dataset": ds.get(x.dataset_id),
                    "space_group": x.space_group_number,
                    "prototype": x.prototype,
                    "reference": _ref_dict(ref),
                    "composition": dict(x.composition) if x.composition else None,
                    "structure": {
                        "cif": st.cif,
                        "source": st.source,
                        "volume_A3": st.volume_A3,
                        "density_g_cm3": st.density_g_cm3,
                        "n_sites": st.n_sites,
                        "pearson_symbol": st.pearson_symbol,
                    }
                    if st is not None
                    else None,
                    "external_ids": exts.get(x.id, []),
                    "properties": [
                        {
                            "quantity": p.quantity,
                            "value": _value_for_json(p),
                            "unit": p.unit,
                            "uncertainty": p.uncertainty,
                            "conditions": dict(p.conditions or {}),
                            "method": p.method,
                            "location": p.location,
                            "produced_by": p.produced_by,
                            "reference": _ref_dict(refs.get(p.reference_id))
                            if p.reference_id != x.reference_id
                            else None,
                        }
                        for p in props.get(x.id, [])
                    ],
                }


def _ref_dict(ref: m.Reference | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {
        "doi": ref.doi,
        "authors": ref.authors,
        "title": ref.title,
        "journal": ref.journal,
        "year": ref.year,
    }


def ml_table(db, query=None, *, with_cif: bool = False):
    """One row per material: composition (element fractions), structure info, properties as columns.

    Property columns are named ``<quantity> [<unit>]``; a material with several records of one quantity
    gets their median (the count is in ``<quantity> n``); a material with only censored values of a quantity
    (``<1e-10``) gets the bound as a string, so that a model reading the table must decide what to do with it.  ``with_cif=True`` adds a ``cif`` column (the CIF
    text, or None) for structure featurizers.  Returns a pandas DataFrame.
    """
    import numpy as np
    import pandas as pd

    rows = []
    for d in iter_material_dicts(db, query):
        row: dict[str, Any] = {
            "material_id": d["material_id"],
            "substance_id": d["substance_id"],
            "formula": d["formula"],
            "dataset": d["dataset"],
            "space_group": d["space_group"],
        }
        vals: dict[str, list[float]] = defaultdict(list)
        bounds: dict[str, list[str]] = defaultdict(list)
        for p in d["properties"]:
            v = p["value"]
            col = f"{p['quantity']} [{p['unit']}]" if p["unit"] else p["quantity"]
            if isinstance(v, bool):
                v = float(v)
            if isinstance(v, int | float):
                vals[col].append(float(v))
            elif isinstance(v, str) and v[:1] in "<>":
                bounds[col].append(v)
        for col, vs in vals.items():
            row[col] = float(np.median(vs))
            row[f"{col.split(' [')[0]} n"] = len(vs)
        for col, bs in bounds.items():
            if col not in vals:  # only censored values: keep the bound so models handle it explicitly
                row[col] = bs[0]
                row[f"{col.split(' [')[0]} n"] = len(bs)
        comp = d["composition"] or {}
        total = sum(comp.values())
        row.update({f"x_{el}": a / total for el, a in comp.items()} if total else {})
        st = d["structure"] or {}
        row.update(
            {
                "volume [A^3]": st.get("volume_A3"),
                "density [g/cm^3]": st.get("density_g_cm3"),
                "n_sites": st.get("n_sites"),
                "pearson_symbol": st.get("pearson_symbol"),
            }
        )
        if with_cif:
            row["cif"] = st.get("cif")
        rows.append(row)
    df = pd.DataFrame(rows)
    xcols = [c for c in df.columns if c.startswith("x_")]
    df[xcols] = df[xcols].fillna(0.0)
    return df


def export(db, out: str | Path, *, fmt: str = "csv", query=None) -> int:
    """Write ``fmt`` (csv, json, cif, ml) to ``out``; returns the number of records written."""
    out = Path(out)
    if fmt == "json":
        n = 0
        with atomic_open(out, newline="") as fh:
            fh.write("[\n")
            for d in iter_material_dicts(db, query):
                fh.write((",\n" if n else "") + json.dumps(d, default=str))
                n += 1
            fh.write("\n]\n")
        return n
    if fmt == "csv":
        n = 0
        with atomic_open(out, newline="") as fh:
            w = csv.writer(fh)
            w.writerow(
                [
                    "material_id",
                    "substance_id",
                    "formula",
                    "dataset",
                    "quantity",
                    "value",
                    "bound",
                    "uncertainty",
                    "unit",
                    "conditions",
                    "method",
                    "doi",
                ]
            )
            for d in iter_material_dicts(db, query):
                doi = (d["reference"] or {}).get("doi")
                for p in d["properties"]:
                    v = p["value"]
                    bound = ""
                    if isinstance(v, str) and v[:1] in "<>~":
                        bound = v[:2] if v[1:2] == "=" else v[:1]
                        v = v[len(bound) :]
                    w.writerow(
                        [
                            d["material_id"],
                            d["substance_id"],
                            d["formula"],
                            d["dataset"] or "",
                            p["quantity"],
                            v,
                            bound,
                            p["uncertainty"] if p["uncertainty"] is not None else "",
                            p["unit"] or "",
                            json.dumps(p["conditions"]),
                            p["method"],
                            ((p["reference"] or {}).get("doi")) or doi or "",
                        ]
                    )
                    n += 1
        return n
    if fmt == "cif":
        out.mkdir(parents=True, exist_ok=True)
        n = 0
        for d in iter_material_dicts(db, query):
            if d["structure"]:
                safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in d["formula"])[:60]
                with atomic_open(out / f"S{d['substance_id']}_{n:05d}_{safe}.cif", newline="") as fh:
                    fh.write(d["structure"]["cif"])
                n += 1
        return n
    if fmt == "ml":
        df = ml_table(db, query)
        with atomic_open(out, newline="") as fh:
            df.to_csv(fh, index=False)
        return len(df)
    raise ValueError(f"unknown export format {fmt!r}; use csv, json, cif or ml")
