"""Load on the web server over loopback: 50 concurrent clients for 60 s over search and substance pages.

For each backend (SQLite file, PostgreSQL schema) the demo database is served by ``matinfo serve --workers N``
and ``wrk`` (Debian's package; C, so the client does not limit what is measured) keeps 50 connections busy in a
closed loop for ``--seconds``: each connection sends its next request as soon as the previous answer arrived.
The requests cycle through the search page (``/search`` with ten combined-condition queries) and the pages of
300 substances drawn at random (seed 0) from the database, one URL list for every connection.  Every URL is
fetched once before the clock starts (the first request of a worker imports the page code).  Reported: requests/s,
latency p50 / p90 / p99 (wrk's ``--latency``), non-2xx answers and socket errors (connect, read, write, timeout
at 2 s).  Target (issue 8): p99 <= 200 ms and 0 errors on both backends.

    .venv/bin/python benchmarks/web_load.py                       # both backends, 60 s each (~10 min with the builds)
    .venv/bin/python benchmarks/web_load.py --backends sqlite --seconds 15 --out -    # quick look
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager, nullcontext
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _report import REPO, machine, versions, write_section  # noqa: E402
from store_scale import DEFAULT_PG_URL, postgres_url  # noqa: E402

NAME = "web_load"
BIN = Path(sys.executable).parent
SEARCHES = [
    {"elements": "Li"},
    {"elements": "Li", "property": "ionic_conductivity >= 0.1 mS/cm", "condition": "temperature 290..310 K"},
    {"formula": "TiO2"},
    {"chemical_system": "Bi-Te"},
    {"elements": "O", "nelements": "3"},
    {"filter": 'elements HAS "Te" AND nelements = 2'},
    {"property": "band_gap 1..3 eV"},
    {"elements": "Zr,O", "elements_none": "Pb"},
    {"space_group": "225"},
    {"crystal_system": "cubic", "elements": "S"},
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 60) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - loopback only
        return r.read()


def _demo_db(url: str) -> None:
    print(f"building the demo database at {url} ...", flush=True)
    subprocess.run(
        [str(BIN / "matinfo"), "db", "init", "--demo", "--db", url], check=True, stdout=subprocess.DEVNULL
    )


@contextmanager
def _server(url: str, workers: int):
    port = _free_port()
    cmd = [str(BIN / "matinfo"), "serve", "--db", url, "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(
        [*cmd, "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _get(base + "/", timeout=5)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(
                        f"the server did not start: {proc.stderr.read().decode()[-2000:]}"
                    ) from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(30)


def _urls(base: str, n_substances: int) -> list[str]:
    import json

    ids: list[int] = []
    offset = 0
    while True:  # every substance id the server shows to anonymous users
        page = json.loads(_get(f"{base}/api/v1/substances?nelements=1..20&limit=500&offset={offset}"))
        ids += [row["substance_id"] for row in page["data"]]
        if not page["meta"].get("next"):
            break
        offset += 500
    chosen = random.Random(0).sample(ids, min(n_substances, len(ids)))
    searches = ["/search?" + urlencode(q) for q in SEARCHES]
    return [f"/substances/{i}" for i in chosen] + searches * max(1, n_substances // (3 * len(searches)))


def _wrk(base: str, paths: list[str], seconds: int, connections: int) -> dict:
    lua = "\n".join(
        [
            "local paths = {" + ",".join(f'"{p}"' for p in paths) + "}",
            "local i = 0",
            "init = function(args) i = math.random(#paths) end",
            "request = function() i = i % #paths + 1; return wrk.format('GET', paths[i]) end",
        ]
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "--timeout",
                "2s",
                "-s",
                fh.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(fh.name)

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, flags=re.M)
        v, u = float(m[1]), m[2]
        return v / 1000 if u == "us" else v * 1000 if u == "s" else v

    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {
        "requests": int(total[1]),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "p50": ms("50"),
        "p90": ms("90"),
        "p99": ms("99"),
        "non2xx": int(non2xx[1]) if non2xx else 0,
        "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0,
        "socket_detail": errors[0] if errors else "Socket errors: none",
        "raw": out,
    }


def run_backend(name: str, args) -> dict:
    if name == "sqlite":
        demo = REPO / "demo-out" / "matinfo-demo.db"
        folder = Path(tempfile.mkdtemp(prefix="matinfo-web-load-"))
        db = folder / "web.db"
        if demo.exists() and not args.rebuild:
            shutil.copy(demo, db)
        cm = nullcontext((f"sqlite:///{db}", None))
    else:
        cm = postgres_url(args.pg_url)
    with cm as (url, _size):
        if name != "sqlite" or not (REPO / "demo-out" / "matinfo-demo.db").exists() or args.rebuild:
            _demo_db(url)
        with _server(url, args.workers) as base:
            paths = _urls(base, args.substances)
            for p in dict.fromkeys(paths):  # warm every worker's imports and the database's caches
                _get(base + p)
            print(
                f"{name}: {len(paths)} URLs, {args.connections} connections, {args.seconds} s ...", flush=True
            )
            res = _wrk(base, paths, args.seconds, args.connections)
    print(res["raw"], flush=True)
    return {"backend": name, "n_urls": len(paths), **res}


def report(args, rows, loads) -> str:
    m = machine()
    ok = lambda r: "✅" if r["p99"] <= 200 and r["non2xx"] == 0 and r["socket_errors"] == 0 else "❌"  # noqa: E731
    lines = [
        "## Web server under load: 50 clients over search and substance pages (`benchmarks/web_load.py`)",
        "",
        f"`python benchmarks/web_load.py {' '.join(args.argv)}`".replace(" `", "`"),
        f"— {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {m['nproc']} cores ({m['cpu']}), "
        f"Python {m['python']}; "
        + ", ".join(
            f"{k} {v}" for k, v in versions("matinfo", "fastapi", "uvicorn", "sqlalchemy", "psycopg").items()
        )
        + f"; load average {loads[0]:.2f} at the start, {loads[1]:.2f} at the end.",
        "",
        f"`matinfo serve --workers {args.workers}` on loopback; `wrk -t2 -c{args.connections} -d{args.seconds}s "
        "--latency --timeout 2s`, closed loop, on the same machine; URLs: the pages of "
        f"{args.substances} random substances of the demo database and the search page with {len(SEARCHES)} "
        "combined-condition queries, each fetched once before the clock starts.",
        "",
        "| backend | requests | requests/s | p50 ms | p90 ms | p99 ms | non-2xx | socket errors | target p99 ≤ 200 ms, 0 errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['backend']} | {r['requests']:,} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p90']:.0f} | "
            f"{r['p99']:.0f} | {r['non2xx']} | {r['socket_errors']} | {ok(r)} |"
        )
    lines += [
        "",
        "; ".join(f"{r['backend']}: {r['socket_detail']}" for r in rows) + " (a timeout: no answer in 2 s).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2, help="server worker processes")
    ap.add_argument("--substances", type=int, default=300)
    ap.add_argument("--pg-url", default=DEFAULT_PG_URL)
    ap.add_argument(
        "--rebuild", action="store_true", help="build the SQLite demo database even if demo-out has one"
    )
    ap.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"), help="'-': print only")
    args = ap.parse_args(argv)
    args.argv = argv if argv is not None else sys.argv[1:]
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    loads = [os.getloadavg()[0]]
    rows = [run_backend(b.strip(), args) for b in args.backends.split(",") if b.strip()]
    loads.append(os.getloadavg()[0])
    text = report(args, rows, loads)
    print(text)
    if args.out != "-":
        write_section(NAME, text, Path(args.out))
        print(f"wrote the {NAME} section of {args.out}")


if __name__ == "__main__":
    main()
