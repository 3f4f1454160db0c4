"""A direct path for the two writes clients send most: heartbeats and event inserts.

The documented routes (``heartbeat.py``, ``events.py``) go through FastAPI's routing,
dependency resolution and a thread-pool hop, which together cost several times what a
heartbeat's merge itself does, and a noticeable share of a bulk insert. This layer
answers a plainly valid heartbeat or event list directly, with the same principal
check, the same service calls and the same response. Anything else (a body or query it
does not find plainly valid) is replayed unchanged to the documented route, so error
messages and edge cases have exactly one implementation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.concurrency import run_in_threadpool

from hourwise.api.activitywatch.event_insert import inserted_json, plain_batch
from hourwise.api.activitywatch.heartbeat import MAX_PULSETIME
from hourwise.api.activitywatch.schemas import check_bucket_id, plain_event
from hourwise.api.responses import send_bytes, send_json
from hourwise.errors import HourwiseError
from hourwise.memory import paused_gc
from hourwise.models import Event, seconds_to_us
from hourwise.services import Services

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]

_WRITE_PATH = re.compile(r"/api/0/buckets/([^/]+)/(heartbeat|events)")
# What watchers send: the one parameter, a plain decimal number. parse_qsl would read
# it the same way, at several times the cost.
_PLAIN_PULSETIME = re.compile(rb"pulsetime=([0-9]+(?:\.[0-9]*)?)")


def _pulsetime(query_string: bytes) -> float | None:
    plain = _PLAIN_PULSETIME.fullmatch(query_string)
    if plain is not None:
        value = float(plain.group(1))
        return value if value <= MAX_PULSETIME else None
    params = dict(parse_qsl(query_string.decode("latin-1")))
    params.pop("token", None)  # a credential, already checked by AuthGate
    params.pop("key", None)
    if set(params) != {"pulsetime"}:
        return None
    try:
        value = float(params["pulsetime"])
    except ValueError:
        return None
    return value if math.isfinite(value) and 0 <= value <= MAX_PULSETIME else None


def plain_heartbeat(query_string: bytes, body: bytes) -> tuple[Event, int] | None:
    """A plainly valid heartbeat request's event and pulsetime (microseconds), or None.

    None sends the request to the documented route, which answers every other case.
    """
    pulsetime = _pulsetime(query_string)
    if pulsetime is None or body.lstrip()[:1] != b"{":
        return None
    try:
        heartbeat = plain_event(orjson.loads(body))
    except orjson.JSONDecodeError:
        return None
    if heartbeat is None:
        return None
    return heartbeat, seconds_to_us(pulsetime)


class WriteFastPath:
    def __init__(self, app: ASGIApp, services: Services, *, inline_writes: bool):
        self.app = app
        self.services = services
        # Only SQLite writes are quick enough to run on the event loop.
        self.inline_writes = inline_writes

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        match = (
            _WRITE_PATH.fullmatch(scope["path"])
            if scope["type"] == "http" and scope["method"] == "POST"
            else None
        )
        if match is None:
            await self.app(scope, receive, send)
            return

        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)  # disconnected: let the route see it
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)

        try:
            if match.group(2) == "events":
                payload = await run_in_threadpool(self._insert, scope, match.group(1), body)
            else:
                payload = await self._heartbeat(scope, match.group(1), body)
        except HourwiseError as exc:
            await send_json(send, exc.status, exc.body())
            return
        if payload is None:
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if replayed:
                    return await receive()
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}

            await self.app(scope, replay, send)
            return
        await send_bytes(send, payload)

    async def _heartbeat(self, scope: MutableMapping[str, Any], bucket_id: str,
                         body: bytes) -> bytes | None:
        """The merged or new event's JSON, or None when the request is not plainly valid."""
        plain = plain_heartbeat(scope.get("query_string", b""), body)
        if plain is None:
            return None
        heartbeat, pulse_us = plain
        principal = scope["state"]["principal"]  # set by AuthGate
        key = check_bucket_id(bucket_id)
        service = self.services.for_user(principal.user_id).heartbeats
        result = service.heartbeat_nowait(key, heartbeat, pulse_us) if self.inline_writes else None
        if result is None:
            result = await run_in_threadpool(service.heartbeat, key, heartbeat, pulse_us)
        return orjson.dumps(result.to_json())

    def _insert(self, scope: MutableMapping[str, Any], bucket_id: str, body: bytes) -> bytes | None:
        """The inserted events' JSON, or None when the body is not plainly valid (runs in
        a worker thread: parsing thousands of events would hold up the event loop)."""
        # Many short-lived objects, none in cycles: see events.insert_events.
        with paused_gc():
            batch = plain_batch(body)
            if batch is None:
                return None
            principal = scope["state"]["principal"]  # set by AuthGate
            service = self.services.for_user(principal.user_id).buckets
            ids = service.insert_events_columns(check_bucket_id(bucket_id), batch.events)
            payload = inserted_json(batch, ids)
            del batch, ids
        return payload
