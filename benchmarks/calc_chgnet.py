"""CHGNet relaxations per minute over the 288 AFLOW prototypes, through the job queue, on 2 cores.

Input: the 288 CIFs of ``../shared/data/crystal_structures/aflow_prototypes_part1`` (elements, binaries,
ternaries; 1 to 105 sites).  Each becomes a ``relax`` job (CHGNet 0.3.0, FIRE, ``fmax`` 0.05 eV/Å, cell relaxed,
at most ``--steps`` steps) in a fresh SQLite store; ``work(parallel=2)`` runs them with one thread per
calculation (``cores = 1``), each through a warm worker process (torch and the model load once per worker).
Structures the checks refuse (overlapping atoms, partial occupancy, elements beyond Pu) are counted, not run.

Reported: relaxations per minute over the whole run (queue, checks, publishing into the store included), the
median and 90th percentile of one relaxation's wall time, steps, the share that converged within the step limit,
and the split by cell size.

    .venv/bin/python benchmarks/calc_chgnet.py                    # all 288 (tens of minutes on 2 cores)
    .venv/bin/python benchmarks/calc_chgnet.py --limit 20         # a quick look
    .venv/bin/python benchmarks/calc_chgnet.py --save             # ... and write docs/benchmarks.md's section
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _report import machine, versions, write_section  # noqa: E402

NAME = "calc_chgnet"
DATA = HERE.parent.parent / "shared" / "data" / "crystal_structures"


def _targets(limit: int | None):
    from matinfo.calc.structures import read_cells
    from matinfo.errors import MatinfoError

    index = list(csv.DictReader((DATA / "aflow_prototypes_part1_index.csv").open()))
    if limit:
        index = index[:limit]
    targets, refused = [], []
    for row in index:
        path = DATA / "aflow_prototypes_part1" / row["file"]
        try:
            [(name, cell)] = read_cells([path])
        except (MatinfoError, ValueError) as e:
            refused.append((row["file"], str(e)))
            continue
        targets.append((row["aflow_label"], cell, None))
    return targets, refused


def run(limit: int | None, steps: int, parallel: int, fmax: float) -> dict:
    import os

    from matinfo.calc import CalcConfig, JobQueue, submit, work
    from matinfo.calc.config import parse_config
    from matinfo.calc.engines import check_spec, make_spec
    from matinfo.errors import MatinfoError
    from matinfo.store import connect

    load_start = os.getloadavg()[0]
    targets, refused = _targets(limit)
    params = {"steps": steps, "fmax": fmax}
    ok = []
    for label, cell, sid in targets:
        try:
            check_spec(make_spec("chgnet", "relax", cell, params, label=label), CalcConfig())
            ok.append((label, cell, sid))
        except MatinfoError as e:
            refused.append((label, str(e)))
    with tempfile.TemporaryDirectory(prefix="calc-bench-") as tmp:
        config = parse_config({"runner": {"workdir": f"{tmp}/work", "cores": 1, "poll": 0.05, "lease": 600}})
        db = connect(f"sqlite:///{tmp}/bench.db")
        t0 = time.perf_counter()
        submit(db, ok, engine="chgnet", task="relax", parameters=params, config=config)
        done = [0]

        def progress(outcome, job):
            if outcome != "start":
                done[0] += 1
                print(f"\r{done[0]}/{len(ok)} {job.formula[:24]:<24}", end="", file=sys.stderr, flush=True)

        report = work(db, config=config, parallel=parallel, on_event=progress)
        wall = time.perf_counter() - t0
        print(file=sys.stderr)
        jobs = JobQueue(db).jobs()
    results = [(j, j.result) for j in jobs if j.state == "done"]
    times = sorted(r.provenance["wall_s"] for _, r in results)
    small = [r.provenance["wall_s"] for j, r in results if j.cell.n_atoms <= 8]
    large = [r.provenance["wall_s"] for j, r in results if j.cell.n_atoms > 8]
    q90 = times[int(0.9 * (len(times) - 1))] if times else None
    return {
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "load_start": load_start,
        "versions": versions("matinfo", "chgnet", "torch", "ase"),
        "settings": {"steps": steps, "fmax": fmax, "parallel": parallel, "cores_per_calc": 1},
        "prototypes": len(targets) + len([r for r in refused if r[0].endswith(".cif")]),
        "refused": refused,
        "relaxed": len(results),
        "failed": [(j.label, (j.error or "")[:200]) for j in jobs if j.state == "failed"],
        "wall_s": round(wall, 1),
        "per_minute": round(60 * len(results) / wall, 2) if wall else None,
        "median_s": round(statistics.median(times), 2) if times else None,
        "p90_s": round(q90, 2) if q90 is not None else None,
        "median_s_small": round(statistics.median(small), 2) if small else None,
        "median_s_large": round(statistics.median(large), 2) if large else None,
        "n_small": len(small),
        "n_large": len(large),
        "median_steps": statistics.median([r.n_steps for _, r in results]) if results else None,
        "converged_share": round(sum(r.converged for _, r in results) / len(results), 3) if results else None,
        "report": report.to_dict() | {"done": len(report.done)},
    }


def markdown(res: dict) -> str:
    m = res["machine"]
    s = res["settings"]
    lines = [
        "## CHGNet relaxations through the job queue (AFLOW prototypes)",
        "",
        f"`.venv/bin/python benchmarks/calc_chgnet.py --save` — {res['date']}, {m['nproc']} cores ({m['cpu']}), "
        f"load {res['load_start']:.1f} at the start and {m['load1']:.1f} at the end; chgnet {res['versions']['chgnet']}, "
        f"torch {res['versions']['torch']}.",
        "",
        f"{res['prototypes']} prototypes; {len(res['refused'])} refused by the checks before running; "
        f"{res['relaxed']} relaxed (FIRE, fmax {s['fmax']} eV/Å, cell relaxed, at most {s['steps']} steps), "
        f"{len(res['failed'])} failed; {s['parallel']} calculations at a time, 1 core each.",
        "",
        "| relaxations / min | run wall (s) | median / p90 per relaxation (s) | ≤ 8 atoms | > 8 atoms "
        "| median steps | converged |",
        "|---|---|---|---|---|---|---|",
        f"| **{res['per_minute']}** | {res['wall_s']} | {res['median_s']} / {res['p90_s']} "
        f"| {res['median_s_small']} s (n={res['n_small']}) | {res['median_s_large']} s (n={res['n_large']}) "
        f"| {res['median_steps']} | {100 * (res['converged_share'] or 0):.0f} % |",
    ]
    if res["refused"]:
        lines += [
            "",
            "Refused: " + "; ".join(why.split(" — ")[0][:100] for _, why in res["refused"][:8]),
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="only the first N prototypes")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--fmax", type=float, default=0.05)
    ap.add_argument("--parallel", type=int, default=2)
    ap.add_argument("--save", action="store_true", help="write the section of docs/benchmarks.md")
    ap.add_argument("--json", type=Path, default=None, help="also write the raw numbers here")
    args = ap.parse_args(argv)
    res = run(args.limit, args.steps, args.parallel, args.fmax)
    text = markdown(res)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, default=str))
    if args.save:
        print(f"wrote {write_section(NAME, text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
