"""What every benchmark script shares: machine and package facts, and writing its section of docs/benchmarks.md.

Each script owns one section between ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->``; the rest of the file
(hand-written analysis included) is left alone.  The file is replaced atomically.
"""

from __future__ import annotations

import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
_HEADER = (
    "# Benchmarks\n\nMeasured numbers, with the command that produced them. Each section is written by its "
    "script between its markers; rerun the command to refresh it.\n"
)


def machine() -> dict[str, Any]:
    """CPU model, usable cores, RAM, OS, Python and the load average when measured."""
    cpu = "?"
    ram = None
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    try:
        kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
        ram = round(kib / 2**20, 1)
    except (OSError, StopIteration):
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {
        "nproc": nproc,
        "cpu": cpu,
        "ram_gib": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "load1": load,
    }


def versions(*packages: str) -> dict[str, str]:
    """Installed versions of ``packages`` ("-" when missing)."""
    out = {}
    for pkg in packages:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "-"
    return out


def write_section(name: str, text: str, path: Path = DOC) -> Path:
    """Replace (or append) the section ``name`` of ``path`` with ``text``."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_text(encoding="utf-8") if path.exists() else _HEADER
    block = f"{begin}\n{text.rstrip()}\n{end}"
    if begin in old and end in old:
        head, rest = old.split(begin, 1)
        new = head + block + rest.split(end, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(path)
    return path
