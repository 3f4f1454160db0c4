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


async def send_json(send, status: int, payload: Any, headers: list | None = None) -> None:
    """Answer a raw ASGI request with JSON (for the layers in front of the routes)."""
    await send_bytes(send, orjson.dumps(payload), status, headers)


async def send_bytes(send, body: bytes, status: int = 200, headers: list | None = None) -> None:
    """Answer a raw ASGI request with an already encoded JSON body."""
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())] + (headers or []),
    })
    await send({"type": "http.response.body", "body": body})
