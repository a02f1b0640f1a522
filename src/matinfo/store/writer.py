"""Write input records into the store: one transaction, batched inserts, deduplication, linking.

An import is all or nothing: :func:`write_records` runs inside the caller's transaction and raises on the first
bad record, so nothing is written.  With ``skip_bad=True`` the good records are written and the bad ones come
back in :attr:`ImportReport.rejects` (the CLI writes them to a reject report).  Re-importing the same records
adds nothing: each material carries the hash of its content (``record_key``).
"""

from __future__ import annotations

import functools
import gc
import json
import operator
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from matinfo.core.records import BadRecord, DatasetIn, MaterialIn, PhaseDiagramIn
from matinfo.errors import MatinfoError
from matinfo.store._bulk import BulkWriter
from matinfo.store.linker import Linker
from matinfo.store.lookups import Refs, dataset_id
from matinfo.store.models import (
    ExternalId,
    Material,
    MaterialElement,
    PhaseDiagram,
    Property,
    Structure,
    Substance,
)
from matinfo.store.prepare import Prepared, prepare_material
from matinfo.store.report import ImportReport, Reject

__all__ = ["write_records", "BATCH_SIZE"]

#: Records prepared, linked and inserted together.
BATCH_SIZE = 2000


def _chunks(items: Iterable[Any], n: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch


def _crystal_system_of(sg: int | None) -> str | None:
    from matinfo.io import crystal_system

    return crystal_system(sg) if sg is not None else None


def _keys(p: Prepared):
    """The composition keys of a resolved material (computed by ``prepare_material``), else None."""
    if p.keys is not None or p.parsed.composition is None:
        return p.keys
    from matinfo.core.keys import composition_keys

    return composition_keys(p.parsed.composition)


def _substance_row(p: Prepared, host: str) -> dict[str, Any]:
    keys = _keys(p)
    st = p.structure_row or {}
    fr = p.fractions or {}
    return {
        "chemical_system": host,
        "structure_type_key": p.structure_type.key,
        "space_group_number": p.structure_type.space_group_number,
        "space_group_symbol": st.get("space_group_symbol"),
        "crystal_system": st.get("crystal_system") or _crystal_system_of(p.structure_type.space_group_number),
        "pearson_symbol": st.get("pearson_symbol"),
        "prototype": p.structure_type.prototype,
        "reduced_formula": _display_formula(keys, p.record.formula),
        "anonymous_formula": keys.anonymous_formula if keys is not None else None,
        "nelements": len(host.split("-")),
        "fraction_min": dict(fr),
        "fraction_max": dict(fr),
    }


def _display_formula(keys, printed: str) -> str:
    """The substance's name: the reduced formula (TiO2) when the composition is stoichiometric, else the
    founder's formula as printed (Li0.33La0.56TiO3, not pymatgen's Li0.33La0.56Ti1O3)."""
    if keys is None:
        return printed.strip()
    # pymatgen divides only near-integer amounts (within 1e-8) by an integer, and those stay integers, so this
    # is the test on ``comp.reduced_composition`` without reducing again (~45 µs a founder in a bulk import).
    if all(abs(a - round(a)) < 1e-6 for a in keys.amounts.values()):
        return keys.reduced_formula
    return printed.strip()


def _gc_paused(fn: Callable[..., ImportReport]) -> Callable[..., ImportReport]:
    """Run ``fn`` with the cyclic garbage collector paused (reference counting still frees memory).

    During a bulk import its full collections walk every live object again and again (the caller's records,
    the linker's index): a third of the import time at 40k records, growing with size.  An import makes
    next to no cyclic garbage (same peak memory with the collector off); it is collected when it resumes.
    """

    @functools.wraps(fn)
    def paused(*args: Any, **kwargs: Any) -> ImportReport:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused


@_gc_paused
def write_records(
    session: Session,
    records: Iterable[MaterialIn | PhaseDiagramIn | BadRecord],
    *,
    dataset: DatasetIn | str | None = None,
    skip_bad: bool = False,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    after_batch: Callable[[], None] | None = None,
) -> ImportReport:
    """Prepare, deduplicate, link and insert ``records`` in the current transaction of ``session``."""
    t0 = time.perf_counter()
    ds_name = dataset if isinstance(dataset, str) else (dataset.name if dataset else None)
    report = ImportReport(dataset=ds_name)
    ds_id = dataset_id(session, dataset)
    linker = Linker(session)
    refs = Refs(session)

    custom_plans = _custom_plans_statement(session)
    bulk = BulkWriter(session)
    sub_cols, mat_cols = bulk.columns(Substance), bulk.columns(Material)
    tuning = _SqliteImport(session) if bulk.dialect.name == "sqlite" else None
    try:
        _write_batches(
            session, records, report, tuning, bulk, sub_cols, mat_cols, ds_name, ds_id, linker, refs,
            custom_plans, skip_bad, progress, batch_size, after_batch,
        )  # fmt: skip
    finally:
        if tuning is not None:
            tuning.restore()
    report.seconds = time.perf_counter() - t0
    return report


def _write_batches(
    session, records, report, tuning, bulk, sub_cols, mat_cols, ds_name, ds_id, linker, refs,
    custom_plans, skip_bad, progress, batch_size, after_batch,
) -> None:  # fmt: skip
    next_temp = -1
    for batch in _chunks(records, batch_size):
        if tuning is not None and not tuning.decided:
            # a large import into an empty store, in one transaction: build the search indexes once, at the end
            tuning.decide(defer=len(batch) >= batch_size and after_batch is None)
        if custom_plans is not None:  # per batch: a resumable import commits each batch, ending SET LOCAL
            session.execute(custom_plans)
        report.read += len(batch)
        for bad in (r for r in batch if isinstance(r, BadRecord)):
            if not skip_bad:
                raise bad.error
            report.rejects.append(Reject(bad.location, bad.text, str(bad.error)))
        diagrams = [r for r in batch if isinstance(r, PhaseDiagramIn)]
        mats = [r for r in batch if isinstance(r, MaterialIn)]
        if diagrams:
            report.phase_diagrams += _write_diagrams(session, diagrams, ds_name, ds_id, refs)

        # 1. deduplicate against the database and within the batch (before any parsing: re-imports are cheap)
        keyed = [(rec, rec.content_key(ds_name)) for rec in mats]
        existing: set[str] = set()
        keys = [k for _, k in keyed]
        for i in range(0, len(keys), 500):
            existing.update(
                session.scalars(select(Material.record_key).where(Material.record_key.in_(keys[i : i + 500])))
            )
        todo = []
        for rec, k in keyed:
            if k in existing:
                report.duplicates += 1
            else:
                existing.add(k)
                todo.append((rec, k))

        # 2. prepare (validate + normalise)
        fresh: list[tuple[Prepared, str]] = []
        for rec, k in todo:
            try:
                fresh.append((prepare_material(rec), k))
            except MatinfoError as e:
                if not skip_bad:
                    raise
                report.rejects.append(Reject(rec.location, rec.formula, str(e)))

        # 3. references
        refs.ids(
            [p.record.reference for p, _ in fresh] + [r["_reference"] for p, _ in fresh for r in p.properties]
        )

        # 4. link; new substances get temporary negative ids until inserted
        decisions = []
        new_rows: list[dict[str, Any]] = []
        new_temp: list[int] = []
        linker.prefetch((p.parsed, p.fractions) for p, _ in fresh)  # a few queries per batch, not per record
        for p, _ in fresh:
            d = linker.decide(p.parsed, p.fractions, p.structure_type)
            sid = d.substance_id
            if d.new:
                sid = next_temp
                next_temp -= 1
                linker.register_new(sid, d.host_system, p.structure_type)
                new_rows.append(_substance_row(p, d.host_system))
                new_temp.append(sid)
            linker.add_member(sid, p.parsed, p.fractions)
            decisions.append((sid, d))
        remap: dict[int, int] = {}
        if new_rows:
            for row, sid in zip(
                new_rows, new_temp, strict=True
            ):  # the batch's members are in: no UPDATE later
                row["fraction_min"], row["fraction_max"] = linker.take_range(sid)
            ids = bulk.insert_new(Substance, sub_cols, bulk.tuples(Substance, new_rows, sub_cols))
            remap = dict(zip(new_temp, ids, strict=True))
            linker.remap(remap)
            report.substances += len(ids)

        # 5. materials
        mat_rows = []
        for (p, key), (sid, d) in zip(fresh, decisions, strict=True):
            mat_rows.append(_material_row(p, key, remap.get(sid, sid), d, ds_id, refs))
        if not mat_rows:
            if after_batch is not None:
                after_batch()
            if progress:
                progress(len(batch))
            continue
        mat_ids = bulk.insert_new(Material, mat_cols, bulk.tuples(Material, mat_rows, mat_cols))
        report.materials += len(mat_ids)

        # 6. children
        elems, structs, props, exts = [], [], [], []
        for (p, _), mid, mrow in zip(fresh, mat_ids, mat_rows, strict=True):
            sid = mrow["substance_id"]
            elems += [(mid, el, x) for el, x in (p.fractions or dict.fromkeys(p.parsed.elements)).items()]
            if p.structure_row is not None:
                structs.append(
                    {
                        **p.structure_row,
                        "material_id": mid,
                        "substance_id": sid,
                        "reference_id": mrow["reference_id"],
                    }
                )
            mref = mrow["reference_id"]
            for r in p.properties:  # _PROPERTY_COLS order
                conds = r["conditions"]
                ref = r["_reference"]
                props.append(
                    (mid, sid)
                    + _prop_head(r)
                    + (
                        json.dumps(conds) if conds else "{}",
                        r["temperature_K"],
                        r["method"],
                        (refs.get(ref) if ref is not None else None) or mref,
                        r["location"],
                        r["produced_by"],
                        ds_id,
                    )
                )
            for src, val in p.record.external_ids:
                if val not in (None, ""):
                    exts.append({"material_id": mid, "source": str(src), "value": str(val)})
        bulk.insert(MaterialElement, _ELEMENT_COLS, elems)
        bulk.insert(Property, _PROPERTY_COLS, props)
        for model, rows in ((Structure, structs), (ExternalId, exts)):
            if rows:
                cols = bulk.columns(model)
                bulk.insert(model, cols, bulk.tuples(model, rows, cols))
        if structs:
            _fill_structure_type(session, {r["substance_id"] for r in structs})
        report.structures += len(structs)
        report.properties += len(props)
        ranges = linker.dirty_ranges()
        if ranges:
            session.execute(update(Substance), ranges)
        if after_batch is not None:
            after_batch()
        if progress:
            progress(len(batch))
    if tuning is not None:
        tuning.finish()


#: SQLite page cache (KiB) during an import: the indexes a bulk import updates at random places (record keys,
#: formula keys) outgrow the default 64 MiB at a few hundred thousand materials.
IMPORT_CACHE_KIB = 512 * 1024

#: Indexes that a large import into an empty SQLite store drops and builds again at its end (one sort each,
#: instead of a random insert per row).  Those the import itself reads stay: record keys (deduplication),
#: substances by chemical system (linking), primary keys.
_KEEP_DURING_IMPORT = {"ix_substances_chemical_system", "ix_substances_system_type"}
_DEFERRED_TABLES = (Material, MaterialElement, Property, Substance)


class _SqliteImport:
    """SQLite settings for one import: a larger page cache and, for a large import
    into an empty store in one transaction, secondary indexes built after the rows instead of row by row.

    Dropping and creating indexes are statements of the import's own transaction, so a failed or interrupted
    import rolls them back with the rows: the schema is never left without them.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.raw = session.connection().connection.driver_connection
        cur = self.raw.cursor()
        try:
            self.cache = cur.execute("PRAGMA cache_size").fetchone()[0]
            if self.cache >= 0 or -self.cache < IMPORT_CACHE_KIB:  # >= 0 is in pages: assume smaller
                cur.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        finally:
            cur.close()
        self.decided = False
        self.dropped: list[Any] = []

    def decide(self, *, defer: bool) -> None:
        self.decided = True
        if not defer or self.session.scalar(select(Material.id).limit(1)) is not None:
            return
        conn = self.session.connection()
        for model in _DEFERRED_TABLES:
            for index in sorted(model.__table__.indexes, key=lambda i: i.name):
                if index.name not in _KEEP_DURING_IMPORT:
                    index.drop(conn)
                    self.dropped.append(index)

    def finish(self) -> None:
        conn = self.session.connection()
        while self.dropped:
            self.dropped.pop(0).create(conn)

    def restore(self) -> None:
        cur = self.raw.cursor()
        try:
            cur.execute(f"PRAGMA cache_size = {int(self.cache)}")
        finally:
            cur.close()


def _custom_plans_statement(session: Session):
    """``SET LOCAL plan_cache_mode = force_custom_plan`` on PostgreSQL 12+, else None.

    psycopg prepares a statement once it has run 5 times, and PostgreSQL may then run it with a generic plan.
    The generic plan of the deduplication query (``record_key IN`` 500 parameters) compares every row with
    every key, unhashed: 0.9 s a query at 60k materials instead of 15 ms, so a bulk import slowed down
    quadratically.  Custom plans for the import's own transaction keep each query as fast as when run once.
    """
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql" and (dialect.server_version_info or (0,)) >= (12,):
        return text("SET LOCAL plan_cache_mode = force_custom_plan")
    return None


#: Columns of ``material_elements``, in the order of the writer's tuples.
_ELEMENT_COLS = ("material_id", "element", "fraction")
#: Columns of ``properties`` (all but ``id``), in the order of the writer's tuples.
_PROPERTY_COLS = (
    "material_id",
    "substance_id",
    "quantity",
    "value",
    "value_text",
    "uncertainty",
    "bound",
    "unit",
    "original",
    "conditions",
    "temperature_K",
    "method",
    "reference_id",
    "location",
    "produced_by",
    "dataset_id",
)


#: The property row's values from ``quantity`` to ``original`` (``_PROPERTY_COLS[2:9]``), as a tuple.
_prop_head = operator.itemgetter(
    "quantity", "value", "value_text", "uncertainty", "bound", "unit", "original"
)


def _material_row(p: Prepared, key: str, sid: int, d, ds_id: int | None, refs: Refs) -> dict[str, Any]:
    keys = _keys(p)
    rec = p.record
    return {
        "substance_id": sid,
        "formula": rec.formula.strip(),
        "name": rec.name,
        "reduced_formula": keys.reduced_formula if keys is not None else None,
        "chemical_system": keys.chemical_system if keys is not None else "-".join(sorted(p.parsed.elements)),
        "anonymous_formula": keys.anonymous_formula if keys is not None else None,
        "formula_hash": keys.formula_hash if keys is not None else None,
        "nelements": len(p.parsed.elements),
        "composition": dict(keys.amounts) if keys is not None else None,
        "is_resolved": p.parsed.is_resolved,
        "unresolved_reason": p.parsed.reason,
        "variables": list(p.parsed.variables) or None,
        "space_group_number": p.structure_type.space_group_number,
        "prototype": p.structure_type.prototype,
        "link_reason": d.reason,
        "link_distance": d.distance,
        "dataset_id": ds_id,
        "reference_id": refs.get(rec.reference),
        "record_key": key,
    }


def _write_diagrams(session: Session, diagrams: list[PhaseDiagramIn], ds_name, ds_id, refs: Refs) -> int:
    refs.ids([d.reference for d in diagrams])
    keyed = {d.content_key(ds_name): d for d in diagrams}
    existing = set(
        session.scalars(select(PhaseDiagram.record_key).where(PhaseDiagram.record_key.in_(list(keyed))))
    )
    rows = [
        {
            "chemical_system": "-".join(sorted(d.chemical_system.split("-"))),
            "diagram_type": d.diagram_type,
            "t_min_K": d.t_min_K,
            "t_max_K": d.t_max_K,
            "p_min_GPa": d.p_min_GPa,
            "p_max_GPa": d.p_max_GPa,
            "source": d.source,
            "data": dict(d.data) if d.data is not None else None,
            "reference_id": refs.get(d.reference),
            "dataset_id": ds_id,
            "record_key": k,
        }
        for k, d in keyed.items()
        if k not in existing
    ]
    if rows:
        session.execute(insert(PhaseDiagram), rows)
    return len(rows)


def _fill_structure_type(session: Session, substance_ids: set[int]) -> None:
    """Substances founded without a structure take symbol, Pearson symbol and crystal system from their first."""
    todo = list(
        session.scalars(
            select(Substance.id).where(
                Substance.id.in_(sorted(substance_ids)), Substance.space_group_symbol.is_(None)
            )
        )
    )
    if not todo:
        return
    rows = {}
    for sid, sym, pearson, system in session.execute(
        select(
            Structure.substance_id,
            Structure.space_group_symbol,
            Structure.pearson_symbol,
            Structure.crystal_system,
        )
        .where(Structure.substance_id.in_(todo))
        .order_by(Structure.id)
    ):
        rows.setdefault(
            sid, {"id": sid, "space_group_symbol": sym, "pearson_symbol": pearson, "crystal_system": system}
        )
    session.execute(update(Substance), list(rows.values()))
