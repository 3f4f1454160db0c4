"""Responses rendered with orjson, and the one JSON error shape."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def error_response(status: int, message: str, **extra: Any) -> JSONResponse:
    """``{"message": ...}``: the error body every ActivityWatch client reads."""
    return JSONResponse({"message": message, **extra}, status_code=status)
