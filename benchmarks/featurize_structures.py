"""Structure featurization: matinfo vs matminer side by side in one run, on the CIFs shipped with matinfo.

Featurizers: ``OrbitalFieldMatrix`` (both ``period_tag`` settings), ``RadialDistribution`` (cutoff 10 Å, bins of
0.1 Å) and ``StructureBasics`` (vs ``DensityFeatures``), each against its matminer counterpart on the same
pymatgen structures (read once from ``matinfo/data/crystal_structures``, 375 AFLOW/COD CIFs; structures that
matminer cannot featurize are left out of that featurizer's comparison and counted).  Reports structures/s
(CPU time of this process), the speed ratio and the largest absolute difference.

    python benchmarks/featurize_structures.py                 # writes docs/benchmarks.md
    python benchmarks/featurize_structures.py --out -         # print only

Also a part of ``benchmarks/featurize_speed.py``: ``run(report)`` adds its block to that report.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core for both libraries: set before numpy is imported

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _report as report  # noqa: E402  (machine facts and the docs-section writer)

NAME = "featurize_structures"
clock = time.process_time


def load_structures() -> tuple[list[Any], int]:
    from matinfo.features._structure import DATA, as_structure

    paths = sorted((DATA / "crystal_structures").glob("*/*.cif"))
    return [as_structure(p) for p in paths], len(paths)


def _matminer(featurizer: Any, structures: list[Any]) -> tuple[float, list[int], np.ndarray]:
    """matminer's values and CPU time; rows it fails on are skipped (their indices are not in ``done``)."""
    rows, done = [], []
    t0 = clock()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, s in enumerate(structures):
            try:
                rows.append(np.asarray(featurizer.featurize(s.copy()), dtype=float).ravel())
            except Exception:  # matminer raises KeyError/TypeError/AttributeError for what it cannot do
                continue
            done.append(i)
    return clock() - t0, done, np.array(rows)


def _matinfo(featurizer: Any, structures: list[Any]) -> tuple[float, np.ndarray]:
    t0 = clock()
    X = featurizer.transform(structures)
    return clock() - t0, X


def compare(structures: list[Any]) -> list[dict[str, Any]]:
    from matminer.featurizers.structure import DensityFeatures, RadialDistributionFunction
    from matminer.featurizers.structure.matrix import OrbitalFieldMatrix as MatminerOFM

    from matinfo.features import OrbitalFieldMatrix, RadialDistribution, StructureBasics

    cases = [
        ("OrbitalFieldMatrix()", "OrbitalFieldMatrix()", OrbitalFieldMatrix(on_error="nan"), MatminerOFM(), None),
        (
            "OrbitalFieldMatrix(period_tag=True)",
            "OrbitalFieldMatrix(period_tag=True)",
            OrbitalFieldMatrix(period_tag=True, on_error="nan"),
            MatminerOFM(period_tag=True),
            None,
        ),
        (
            "RadialDistribution(cutoff=10, bin_size=0.1)",
            "RadialDistributionFunction(cutoff=10, bin_size=0.1)",
            RadialDistribution(cutoff=10.0, bin_size=0.1, on_error="nan"),
            RadialDistributionFunction(cutoff=10.0, bin_size=0.1),
            None,
        ),
        ("StructureBasics() (first 3 columns)", "DensityFeatures()", StructureBasics(on_error="nan"),
         DensityFeatures(), slice(0, 3)),
    ]  # fmt: skip
    results = []
    for ours_name, theirs_name, ours, theirs, cols in cases:
        t_ours, X = _matinfo(ours, structures)
        t_theirs, done, Y = _matminer(theirs, structures)
        X_done = X[done] if cols is None else X[done][:, cols]
        diff = float(np.nanmax(np.abs(X_done - Y))) if done else float("nan")
        n = len(structures)
        results.append(
            {
                "matinfo": ours_name,
                "matminer": theirs_name,
                "n": n,
                "matminer_failed": n - len(done),
                "matinfo_failed": int(ours.report_.n_failed),
                "matinfo_per_s": n / t_ours,
                "matminer_per_s": n / t_theirs,
                "ratio": (n / t_ours) / (n / t_theirs),
                "max_abs_diff": diff,
            }
        )
        print(f"{ours_name}: {results[-1]}", flush=True)
    return results


def markdown(results: list[dict[str, Any]], n_files: int) -> str:
    lines = [
        "### Structure featurizers vs matminer (`benchmarks/featurize_structures.py`)",
        "",
        f"{n_files} CIFs shipped in `matinfo/data/crystal_structures` (AFLOW prototypes and COD), read once into "
        "pymatgen structures; both libraries featurize the same structures, one process, one core, CPU time. "
        "Differences are over the structures both featurize (matminer fails on structures with elements beyond "
        "Pu for the OFM and on elements without an atomic radius for the packing fraction; matinfo gives a row "
        "error there too, or NaN).",
        "",
        "| matinfo | matminer | structures | failed (matminer / matinfo) | matinfo structures/s | "
        "matminer structures/s | speed-up | max abs diff |",
        "|---|---|---:|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| `{r['matinfo']}` | `{r['matminer']}` | {r['n']} | {r['matminer_failed']} / {r['matinfo_failed']} | "
            f"{r['matinfo_per_s']:,.1f} | {r['matminer_per_s']:,.2f} | **{r['ratio']:,.1f}×** | "
            f"{r['max_abs_diff']:.1e} |"
        )
    return "\n".join(lines) + "\n"


def run(out: Any) -> list[dict[str, Any]]:
    """Run the comparison.  ``out``: a path (``docs/benchmarks.md``; ``"-"`` prints only) to write this
    script's own section, or a ``featurize_speed.Report`` to add the table to."""
    structures, n_files = load_structures()
    results = compare(structures)
    table = markdown(results, n_files)
    if hasattr(out, "add"):
        out.add(table, featurize_structures=results)
        return results
    from importlib.metadata import PackageNotFoundError, version

    m = report.machine()
    pkgs = []
    for pkg in ("matinfo", "matminer", "pymatgen", "spglib", "scipy", "numpy", "dscribe"):
        try:
            pkgs.append(f"{pkg} {version(pkg)}")
        except PackageNotFoundError:
            pkgs.append(f"{pkg} -")
    text = "\n".join(
        [
            "## Structure featurization vs matminer",
            "",
            f"* Command: `{' '.join(['python benchmarks/featurize_structures.py', *sys.argv[1:]])}`",
            f"* Date: {dt.date.today().isoformat()}",
            f"* Machine: {m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, {m['os']}, Python {m['python']}",
            "* Versions: " + ", ".join(pkgs),
            "",
            table,
        ]
    )
    print(text)
    if str(out) != "-":
        write_section(Path(out), text)
        print(f"wrote the {NAME} section of {out}")
    return results


def write_section(path: Path, text: str) -> None:
    """This benchmark's section of ``path`` (see ``benchmarks/_report.py``)."""
    report.write_section(NAME, text, path)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(HERE.parent / "docs" / "benchmarks.md"), help="'-': do not write")
    args = ap.parse_args(argv)
    run(args.out)


if __name__ == "__main__":
    main()
