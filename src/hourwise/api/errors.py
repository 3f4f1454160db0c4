"""One mapping from every error to a JSON response; never an HTML page, never a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from hourwise.api.body import InvalidBody
from hourwise.api.responses import JSONResponse, error_response
from hourwise.errors import HourwiseError

log = logging.getLogger("hourwise")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(InvalidBody)
    async def _invalid_body(_: Request, exc: InvalidBody):
        return error_response(exc.status, exc.message, errors=exc.errors)

    @app.exception_handler(HourwiseError)
    async def _domain(_: Request, exc: HourwiseError):
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError):
        details = [
            {"loc": [str(part) for part in error.get("loc", ())], "msg": error.get("msg", "")}
            for error in exc.errors()[:5]
        ]
        first = details[0] if details else {"loc": [], "msg": "invalid"}
        where = ".".join(first["loc"]) or "request"
        return error_response(400, f"Invalid request at {where}: {first['msg']}", errors=details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException):
        response = error_response(exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "Internal Server Error")
