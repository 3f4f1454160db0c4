"""Export (all buckets or one) and import, in ActivityWatch's export format."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import StreamingResponse

from hourwise.api.activitywatch.buckets import BucketId
from hourwise.api.activitywatch.schemas import (
    IMPORT_DOCUMENT,
    ImportDocument,
    bucket_from_create,
    check_bucket_id,
)
from hourwise.api.body import json_body_doc, parse_body
from hourwise.api.deps import PrincipalDep, ServicesDep
from hourwise.api.responses import JSONResponse
from hourwise.errors import InvalidInput
from hourwise.services.transfer import ImportedBucket

router = APIRouter()

EXPORT_DOC = {
    200: {
        "description": '`{"buckets": {id: bucket with "events"}}`, sent as a file download',
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


def _download(chunks, filename: str) -> StreamingResponse:
    return StreamingResponse(
        chunks,
        media_type="application/json",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


@router.get("/export", responses=EXPORT_DOC, response_class=StreamingResponse)
def export_all(services: ServicesDep, _: PrincipalDep) -> StreamingResponse:
    """Every bucket with every event, as one JSON document (streamed)."""
    keys = [bucket.id for bucket in services.buckets.list()]
    return _download(services.transfer.export(keys), "aw-buckets-export.json")


@router.get("/buckets/{bucket_id}/export", responses=EXPORT_DOC, response_class=StreamingResponse)
def export_bucket(bucket_id: BucketId, services: ServicesDep, _: PrincipalDep) -> StreamingResponse:
    """One bucket with every event, in the same format as the full export."""
    key = check_bucket_id(bucket_id)
    services.buckets.get(key)  # 404 before the download starts
    return _download(services.transfer.export([key]), f"aw-bucket-export_{key}.json")


async def _import_payloads(request: Request) -> list[bytes]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        payloads = []
        for value in form.values():
            if isinstance(value, UploadFile):
                payloads.append(await value.read())
            else:
                payloads.append(value.encode())
        if not payloads:
            raise InvalidInput("the upload contains no file")
        return payloads
    return [await request.body()]


@router.post(
    "/import",
    response_class=JSONResponse,
    openapi_extra=json_body_doc(
        IMPORT_DOCUMENT, description="An export document (JSON), or a multipart upload of one"
    ),
)
async def import_buckets(request: Request, services: ServicesDep, _: PrincipalDep) -> JSONResponse:
    """Import an export document: missing buckets are created and events merged into
    existing buckets without duplicating any that are already stored."""
    items: list[ImportedBucket] = []
    for payload in await _import_payloads(request):
        document: ImportDocument = parse_body(payload, IMPORT_DOCUMENT)
        for key, body in document.buckets.items():
            key = check_bucket_id(body.id or key)
            items.append(
                ImportedBucket(
                    bucket_from_create(key, body), [ev.to_event() for ev in body.events]
                )
            )
    summary = await run_in_threadpool(services.transfer.import_buckets, items)
    return JSONResponse({"buckets": summary})



