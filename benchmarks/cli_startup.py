"""How fast does `matinfo --help` answer?  Target: under a second.

Measures the wall time of `matinfo --help` (N runs, after one warm-up), side by side with the floor every Python
command pays (`python -c pass`) and with importing the heavy stack the CLI keeps lazy (pymatgen, SQLAlchemy,
pint).  Writes a section between markers in docs/benchmarks.md.

    python benchmarks/cli_startup.py --runs 20 --out docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section  # noqa: E402


def timed(cmd: list[str], runs: int) -> list[float]:
    subprocess.run(cmd, capture_output=True, check=True)  # warm the file cache
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    exe = shutil.which("matinfo", path=str(Path(sys.executable).parent)) or "matinfo"
    cases = [
        ("`matinfo --help`", [exe, "--help"]),
        ("`python -c pass` (interpreter floor)", [sys.executable, "-c", "pass"]),
        (
            "`import pymatgen.core, sqlalchemy, pint` (what --help does not load)",
            [sys.executable, "-c", "import pymatgen.core, sqlalchemy, pint"],
        ),
    ]
    rows = []
    for name, cmd in cases:
        ts = timed(cmd, args.runs)
        rows.append((name, statistics.median(ts), max(ts)))
        print(f"{name}: median {statistics.median(ts) * 1000:.0f} ms, max {max(ts) * 1000:.0f} ms")
    cmd = f"python benchmarks/cli_startup.py --runs {args.runs}" + (f" --out {args.out}" if args.out else "")
    text = [
        "## CLI start-up (`matinfo --help`, target < 1 s)",
        "",
        f"Command: `{cmd}` — {dt.date.today().isoformat()}, {args.runs} runs after a warm-up.",
        "",
        "| what | median (ms) | max (ms) |",
        "|---|---|---|",
        *[f"| {n} | {m * 1000:.0f} | {x * 1000:.0f} |" for n, m, x in rows],
    ]
    if args.out:
        write_section("cli_startup", "\n".join(text), args.out)


if __name__ == "__main__":
    main()
