"""``GET /api/0/info``: who this server is (clients use it as a health check)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from hourwise.api.activitywatch.schemas import InfoOut
from hourwise.api.deps import ServerServicesDep
from hourwise.api.responses import JSONResponse

router = APIRouter()


@router.get("/info", response_model=InfoOut, response_class=JSONResponse)
def get_info(services: ServerServicesDep) -> JSONResponse:
    """Hostname, version, testing flag and device id."""
    return JSONResponse(asdict(services.info))
