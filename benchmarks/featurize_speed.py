"""Featurization speed: matinfo vs matminer, side by side in one run, on one core, same inputs, same values.

Composition part (this file): ``ElementStats(preset="magpie")`` vs matminer
``ElementProperty.from_preset("magpie")`` on ≥ 10k real formulas (Matbench expt_gap + glass, then crabnet's OQMD
formulas), plus ``Stoichiometry``, ``ValenceOrbital`` and ``IonicProperty`` vs their matminer counterparts.
matminer is timed on a random subset (default 2,000 formulas) and its throughput extrapolated; both get the
same formula strings (matminer through ``pymatgen.core.Composition(formula)``, timed too), and a variant gives
both ready-made ``Composition`` objects.  Values are compared on every row matminer computed.

Other parts plug in: a module ``benchmarks/<part>.py`` with a function ``run(out)`` (``out``: the
:class:`Report` below; call ``out.add(markdown, **results)``) is run by ``--parts composition,<part>``.
``featurize_structures`` is run when the file exists.

    python benchmarks/featurize_speed.py                   # all parts, writes docs/benchmarks.md
    python benchmarks/featurize_speed.py --n 12000 --matminer-n 500 --out -    # quick look, nothing written
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # single core: set before numpy is imported

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _report as report  # noqa: E402  (machine facts and the docs-section writer)

NAME = "featurize_speed"
#: The clock for the rates of the other featurizers: CPU time of this single-threaded process, so that other work on
#: a shared machine does not distort the ratio (on a quiet machine it equals wall time).  The Magpie comparison
#: reports CPU and wall time.
clock = time.process_time
TARGET_SPEEDUP = 300.0


@dataclass
class Report:
    """What every part adds to: Markdown blocks for docs/benchmarks.md and machine-readable results."""

    args: argparse.Namespace
    blocks: list[str] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)

    def add(self, markdown: str, **results: Any) -> None:
        self.blocks.append(markdown.rstrip() + "\n")
        self.results.update(results)


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("matinfo", "matminer", "pymatgen", "numpy", "scikit-learn", "crabnet"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "-"
    return out


def load_formulas(n: int) -> tuple[list[str], dict[str, int]]:
    """Unique real formulas: Matbench expt_gap, Matbench glass, then crabnet's OQMD splits, up to ``n``."""
    from importlib.resources import files

    import pandas as pd

    seen: dict[str, None] = {}
    counts: dict[str, int] = {}

    def take(label: str, formulas: list[str]) -> None:
        before = len(seen)
        for f in formulas:
            if len(seen) >= n:
                break
            if isinstance(f, str) and f.strip():
                seen.setdefault(f, None)
        counts[label] = len(seen) - before

    for task, column in (("matbench_expt_gap", "composition"), ("matbench_glass", "composition")):
        with (files("matinfo.data") / "matbench_v0.1" / f"{task}.csv.gz").open("rb") as fh:
            take(task, pd.read_csv(fh, compression="gzip")[column].tolist())
    oqmd = []
    root = files("crabnet.data") / "benchmark_data"
    for d in sorted(p.name for p in root.iterdir() if p.name.startswith("OQMD_")):
        for split in ("train", "val", "test"):
            if (root / d / f"{split}.csv").is_file():
                with (root / d / f"{split}.csv").open("rb") as fh:
                    oqmd += pd.read_csv(fh)["formula"].tolist()
    take("crabnet OQMD", oqmd)
    return list(seen), counts


def _clear_parse_cache() -> None:
    from matinfo.features import _composition

    _composition._string_amounts.cache_clear()


@dataclass
class Timing:
    """CPU and wall seconds of repeated runs; rates use the medians."""

    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)

    def run(self, fn) -> Any:
        c0, w0 = time.process_time(), time.perf_counter()
        out = fn()
        self.cpu.append(time.process_time() - c0)
        self.wall.append(time.perf_counter() - w0)
        return out

    @property
    def median_cpu(self) -> float:
        return float(np.median(self.cpu))

    @property
    def median_wall(self) -> float:
        return float(np.median(self.wall))


