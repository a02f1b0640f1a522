"""``matinfo serve --db URL --host H --port P``: the web server (pages, REST API, OPTIMADE API).

FastAPI and uvicorn are imported when the command runs, so ``matinfo --help`` stays fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from matinfo.cli.db import DbOption


def serve_command(
    db: DbOption = None,
    host: Annotated[
        str, typer.Option("--host", help="Interface to listen on (0.0.0.0: every one).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port (0: any free one).")] = 8000,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", help="Public URL of the server, for absolute links (default: from each request)."
        ),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
) -> None:
    """Serve the database: pages at /, REST API at /api/v1 (docs at /docs), OPTIMADE at /optimade/v1."""
    import uvicorn

    from matinfo.store import connect, default_url
    from matinfo.web import Settings, create_app

    url = db or default_url()
    settings = Settings(db_url=url, base_url=base_url)
    connect(url).close()  # create or upgrade the schema once, before the workers start; fail early
    shown = base_url or f"http://{host}:{port}"
    typer.echo(
        f"matinfo serving {url} at {shown}/  (REST {shown}/api/v1, docs {shown}/docs, OPTIMADE {shown}/optimade/v1)"
    )
    if workers > 1:
        import os

        os.environ["MATINFO_DB_URL"] = url
        if base_url:
            os.environ["MATINFO_BASE_URL"] = base_url
        uvicorn.run(
            "matinfo.web.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
        )
    else:
        uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level)
