"""Screening speed: 80,282 candidates x 3 models on 2 cores; 10.8 million candidates, throughput and peak memory.

Models: the seed's three types — LightGBM (LSBoost), SVR (SVM), Gaussian process (GPR) — of log10 total thermal
conductivity from composition (Magpie statistics, stoichiometry, valence orbitals) and temperature, trained on the
shipped sysTEm data by ``matinfo.learn.fit_model`` (the ``matinfo model fit`` pipeline) and saved.  Sizes are
screening sizes, stated in the report: LightGBM 300 trees and SVR on all 7,777 rows, the GP on 1,000 of them (an
exact GP costs O(n³) to fit and O(n) per prediction).  All three share one featurizer, so each chunk is featurized
once; SVR and GP are predicted through ``matinfo.screen._fastkernel`` (scikit-learn's own ``predict`` is timed
too, for comparison).

1. **80,282 candidates** (the seed's count): the first 80,282 distinct compositions of crabnet's unlabelled pool, at
   300 K.  Timed: ``screen()`` + ``overlap()`` + ``hits()`` (featurize + predict + top lists + overlaps + hit list),
   in this process (one core), on 2 threads of this process (``executor="threads"``) and on a warm local Dask
   cluster of 2 single-threaded workers (``matinfo._dask.local_cluster``; cluster start-up reported separately);
   best of ``--repeats``.  BLAS runs single-threaded everywhere.
2. **10.8 million candidates**: ``GridSpace("Bi-Sb-Te-Se", divisions=400)`` (10,827,401 compositions) at 300 K,
   local and on a fresh 2-worker Dask cluster, each in a fresh process; candidates/s and peak resident memory
   (``VmHWM`` of the process, and of each Dask worker), next to the same run on 1 million candidates, to show
   that memory does not grow with the space.

    .venv/bin/python benchmarks/screen_speed.py                 # ~15 min on 2 cores
    .venv/bin/python benchmarks/screen_speed.py --large 1000000 --out -     # quick look, nothing written
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"  # one core per process: set before numpy is imported

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _report import REPO, machine, versions, write_section  # noqa: E402

NAME = "screen_speed"
TARGET = "Total Thermal Conductivity (W/mK)"
TEMPERATURE = "Temperature (K)"
T300 = {TEMPERATURE: 300.0}
N_SEED = 80_282
TARGET_SECONDS = 5.0
#: name → (zoo model, parameters, training rows (None: all), uncertainty)
MODELS = {
    "lgbm": ("lgbm", {"n_estimators": 300}, None, "none"),
    "svm": ("svm", {}, None, "none"),
    "gp": ("gp", {"n_restarts_optimizer": 0}, 1000, "none"),
}
GRID = ("Bi", "Sb", "Te", "Se")


def system_table():
    """sysTEm rows with a composition, a temperature and a total thermal conductivity (7,777 rows)."""
    from importlib.resources import files

    import pandas as pd

    with (files("matinfo.data") / "thermoelectrics" / "sysTEm_dataset.csv.gz").open("rb") as fh:
        df = pd.read_csv(fh, compression="gzip")
    df = df[df["Type of Formula"] == "Stoichiometric Formula"].dropna(subset=[TARGET])
    return df.rename(columns={"Pymatgen Composition": "formula"}).reset_index(drop=True)


def train(folder: Path) -> dict[str, dict]:
    """Fit and save the three models; returns what the report says about each."""
    from matinfo.learn import fit_model

    data = system_table()
    info = {}
    for name, (model, params, rows, unc) in MODELS.items():
        table = data if rows is None else data.sample(rows, random_state=0).reset_index(drop=True)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = fit_model(
                table,
                TARGET,
                composition_col="formula",
                numeric_columns={"measurement": [TEMPERATURE]},
                model=model,
                model_params=params,
                group_col="Source Paper",
                cv=3,
                log_target=True,
                uncertainty=unc,
            )
        res.save(folder / name)
        last = res.pipeline[-1][-1] if hasattr(res.pipeline[-1], "steps") else res.pipeline[-1]
        size = f"{len(last.support_):,} support vectors" if hasattr(last, "support_") else ""
        size = size or (f"{len(last.X_train_):,} training rows" if hasattr(last, "X_train_") else "")
        size = size or f"{params.get('n_estimators')} trees"
        info[name] = {
            "rows": len(table),
            "size": size,
            "mae": res.card.metrics["cv_mean"]["mae"],
            "fit_s": time.perf_counter() - t0,
        }
        print(f"trained {name}: {info[name]}", flush=True)
    return info


def pool(n: int):
    import pandas as pd

    from matinfo.screen import crabnet_unlabelled

    rows = pd.concat(crabnet_unlabelled().chunks(100_000)).reset_index(drop=True)
    if len(rows) < n:
        raise SystemExit(f"crabnet's pool has {len(rows)} distinct compositions, fewer than {n}")
    return rows.iloc[:n]


def profile(models, table) -> dict[str, float]:
    """Seconds of each step on all candidates in this process: featurize once, predict per model (fast path
    and scikit-learn's own predict)."""
    from matinfo.screen._chunk import _groups, _split

    out: dict[str, float] = {}
    (group,) = _groups(models)
    inputs = table.assign(**T300)[group.inputs]
    t0 = time.perf_counter()
    X = group.features.transform(inputs)
    out["featurize"] = time.perf_counter() - t0
    from matinfo.screen._fastkernel import fast_predict

    for m in models:
        _, last = _split(m.pipeline)
        t0 = time.perf_counter()
        fast = fast_predict(last, X)
        if fast is None:
            last.predict(X)
        out[f"predict {m.name}"] = time.perf_counter() - t0
        if fast is not None:
            t0 = time.perf_counter()
            last.predict(X)
            out[f"predict {m.name} (scikit-learn)"] = time.perf_counter() - t0
    return out


def seed_size(models, table, repeats: int) -> dict:
    from dask.distributed import Client

    from matinfo._dask import local_cluster
    from matinfo.screen import TableSpace, screen

    space = TableSpace(table)

    def once(**kw):
        t0 = time.perf_counter()
        res = screen(space, models, top=100, constants=T300, **kw)
        res.overlap()
        res.hits()
        return time.perf_counter() - t0, res

    chunk = math.ceil(len(table) / 8)  # 4 chunks per worker
    local = [once()[0] for _ in range(repeats)]
    threads = [once(executor="threads", n_workers=2, chunk_size=chunk)[0] for _ in range(repeats)]
    t0 = time.perf_counter()
    cluster = local_cluster(2)
    client = Client(cluster)
    start = time.perf_counter() - t0
    try:
        once(executor=client, chunk_size=chunk)  # warm-up: models reach the workers
        runs = [once(executor=client, chunk_size=chunk) for _ in range(repeats)]
    finally:
        client.close()
        cluster.close()
    o = runs[-1][1].overlap()
    return {
        "n": len(table),
        "local_s": min(local),
        "threads_s": min(threads),
        "dask_s": min(r[0] for r in runs),
        "cluster_start_s": start,
        "in_all": o["in_all"],
        "in_at_least_2": o["in_at_least"]["2"],
        "union": o["union"],
    }


def peak_rss_mib() -> float:
    """Peak resident set of this process in MiB (``VmHWM``: unlike ``ru_maxrss`` it starts afresh at exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(args) -> None:
    """One large run in a fresh process; prints a JSON line with the results."""
    from matinfo.screen import GridSpace, load_models, screen

    models = load_models([args.model_dir / n for n in MODELS])
    space = GridSpace(GRID, divisions=args.child_divisions)
    rss0 = peak_rss_mib()
    kw = {}
    workers_rss = None
    client = cluster = None
    if args.child_executor == "dask":
        from dask.distributed import Client

        from matinfo._dask import local_cluster

        cluster = local_cluster(2)
        client = Client(cluster)
        kw = {"executor": client}
    t0 = time.perf_counter()
    res = screen(space, models, top=100, constants=T300, chunk_size=args.chunk_size, **kw)
    seconds = time.perf_counter() - t0
    if client is not None:
        workers_rss = sorted(client.run(peak_rss_mib).values())
        client.close()
        cluster.close()
    o = res.overlap()
    print(
        json.dumps(
            {
                "n": res.n_candidates,
                "seconds": seconds,
                "rate": res.n_candidates / seconds,
                "rss_before_mib": rss0,
                "rss_peak_mib": peak_rss_mib(),
                "workers_rss_peak_mib": workers_rss,
                "in_all": o["in_all"],
                "best": res.hits()["candidate"].iloc[0],
            }
        ),
        flush=True,
    )


def divisions_for(n: int) -> int:
    """Divisions of the 4-element grid whose size is the first at or above ``n``."""
    d = 1
    while math.comb(d + 3, 3) < n:
        d += 1
    return d


def large(args, executor: str, n: int) -> dict:
    d = divisions_for(n)
    cmd = [
        sys.executable,
        __file__,
        "--child",
        "--model-dir",
        str(args.model_dir),
        "--child-divisions",
        str(d),
        "--child-executor",
        executor,
        "--chunk-size",
        str(args.chunk_size),
    ]
    print(f"large run: {executor}, {math.comb(d + 3, 3):,} candidates ...", flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if p.returncode != 0:
        raise SystemExit(f"child run failed:\n{p.stdout}\n{p.stderr[-4000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def report(args, info, prof, seed, big, loads) -> str:
    m = machine()
    cmd = "python benchmarks/screen_speed.py " + " ".join(args.argv)

    def ok(seconds: float) -> str:
        return ("✅" if seconds <= TARGET_SECONDS else "❌") + f" (≤ {TARGET_SECONDS:g} s on 2 cores)"

    lines = [
        "## Screening speed (`benchmarks/screen_speed.py`)",
        "",
        f"* Command: `{cmd.strip()}`",
        f"* Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"* Machine: {m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, {m['os']}, Python {m['python']}; "
        f"BLAS/OpenMP threads = 1 per process; load average (1 min) {loads[0]:.2f} at start, {loads[1]:.2f} at end",
        "* Versions: "
        + ", ".join(
            f"{k} {v}"
            for k, v in versions(
                "matinfo", "numpy", "scikit-learn", "lightgbm", "pandas", "dask", "distributed"
            ).items()
        ),
        "* Models (log10 total thermal conductivity from composition + temperature, sysTEm, `fit_model`, 3-fold "
        "CV grouped by DOI): "
        + "; ".join(
            f"{n} on {i['rows']:,} rows ({i['size']}, CV MAE {i['mae']:.3f} decades)" for n, i in info.items()
        ),
        "",
        f"### {seed['n']:,} candidates × 3 models (featurize + predict + top 100 + overlaps + hit list)",
        "",
        "| executor | wall s | candidates/s | target |",
        "|---|---:|---:|---|",
        f"| this process (1 core) | {seed['local_s']:.2f} | {seed['n'] / seed['local_s']:,.0f} | |",
        f'| 2 threads of this process (`executor="threads"`) | **{seed["threads_s"]:.2f}** | '
        f"{seed['n'] / seed['threads_s']:,.0f} | {ok(seed['threads_s'])} |",
        f"| Dask, 2 workers × 1 thread (warm) | **{seed['dask_s']:.2f}** | {seed['n'] / seed['dask_s']:,.0f} | "
        f"{ok(seed['dask_s'])} |",
        "",
        f"Starting the 2-worker cluster took {seed['cluster_start_s']:.1f} s (once per session, not in the times "
        f"above).  Top-100 lists: {seed['in_all']} compositions in all three, {seed['in_at_least_2']} in at least "
        f"two, {seed['union']} distinct.",
        "",
        "Where the time goes (one process, all candidates at once):",
        "",
        "| step | s |",
        "|---|---:|",
        *(f"| {k} | {v:.2f} |" for k, v in prof.items()),
        "",
        "### Millions of candidates: throughput and memory",
        "",
        f'`GridSpace("{"-".join(GRID)}")` at 300 K, chunks of {args.chunk_size:,}, each run in a fresh process; '
        "peak memory is the peak resident set (`VmHWM`) of the process (and of each Dask worker).",
        "",
        "| candidates | executor | wall s | candidates/s | peak RSS MiB (models loaded: before) | Dask workers' peak RSS MiB |",
        "|---:|---|---:|---:|---|---|",
    ]
    for r, ex in big:
        workers = (
            ", ".join(f"{v:,.0f}" for v in r["workers_rss_peak_mib"]) if r["workers_rss_peak_mib"] else "–"
        )
        lines.append(
            f"| {r['n']:,} | {ex} | {r['seconds']:,.0f} | {r['rate']:,.0f} | {r['rss_peak_mib']:,.0f} "
            f"({r['rss_before_mib']:,.0f}) | {workers} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--large", type=int, default=10_000_000, help="candidates of the large run (grid size >= this)"
    )
    ap.add_argument("--small-large", type=int, default=1_000_000, help="the smaller large run (memory check)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--chunk-size", type=int, default=20_000)
    ap.add_argument("--model-dir", type=Path, default=REPO / "benchmarks" / "results" / "screen-speed-models")
    ap.add_argument("--no-dask-large", action="store_true", help="skip the large Dask runs")
    ap.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"), help="'-': print only")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--child-divisions", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--child-executor", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.argv = argv if argv is not None else sys.argv[1:]
    if args.child:
        child(args)
        return
    loads = [os.getloadavg()[0]]
    info = train(args.model_dir)
    from matinfo.screen import load_models

    models = load_models([args.model_dir / n for n in MODELS])
    table = pool(N_SEED)
    prof = profile(models, table)
    print(prof, flush=True)
    seed = seed_size(models, table, args.repeats)
    print(seed, flush=True)
    big = []
    for n in (args.small_large, args.large):
        big.append((large(args, "local", n), "this process"))
        print(big[-1], flush=True)
        if not args.no_dask_large:
            big.append((large(args, "dask", n), "Dask, 2 workers"))
            print(big[-1], flush=True)
    loads.append(os.getloadavg()[0])
    text = report(args, info, prof, seed, big, loads)
    print(text)
    if args.out != "-":
        write_section(NAME, text, Path(args.out))
        print(f"wrote the {NAME} section of {args.out}")


if __name__ == "__main__":
    main()
