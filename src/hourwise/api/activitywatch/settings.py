"""Settings routes: the web UI's server-side preferences (any JSON value per key)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter

from hourwise.api.body import RawBody
from hourwise.api.deps import PrincipalDep, ServicesDep
from hourwise.api.responses import JSONResponse
from hourwise.errors import InvalidInput

router = APIRouter()

ANY_JSON_BODY = {
    "requestBody": {
        "required": True,
        "description": "Any JSON value",
        "content": {"application/json": {"schema": {}}},
    }
}


@router.get("/settings", response_model=dict[str, Any], response_class=JSONResponse)
def list_settings(services: ServicesDep, _: PrincipalDep) -> JSONResponse:
    """Every setting as one object."""
    return JSONResponse(services.settings.all())


@router.get("/settings/{key}", response_class=JSONResponse)
def get_setting(key: str, services: ServicesDep, _: PrincipalDep) -> JSONResponse:
    """A setting's value, or ``null`` when it is not set."""
    return JSONResponse(services.settings.get(key))


@router.post("/settings/{key}", response_class=JSONResponse, openapi_extra=ANY_JSON_BODY)
def set_setting(key: str, body: RawBody, services: ServicesDep, _: PrincipalDep) -> JSONResponse:
    """Store any JSON value (``false``, ``0`` and ``null`` included); echoes it back."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"Failed to decode JSON body: {exc}") from None
    return JSONResponse(services.settings.set(key, value))


@router.delete("/settings/{key}", response_class=JSONResponse)
def delete_setting(key: str, services: ServicesDep, _: PrincipalDep) -> JSONResponse:
    """Forget a setting. ``deleted`` tells whether it was set."""
    return JSONResponse({"deleted": services.settings.delete(key)})
