"""``matinfo user ...`` and ``matinfo serve``: tokens shown once and stored hashed; the server answers."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import httpx


def run(*args: str) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, "-m", "matinfo", *args], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"matinfo {' '.join(args)} failed:\n{p.stdout}\n{p.stderr}"
    return p


def test_help_does_not_import_the_web_stack():
    code = (
        "import sys, matinfo.cli; print([m for m in ('fastapi', 'uvicorn', 'starlette') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_user_add_list_revoke(db_url):
    token = run("user", "add", "alice", "--role", "editor", "--db", db_url).stdout.strip()
    assert token.startswith("mi_") and len(token) > 40
    listed = run("user", "list", "--format", "json", "--db", db_url).stdout
    users = json.loads(listed)
    assert users[0]["name"] == "alice" and users[0]["role"] == "editor" and token not in listed
    assert users[0]["tokens"][0]["hint"] == token[:7] + "…"
    run("user", "role", "alice", "admin", "--db", db_url)
    assert "revoked 1" in run("user", "revoke", "alice", "--db", db_url).stdout
    users = json.loads(run("user", "list", "--format", "json", "--db", db_url).stdout)
    assert users[0]["role"] == "admin" and users[0]["tokens"][0]["revoked_at"]
    bad = subprocess.run(
        [sys.executable, "-m", "matinfo", "user", "revoke", "bob", "--db", db_url],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "no user named 'bob'" in bad.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_on_loopback(tmp_path):
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    from matinfo.store import connect

    db = connect(url)
    db.add_material("LiNbO3", space_group=161)
    db.close()
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "matinfo",
            "serve",
            "--db",
            url,
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                r = httpx.get(f"{base}/api/v1/substances", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.25)
        assert r.status_code == 200 and r.json()["data"][0]["reduced_formula"] == "LiNbO3"
        assert (
            httpx.get(f"{base}/optimade/v1/info").json()["data"]["attributes"]["api_version"].startswith("1.")
        )
        assert "matinfo" in httpx.get(f"{base}/").text
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert f"{base}/" in out
