"""The ActivityWatch-compatible REST API under ``/api/0``."""

from fastapi import APIRouter

from hourwise.api.activitywatch import buckets, events, heartbeat, info, query, settings, transfer


def build_router() -> APIRouter:
    """Every ``/api/0`` route, in one router."""
    router = APIRouter(prefix="/api/0", tags=["ActivityWatch"])
    for module in (info, buckets, events, heartbeat, transfer, settings, query):
        router.include_router(module.router)
    return router