def _timing(fn, repeats: int, *, cold: bool = True) -> tuple[Timing, Any]:
    """Run ``fn`` ``repeats`` times (clearing matinfo's parse cache first when ``cold``)."""
    timing, out = Timing(), None
    for _ in range(repeats):
        if cold:
            _clear_parse_cache()
        out = timing.run(fn)
    return timing, out


def _best(fn, repeats: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        _clear_parse_cache()
        t0 = clock()
        out = fn()
        best = min(best, clock() - t0)
    return best, out


def _matminer_rows(featurizer, comps) -> tuple[float, np.ndarray, np.ndarray]:
    """matminer's own per-row path (``featurize``; no multiprocessing): seconds, values, rows it could do."""
    rows, ok = [], []
    width = len(featurizer.feature_labels())
    t0 = clock()
    for c in comps:
        try:
            rows.append(featurizer.featurize(c))
            ok.append(True)
        except ValueError:
            rows.append([np.nan] * width)
            ok.append(False)
    return clock() - t0, np.array(rows, dtype=float), np.array(ok)


def _maxdiff(a: np.ndarray, b: np.ndarray) -> float:
    same_nan = np.array_equal(np.isnan(a), np.isnan(b))
    d = float(np.nanmax(np.abs(a - b))) if a.size else 0.0
    return d if same_nan else float("inf")


def run_composition(out: Report) -> None:
    from matminer.featurizers import composition as mm
    from pymatgen.core import Composition

    from matinfo.core.elements import element_table
    from matinfo.features import ElementStats, IonicProperty, Stoichiometry, ValenceOrbital

    args = out.args
    formulas, sources = load_formulas(args.n)
    n = len(formulas)
    rng = np.random.default_rng(args.seed)
    sub = sorted(rng.choice(n, size=min(args.matminer_n, n), replace=False).tolist())
    sub_f = [formulas[i] for i in sub]
    print(f"{n:,} formulas {sources}; matminer subset {len(sub):,}", flush=True)

    element_table.cache_clear()
    t0 = clock()
    element_table()
    t_table = clock() - t0

    ours = ElementStats(preset="magpie")
    ours.transform(["Fe2O3"])  # resolve the lookup once; the parse cache is cleared before each timed run
    t_ours, t_warm = Timing(), Timing()
    for _ in range(args.repeats):  # cold and warm runs alternate, so that both see the same conditions
        _clear_parse_cache()
        X_ours = t_ours.run(lambda: ours.transform(formulas))
        t_warm.run(lambda: ours.transform(formulas))
    t_parse, t_mm = Timing(), Timing()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = mm.ElementProperty.from_preset("magpie")
        for _ in range(args.matminer_repeats):
            comps = t_parse.run(lambda: [Composition(f) for f in sub_f])
            X_mm, ok = t_mm.run(lambda comps=comps: _matminer_rows(ref, comps)[1:])
    diff = _maxdiff(X_ours[sub][ok], X_mm[ok])
    all_comps = [Composition(f) for f in formulas]
    t_ours_c, X_ours_c = _timing(lambda: ours.transform(all_comps), args.repeats)
    diff_c = _maxdiff(X_ours_c[sub][ok], X_mm[ok])

    def rates(n_rows: int, *timings: Timing) -> tuple[float, float]:
        """compositions/s from the median CPU and median wall seconds (summed over the timed steps)."""
        return (
            n_rows / sum(t.median_cpu for t in timings),
            n_rows / sum(t.median_wall for t in timings),
        )

    rate_ours, rate_ours_wall = rates(n, t_ours)
    rate_warm, _ = rates(n, t_warm)
    rate_ours_c, rate_ours_c_wall = rates(n, t_ours_c)
    rate_mm, rate_mm_wall = rates(len(sub), t_parse, t_mm)
    rate_mm_c, rate_mm_c_wall = rates(len(sub), t_mm)
    magpie = {
        "n": n,
        "matminer_n": len(sub),
        "repeats": args.repeats,
        "matminer_repeats": args.matminer_repeats,
        "table_load_s": t_table,
        "ours_per_s": rate_ours,
        "ours_per_s_wall": rate_ours_wall,
        "ours_us_per_row": 1e6 / rate_ours,
        "ours_warm_cache_per_s": rate_warm,
        "ours_composition_input_per_s": rate_ours_c,
        "ours_composition_input_per_s_wall": rate_ours_c_wall,
        "matminer_per_s": rate_mm,
        "matminer_per_s_wall": rate_mm_wall,
        "matminer_us_per_row": 1e6 / rate_mm,
        "matminer_composition_input_per_s": rate_mm_c,
        "matminer_composition_input_per_s_wall": rate_mm_c_wall,
        "matminer_parse_s": t_parse.median_cpu,
        "speedup": rate_ours / rate_mm,
        "speedup_wall": rate_ours_wall / rate_mm_wall,
        "speedup_composition_input": rate_ours_c / rate_mm_c,
        "speedup_composition_input_wall": rate_ours_c_wall / rate_mm_c_wall,
        "max_abs_diff": diff,
        "max_abs_diff_composition_input": diff_c,
        "rows_compared": int(ok.sum()),
        "cpu_s": {"ours": t_ours.cpu, "ours_composition_input": t_ours_c.cpu, "matminer": t_mm.cpu},
        "wall_s": {"ours": t_ours.wall, "ours_composition_input": t_ours_c.wall, "matminer": t_mm.wall},
    }
    print(json.dumps(magpie, indent=1), flush=True)

    others = []
    pairs = [
        ("Stoichiometry", Stoichiometry(), mm.Stoichiometry()),
        ("ValenceOrbital", ValenceOrbital(), mm.ValenceOrbital()),
        ("IonicProperty", IonicProperty(), mm.IonProperty()),
    ]
    sub2 = sub[: args.other_n]
    for label, mine, theirs in pairs:
        mine.transform(["Fe2O3"])
        from matinfo.features import ionic

        ionic._balanced.cache_clear()
        t_mine, X_mine = _best(lambda mine=mine: mine.transform(formulas), 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = clock()
            c2 = [Composition(formulas[i]) for i in sub2]
            t_p = clock() - t0
            t_th, X_th, ok2 = _matminer_rows(theirs, c2)
        d = _maxdiff(X_mine[sub2][ok2], X_th[ok2])
        row = {
            "featurizer": label,
            "matminer": type(theirs).__name__,
            "ours_per_s": n / t_mine,
            "matminer_per_s": len(sub2) / (t_p + t_th),
            "matminer_rows": len(sub2),
            "matminer_failed": int((~ok2).sum()),
            "max_abs_diff": d,
        }
        row["speedup"] = row["ours_per_s"] / row["matminer_per_s"]
        others.append(row)
        print(json.dumps(row), flush=True)

    ok_mark = (
        "✅" if min(magpie["speedup"], magpie["speedup_wall"]) >= TARGET_SPEEDUP and diff <= 1e-6 else "❌"
    )
    lines = [
        "### Composition featurizers",
        "",
        f"{n:,} unique real formulas ("
        + ", ".join(f"{k} {v:,}" for k, v in sources.items())
        + f"); matminer timed on a random subset of {len(sub):,} (seed {args.seed}) and extrapolated as "
        "compositions/s; matinfo on all of them.  Input: the formula strings for both (matminer gets "
        "`pymatgen.core.Composition(formula)`, and that conversion is timed as part of its cost; "
        "matminer's own `featurize` loop, no multiprocessing).  matinfo's parse cache is cleared before every "
        f"timed run.  Rates are from the median of {args.repeats} runs for matinfo and of "
        f"{args.matminer_repeats} for matminer, in the process's CPU time (one thread, pinned to one core; other "
        "load on a shared machine does not distort it) and, in brackets, wall time.  "
        f"Element table load (once per process): {t_table * 1000:.0f} ms.",
        "",
        "| featurizer | matinfo (compositions/s) | matminer (compositions/s) | speed-up | max abs diff | rows compared |",
        "|---|---:|---:|---:|---:|---:|",
        f'| `ElementStats(preset="magpie")` vs `ElementProperty.from_preset("magpie")`, formula strings | '
        f"**{rate_ours:,.0f}** ({rate_ours_wall:,.0f} wall; {1e6 / rate_ours:.2f} µs each) | {rate_mm:,.0f} "
        f"({rate_mm_wall:,.0f} wall; {1e6 / rate_mm:,.0f} µs each) | **{magpie['speedup']:,.0f}×** "
        f"({magpie['speedup_wall']:,.0f}× wall) {ok_mark} (target ≥ {TARGET_SPEEDUP:.0f}×) | {diff:.1e} | "
        f"{int(ok.sum()):,} |",
        f"| same, `Composition` objects as input (conversion not timed for either) | {rate_ours_c:,.0f} "
        f"({rate_ours_c_wall:,.0f} wall) | {rate_mm_c:,.0f} ({rate_mm_c_wall:,.0f} wall) | "
        f"{magpie['speedup_composition_input']:,.0f}× ({magpie['speedup_composition_input_wall']:,.0f}× wall) | "
        f"{diff_c:.1e} | {int(ok.sum()):,} |",
        f"| same, formula strings seen before (parse cache warm) | {rate_warm:,.0f} | – | – | – | – |",
    ]
    for r in others:
        failed = f" (matminer raised on {r['matminer_failed']})" if r["matminer_failed"] else ""
        lines.append(
            f"| `{r['featurizer']}` vs `{r['matminer']}`, formula strings | {r['ours_per_s']:,.0f} | "
            f"{r['matminer_per_s']:,.0f} | {r['speedup']:,.0f}× | {r['max_abs_diff']:.1e} | "
            f"{r['matminer_rows'] - r['matminer_failed']:,}{failed} |"
        )
    lines += [
        "",
        "matminer's `IonProperty` raises for non-integer amounts (pymatgen's oxidation-state guesser); "
        '`IonicProperty` gives NaN for "compound possible" there and equal values elsewhere.',
    ]
    out.add("\n".join(lines), composition={"magpie": magpie, "others": others})


PARTS = {"composition": run_composition}


def main(argv: list[str] | None = None) -> Report:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20000, help="formulas for matinfo (≥ 10,000 for the report)")
    ap.add_argument("--matminer-n", type=int, default=2000, help="random subset matminer featurizes")
    ap.add_argument("--other-n", type=int, default=1000, help="subset for the other matminer featurizers")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs of matinfo (median)")
    ap.add_argument("--matminer-repeats", type=int, default=3, help="timed runs of matminer (median)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--parts", default=None, help="comma-separated; default: composition + any plug-in found")
    ap.add_argument("--cpu", type=int, default=None, help="pin to this CPU (default: the first one allowed)")
    ap.add_argument("--out", default=str(HERE.parent / "docs" / "benchmarks.md"), help="'-': do not write")
    args = ap.parse_args(argv)

    if hasattr(os, "sched_setaffinity"):
        allowed = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {args.cpu if args.cpu is not None else allowed[0]})
    parts = (
        args.parts.split(",")
        if args.parts
        else ["composition"] + [p for p in ("featurize_structures",) if (HERE / f"{p}.py").exists()]
    )
    out = Report(args)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for part in parts:
        fn = PARTS.get(part) or importlib.import_module(part).run
        fn(out)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0

    m = report.machine()
    cmd = "python benchmarks/featurize_speed.py " + " ".join(argv if argv is not None else sys.argv[1:])
    head = [
        "## Featurization speed vs matminer (`benchmarks/featurize_speed.py`)",
        "",
        f"* Command: `{cmd.strip()}`",
        f"* Date: {dt.date.today().isoformat()}",
        f"* Machine: {m['nproc']} cores available ({m['cpu']}), pinned to one core, BLAS/OpenMP threads = 1; "
        f"{m['ram_gib']} GiB RAM, {m['os']}, Python {m['python']}",
        "* Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()),
        f"* Whole run: {wall:,.0f} s wall, {cpu:,.0f} s CPU (wall ≫ CPU means the machine was busy with other work)",
        "",
    ]
    text = "\n".join(head) + "\n" + "\n".join(out.blocks)
    print(text)
    if args.out != "-":
        write_section(Path(args.out), text)
        print(f"wrote the {NAME} section of {args.out}")
    return out


def write_section(path: Path, text: str) -> None:
    """This benchmark's section of ``path`` (see ``benchmarks/_report.py``)."""
    report.write_section(NAME, text, path)


if __name__ == "__main__":
    main()
