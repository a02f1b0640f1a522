"""Errors to HTTP: every domain error becomes a 4xx JSON answer naming the parameter; nothing becomes a 500.

REST answers ``{"error": {"status", "title", "detail", "parameter"}}``; OPTIMADE answers (paths under
``/optimade``) follow the OPTIMADE error format (``errors`` list + ``meta``), built in :mod:`.optimade`.
Request validation errors (a parameter of the wrong type or out of range) are 400, not FastAPI's 422: the
request is malformed, and the answer names the parameter.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from matinfo.errors import LocatedError, MatinfoError, NotFoundError, StoreError

__all__ = ["ApiError", "install_error_handlers", "named"]

log = logging.getLogger("matinfo.web")

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}


class ApiError(Exception):
    """An answer other than 200: ``status``, a message, and the request parameter it is about."""

    def __init__(self, status: int, detail: str, *, parameter: str | None = None, headers=None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.parameter, self.headers = status, detail, parameter, headers


def named(parameter: str, err: Exception, status: int = 400) -> ApiError:
    """``err`` (a user error) as an :class:`ApiError` about request parameter ``parameter``."""
    return ApiError(status, f"{parameter}: {err}", parameter=parameter)


def _status_of(exc: Exception) -> tuple[int, str, str | None]:
    if isinstance(exc, ApiError):
        return exc.status, exc.detail, exc.parameter
    if isinstance(exc, NotFoundError):
        return 404, str(exc), None
    if isinstance(exc, StoreError):
        return 503, str(exc), None
    if isinstance(exc, LocatedError):
        return 400, str(exc), exc.field
    if isinstance(exc, MatinfoError | ValueError):
        return 400, str(exc), None
    return 500, "internal error", None


def _body(path: str, status: int, detail: str, parameter: str | None) -> dict[str, Any]:
    if path.startswith("/optimade"):
        from matinfo.web.optimade import error_body

        return error_body(status, _TITLES.get(status, "Error"), detail, parameter, path)
    err = {"status": status, "title": _TITLES.get(status, "Error"), "detail": detail}
    if parameter is not None:
        err["parameter"] = parameter
    return {"error": err}


def error_response(request: Request, status: int, detail: str, parameter: str | None = None, headers=None):
    return JSONResponse(
        _body(request.url.path, status, detail, parameter), status_code=status, headers=headers
    )


def _validation_parameter(err: dict[str, Any]) -> str:
    loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body", "header")]
    return ".".join(loc) or "request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError):
        return error_response(request, exc.status, exc.detail, exc.parameter, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errs = exc.errors()
        first = errs[0] if errs else {}
        param = _validation_parameter(first)
        msg = first.get("msg", "invalid value")
        got = first.get("input")
        detail = f"{param}: {msg}" + (f" (got {got!r})" if isinstance(got, str | int | float) else "")
        if len(errs) > 1:
            detail += f"; and {len(errs) - 1} more problem(s): " + "; ".join(
                f"{_validation_parameter(e)}: {e.get('msg')}" for e in errs[1:4]
            )
        return error_response(request, 400, detail, param)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such page or resource: {request.url.path}"
        return error_response(request, exc.status_code, detail, None, getattr(exc, "headers", None))

    @app.exception_handler(MatinfoError)
    async def _domain(request: Request, exc: MatinfoError):
        status, detail, param = _status_of(exc)
        return error_response(request, status, detail, param)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        status, detail, param = _status_of(exc)
        if status == 500:
            log.exception("unexpected error on %s", request.url.path)
        return error_response(request, status, detail, param)
