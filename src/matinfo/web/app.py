"""``create_app(settings)``: the FastAPI application of matinfo.

Routers: :mod:`.api` (REST, ``/api/v1``), :mod:`.optimade` (``/optimade``), :mod:`.pages` (HTML, ``/``), and
the documentation (``/openapi.json``, ``/docs`` with Swagger UI served from the ``swagger-ui-bundle`` package,
no CDN).  Nothing is read at import time; the database is opened here.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from matinfo.web.auth import ANYONE
from matinfo.web.errors import install_error_handlers
from matinfo.web.settings import Settings

__all__ = ["create_app"]

DOCS_ASSETS = "/docs/assets"


def create_app(settings: Settings | None = None, *, db: Any = None) -> FastAPI:
    """The app serving the store at ``settings.db_url`` (or the open :class:`~matinfo.store.Database` ``db``)."""
    from matinfo import __version__
    from matinfo.store import connect

    settings = settings or Settings()
    database = db if db is not None else connect(settings.db_url)
    app = FastAPI(
        title=settings.title,
        version=__version__,
        description=(
            "REST API of the matinfo materials database: substances (distinct phases) and the materials, "
            "structures, properties (with conditions, units, method and references), references, data sets, "
            "curated literature records and optimisation campaigns. Send `Authorization: Bearer <token>` "
            "for members' data and for editing (tokens: `matinfo user add NAME --role ROLE`). "
            "Lists are paged with `limit` / `offset` (the `Link` header and `meta.next` give the next page). "
            "The OPTIMADE API is under `/optimade/v1`."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.db = database
    app.state.settings = settings
    install_error_handlers(app)

    from matinfo.web.api import api_router
    from matinfo.web.optimade import optimade_router
    from matinfo.web.pages import pages_router

    app.include_router(api_router, prefix="/api/v1")
    app.include_router(optimade_router, prefix="/optimade")
    app.include_router(pages_router)
    _add_static(app)
    _add_docs(app)
    return app


def _add_static(app: FastAPI) -> None:
    from importlib.resources import files

    from starlette.staticfiles import StaticFiles

    app.mount("/static", StaticFiles(directory=str(files("matinfo.web") / "static")), name="static")


def _add_docs(app: FastAPI) -> None:
    from starlette.staticfiles import StaticFiles
    from swagger_ui_bundle import swagger_ui_path

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Depends(ANYONE)])
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=[Depends(ANYONE)])
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title} — API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )

    app.mount(DOCS_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")
