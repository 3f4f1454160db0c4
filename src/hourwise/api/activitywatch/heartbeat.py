"""``POST /api/0/buckets/<id>/heartbeat?pulsetime=<seconds>``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hourwise.api.activitywatch.buckets import BucketId
from hourwise.api.activitywatch.schemas import (
    HEARTBEAT_IN,
    EventOut,
    check_bucket_id,
    parse_events_body,
)
from hourwise.api.body import RawBody, json_body_doc
from hourwise.api.deps import PrincipalDep, ServicesDep
from hourwise.api.responses import JSONResponse
from hourwise.errors import InvalidInput
from hourwise.models import seconds_to_us

router = APIRouter()

MAX_PULSETIME = 7 * 86_400.0


@router.post(
    "/buckets/{bucket_id}/heartbeat",
    response_model=EventOut,
    response_class=JSONResponse,
    openapi_extra=json_body_doc(HEARTBEAT_IN),
)
def post_heartbeat(
    bucket_id: BucketId,
    body: RawBody,
    services: ServicesDep,
    _: PrincipalDep,
    pulsetime: Annotated[
        float | None,
        Query(ge=0, le=MAX_PULSETIME, allow_inf_nan=False,
              description="Seconds after the last event's end within which a heartbeat merges"),
    ] = None,
) -> JSONResponse:
    """Merge a heartbeat into the bucket's last event, or store it as a new one."""
    if pulsetime is None:
        raise InvalidInput("Missing required parameter pulsetime")
    if body.lstrip()[:1] == b"[":
        raise InvalidInput("a heartbeat is one event object, not a list")
    (heartbeat,) = parse_events_body(body)
    result = services.heartbeats.heartbeat(
        check_bucket_id(bucket_id), heartbeat, seconds_to_us(pulsetime)
    )
    return JSONResponse(result.to_json())
