"""Bucket routes: list, get, create, update, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from hourwise.api.activitywatch.schemas import (
    BUCKET_CREATE,
    BUCKET_UPDATE,
    BucketOut,
    bucket_from_create,
    check_bucket_id,
)
from hourwise.api.body import RawBody, json_body_doc, parse_body
from hourwise.api.deps import PrincipalDep, ServicesDep
from hourwise.api.responses import JSONResponse

router = APIRouter()

BucketId = Annotated[str, Path(description="The bucket id, e.g. aw-watcher-window_myhost")]


@router.get("/buckets", response_model=dict[str, BucketOut], response_class=JSONResponse)
def list_buckets(services: ServicesDep, _: PrincipalDep) -> JSONResponse:
    """Every bucket, keyed by id."""
    return JSONResponse({bucket.id: bucket.to_json() for bucket in services.buckets.list()})


@router.get(
    "/buckets/{bucket_id}",
    response_model=BucketOut,
    response_class=JSONResponse,
    responses={404: {"description": "No such bucket"}},
)
def get_bucket(bucket_id: BucketId, services: ServicesDep, _: PrincipalDep) -> JSONResponse:
    """One bucket's metadata."""
    return JSONResponse(services.buckets.get(check_bucket_id(bucket_id)).to_json())


@router.post(
    "/buckets/{bucket_id}",
    responses={
        200: {"description": "Created"},
        304: {"description": "A bucket with this id already exists; nothing changed"},
    },
    openapi_extra=json_body_doc(BUCKET_CREATE),
)
def create_bucket(
    bucket_id: BucketId, body: RawBody, services: ServicesDep, _: PrincipalDep
) -> Response:
    """Create a bucket. Answers 304 when it exists already (nothing is changed)."""
    payload = parse_body(body, BUCKET_CREATE)
    bucket = bucket_from_create(check_bucket_id(bucket_id), payload)
    events = [event.to_event() for event in payload.events or []]
    if not services.buckets.create(bucket, events):
        return Response(status_code=304)
    return JSONResponse({})


@router.put(
    "/buckets/{bucket_id}",
    response_model=BucketOut,
    response_class=JSONResponse,
    openapi_extra=json_body_doc(BUCKET_UPDATE),
)
def update_bucket(
    bucket_id: BucketId, body: RawBody, services: ServicesDep, _: PrincipalDep
) -> JSONResponse:
    """Change a bucket's client, type, hostname, name or data."""
    changes = parse_body(body, BUCKET_UPDATE).changes()
    bucket = services.buckets.update(check_bucket_id(bucket_id), changes)
    return JSONResponse(bucket.to_json())


@router.delete("/buckets/{bucket_id}", response_class=JSONResponse)
def delete_bucket(
    bucket_id: BucketId,
    services: ServicesDep,
    _: PrincipalDep,
    force: Annotated[bool, Query(description="Required outside testing mode")] = False,
) -> JSONResponse:
    """Delete a bucket and all its events (needs ``?force=1`` outside testing mode)."""
    services.buckets.delete(check_bucket_id(bucket_id), force=force)
    return JSONResponse({})
