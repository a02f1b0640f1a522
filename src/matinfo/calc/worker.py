"""``python -m matinfo.calc.worker WORKDIR``: run one in-process (ASE calculator) calculation in its own process;
``python -m matinfo.calc.worker --serve``: a warm worker that runs one calculation per work folder read from
standard input, so that torch and the CHGNet model load once, not once per calculation.

A calculation reads ``WORKDIR/calc.json`` (the spec and the ``module:Class`` of the engine), runs it, and writes
``results.json`` — atomically, so a kill leaves either the whole file or none — or, on an error, ``error.json``
with the message.  One-shot mode exits with status 1 on an error; serve mode writes the status to
``WORKDIR/.worker-status`` (0 or 1) and the calculation's output to ``stdout.txt`` / ``stderr.txt`` there.
The job queue never imports torch: only this process does.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from matinfo._files import atomic_write

__all__ = ["main", "run_one", "STATUS_FILE"]

#: Where a warm worker writes the exit status of the calculation of a work folder.
STATUS_FILE = ".worker-status"


@lru_cache(maxsize=16)
def _engine(ref: str, where: str) -> Any:
    from matinfo.calc.engines import _load

    return _load(ref, where=where)


def run_one(workdir: Path) -> int:
    """Run the calculation of ``workdir``; 0 when ``results.json`` was written, 1 when ``error.json`` was."""
    from matinfo.calc.ase_engines import ERROR_FILE, INPUT_FILE, RESULTS_FILE

    try:
        from matinfo.calc.spec import CalcSpec

        blob = json.loads((workdir / INPUT_FILE).read_text())
        engine = _engine(blob["engine_ref"], str(workdir / INPUT_FILE))
        spec = CalcSpec.from_dict(blob["spec"])
        results = engine.calculate(spec.cell.to_atoms(), spec, workdir)
        text = json.dumps(results)
        atomic_write(workdir / RESULTS_FILE, lambda tmp: Path(tmp).write_text(text))
        return 0
    except Exception as e:  # noqa: BLE001 - everything goes into error.json for the runner to report
        info = {"error": f"{e.__class__.__name__}: {e}", "traceback": traceback.format_exc()}
        atomic_write(workdir / ERROR_FILE, lambda tmp: Path(tmp).write_text(json.dumps(info)))
        print(info["traceback"], file=sys.stderr)
        return 1


@contextmanager
def _output_to(workdir: Path):
    """File descriptors 1 and 2 (Python's and C libraries' output) into the work folder, and the current folder
    there too, then back."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    out = os.open(workdir / "stdout.txt", flags, 0o644)
    err = os.open(workdir / "stderr.txt", flags, 0o644)
    cwd = os.getcwd()
    try:
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.chdir(workdir)
        yield
    finally:
        os.chdir(cwd)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (out, err, *saved):
            os.close(fd)


def serve(lines: Any = None) -> int:
    """Run the work folder named on each line of ``lines`` (standard input) until it closes."""
    for line in lines if lines is not None else sys.stdin:
        workdir = Path(line.strip())
        if not line.strip():
            continue
        with _output_to(workdir):
            status = run_one(workdir)
        atomic_write(workdir / STATUS_FILE, lambda tmp, s=status: Path(tmp).write_text(str(s)))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--serve"]:
        return serve()
    if len(args) != 1:
        print("usage: python -m matinfo.calc.worker WORKDIR | --serve", file=sys.stderr)
        return 2
    return run_one(Path(args[0]))


if __name__ == "__main__":
    sys.exit(main())
