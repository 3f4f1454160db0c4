"""Event routes: list, count, get, insert or replace, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from hourwise.api.activitywatch.buckets import BucketId
from hourwise.api.activitywatch.event_insert import insert_response
from hourwise.api.activitywatch.schemas import (
    EVENTS_IN,
    MAX_EVENT_ID,
    EventOut,
    check_bucket_id,
    listing_json,
    query_time,
)
from hourwise.api.body import RawBody, json_body_doc
from hourwise.api.deps import PrincipalDep, ServicesDep
from hourwise.api.responses import JSONResponse

router = APIRouter()

EventId = Annotated[int, Path(ge=1, le=MAX_EVENT_ID)]
Start = Annotated[str | None, Query(description="ISO 8601; events ending before it are left out")]
End = Annotated[str | None, Query(description="ISO 8601; events starting after it are left out")]


@router.get("/buckets/{bucket_id}/events", response_model=list[EventOut],
            response_class=JSONResponse)
def get_events(
    bucket_id: BucketId,
    services: ServicesDep,
    _: PrincipalDep,
    start: Start = None,
    end: End = None,
    limit: Annotated[int, Query(ge=-1, description="-1 means no limit")] = -1,
) -> JSONResponse:
    """Events overlapping [start, end], newest first, clipped to the range."""
    rows, texts = services.buckets.listing(
        check_bucket_id(bucket_id),
        query_time(start, "start"),
        query_time(end, "end"),
        None if limit == -1 else limit,
    )
    return Response(listing_json(rows, texts), media_type="application/json")


@router.get("/buckets/{bucket_id}/events/count", response_model=int, response_class=JSONResponse)
def count_events(
    bucket_id: BucketId,
    services: ServicesDep,
    _: PrincipalDep,
    start: Start = None,
    end: End = None,
) -> JSONResponse:
    """How many events overlap [start, end]."""
    count = services.buckets.count(
        check_bucket_id(bucket_id), query_time(start, "start"), query_time(end, "end")
    )
    return JSONResponse(count)


@router.get("/buckets/{bucket_id}/events/{event_id}", response_model=EventOut,
            response_class=JSONResponse)
def get_event(
    bucket_id: BucketId, event_id: EventId, services: ServicesDep, _: PrincipalDep
) -> JSONResponse:
    """One event by id."""
    return JSONResponse(services.buckets.event(check_bucket_id(bucket_id), event_id).to_json())


@router.post(
    "/buckets/{bucket_id}/events",
    response_model=list[EventOut],
    response_class=JSONResponse,
    openapi_extra=json_body_doc(
        EVENTS_IN, description="One event or a list; an event with an id replaces that event"
    ),
)
def insert_events(
    bucket_id: BucketId, body: RawBody, services: ServicesDep, _: PrincipalDep
) -> JSONResponse:
    """Insert events (one object or a list). Returns them with their ids."""
    return Response(insert_response(services, bucket_id, body), media_type="application/json")


@router.delete("/buckets/{bucket_id}/events/{event_id}", response_class=JSONResponse)
def delete_event(
    bucket_id: BucketId, event_id: EventId, services: ServicesDep, _: PrincipalDep
) -> JSONResponse:
    """Delete one event. ``success`` counts the events deleted (0 or 1)."""
    deleted = services.buckets.delete_event(check_bucket_id(bucket_id), event_id)
    return JSONResponse({"success": int(deleted)})
