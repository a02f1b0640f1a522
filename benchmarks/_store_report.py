"""Reporting half of ``store_scale.py``: machine and version facts, the Markdown tables, the docs section."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _report  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TARGET_IMPORT_SQLITE = 5000.0  # records/s
TARGET_SEARCH_P95_MS = 50.0
TARGET_SUBSTANCE_P95_MS = 100.0


machine = _report.machine


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("matinfo", "sqlalchemy", "psycopg", "pymatgen", "pandas", "numpy", "crabnet"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "-"
    out["sqlite3 (library)"] = sqlite3.sqlite_version
    return out


def _python() -> str:
    """The interpreter as typed from the repository root (``.venv/bin/python3``), else ``python``."""
    exe = Path(sys.executable)
    try:
        return str(exe.relative_to(REPO)) if exe.is_relative_to(REPO) else "python"
    except ValueError:
        return "python"


def _fmt(x: float | None, nd: int = 1) -> str:
    return "–" if x is None else f"{x:,.{nd}f}"


def _ok(value: float | None, target: float, higher: bool = False) -> str:
    if value is None:
        return "–"
    if higher:
        return f"✅ (≥ {target:,.0f})" if value >= target else f"❌ {value / target:.0%} of ≥ {target:,.0f}"
    return f"✅ (≤ {target:,.0f})" if value <= target else f"❌ {value / target:.1f}× the ≤ {target:,.0f}"


def markdown(result: dict[str, Any]) -> str:
    m, v = result["machine"], result["versions"]
    lines = [
        "## Store at scale (`benchmarks/store_scale.py`)",
        "",
        f"Import of crabnet's OQMD compositions ({result['data']['compositions']:,} compositions, "
        f"{result['data']['property_values']:,} property values from {len(result['data']['files'])} files) "
        "through `Database.write`, then ten typical combined searches and whole-substance retrieval.",
        "",
        f"* Command: `{result['command']}`",
        f"* Date: {result['date']}",
        f"* Machine: {m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, {m['os']}, "
        f"Python {m['python']}",
        "* Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        "* Servers: " + ", ".join(b.get("server", b["backend"]) for b in result["backends"]),
        "* Data: `crabnet/data/benchmark_data/OQMD_*/{train,val,test}.csv` joined by formula; quantities "
        "formation_energy_per_atom, energy_per_atom, volume_per_atom, band_gap"
        + (
            f" ({', '.join(result['registered'])} registered by the script: not in the core registry)"
            if result["registered"]
            else ""
        ),
        f"* Searches: `Database.search(Query(...))` (default page of 100 substances + counts), "
        f"{result['repeats']} timed runs each after 3 warm-up runs; "
        "substances: `Database.get_substance(id)` on "
        f"{result['n_substances']} random ids (seed {result['seed']})",
    ]
    if result.get("optimade_note"):
        lines.append(
            f"* OPTIMADE searches left out: the filter translator does not import ({result['optimade_note']})"
        )
    lines += [
        "",
        "### Import",
        "",
        "| backend | records | wall s | records/s | target | client CPU s | load avg (1 min, start/end) | "
        "materials | substances | properties | DB size MB |",
        "|---|---:|---:|---:|---|---:|---|---:|---:|---:|---:|",
    ]
    for b in result["backends"]:
        i = b["import"]
        target = (
            _ok(i["records_per_s"], TARGET_IMPORT_SQLITE, higher=True) if b["backend"] == "sqlite" else "–"
        )
        lines.append(
            f"| {b['backend']} | {i['records']:,} | {i['seconds']:,.1f} | **{i['records_per_s']:,.0f}** | "
            f"{target} | {i['client_cpu_s']:,.1f} | {i['load_avg_1min'][0]} / {i['load_avg_1min'][1]} | "
            f"{i['materials']:,} | "
            f"{i['substances']:,} | {i['properties']:,} | {i['db_size_mb']:,} |"
        )
    for p in result.get("peers", []):
        lines.append(
            f"| *peer: pandas `to_sql` → {p['backend']}* | {p['records']:,} | {p['seconds']:,.1f} | "
            f"*{p['records_per_s']:,.0f}* | lower bound: 2 plain tables, no parsing/linking/indexes | "
            f"– | – | {p['records']:,} | – | {p['property_rows']:,} | – |"
        )
    names = [s["name"] for s in result["backends"][0]["searches"]] if result["backends"] else []
    lines += [
        "",
        f"### Searches (ms; target p95 ≤ {TARGET_SEARCH_P95_MS:.0f} ms)",
        "",
        "Plan: the one `store.search.plan_search` chose (one entry when both backends chose the same): "
        "*walk* (substances in ID order until the page is full), *walk-nelements* (the index `materials "
        "(nelements, substance_id)` in that order), *driver* (the materials of the most selective "
        "indexed criterion, each tested, then sorted); a walk that falls short hands over to the driver.",
        "",
    ]
    head = "| # | search |" + "".join(
        f" {b['backend']} p50 | {b['backend']} p95 | hits |" for b in result["backends"]
    )
    lines += [head + " plan |", "|---|---|" + "---:|---:|---:|" * len(result["backends"]) + "---|"]
    for k, name in enumerate(names):
        row = f"| {k + 1} | {name.replace('|', '/')} |"
        for b in result["backends"]:
            s = b["searches"][k]
            if s["error"]:
                row += f" error | {s['error'][:60].replace('|', '/')} | – |"
            else:
                flag = "" if s["p95_ms"] is None or s["p95_ms"] <= TARGET_SEARCH_P95_MS else " ❌"
                row += f" {_fmt(s['p50_ms'])} | {_fmt(s['p95_ms'])}{flag} | {s['hits']} |"
        plans = list(dict.fromkeys(b["searches"][k].get("plan") or "–" for b in result["backends"]))
        lines.append(row + f" {' / '.join(plans).replace('|', '/')} |")
    lines += [
        "",
        f"### Whole-substance retrieval (ms; target ≤ {TARGET_SUBSTANCE_P95_MS:.0f} ms)",
        "",
        "| backend | ids | p50 | p95 | max | target | note |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for b in result["backends"]:
        s = b["substance"]
        lines.append(
            f"| {b['backend']} | {s['n']} | {_fmt(s['p50_ms'])} | {_fmt(s['p95_ms'])} | "
            f"{_fmt(s['max_ms'])} | {_ok(s['p95_ms'], TARGET_SUBSTANCE_P95_MS)} | {s['note']} |"
        )
    return "\n".join(lines) + "\n"


def write_section(path: Path, text: str) -> None:
    """Replace (or append) the store_scale section of ``path``."""
    _report.write_section("store_scale", text, path)


# -- main ---------------------------------------------------------------------------------------------------
