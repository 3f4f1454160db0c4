"""Bulk event inserts, from request body to store rows to response, with few objects.

``POST /api/0/buckets/<id>/events`` is how data is loaded (a watcher's queue flushed,
an import, a benchmark), up to thousands of events per request. A plainly valid body is
decoded once with orjson and each item goes straight to a ``NewEvent`` row tuple (start,
end, canonical data JSON); the response is written from those tuples, with the canonical
JSON inserted as is. Anything unusual goes through ``parse_events_body`` (pydantic), so
error messages have one implementation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from hourwise.api.activitywatch.schemas import (
    MAX_DURATION_SECONDS,
    MAX_EVENT_ID,
    MAX_US,
    MIN_US,
    _plain_numbers,
    check_bucket_id,
    parse_events_body,
)
from hourwise.memory import paused_gc
from hourwise.models import Event, format_timestamp, parse_timestamp
from hourwise.models.timeutil import EPOCH, UTC, InvalidTimestamp
from hourwise.services import Services
from hourwise.store.datacodec import canonical_json
from hourwise.store.event_writes import NewEvent

_SORT_KEYS = orjson.OPT_SORT_KEYS
_fromisoformat = datetime.fromisoformat

_NO_DATA: dict[str, Any] = {}  # the data of events sent without: only read, never changed

# A parsed body: the rows, and each event's timestamp as the response writes it (or
# None, and the response formats the stored start).
Batch = tuple[list[NewEvent], list[str] | None]


def plain_batch(body: bytes) -> Batch | None:
    """The events of a body (one object or a list) as ``NewEvent`` rows when every one
    is plainly valid; None otherwise, and the caller takes the exact path.

    Accepts exactly what ``schemas.plain_event`` accepts, and additionally needs each
    event's data to be storable (``canonical_json``), so nothing is refused here that
    the exact path would explain differently.
    """
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    items = decoded if type(decoded) is list else [decoded]
    rows: list[NewEvent] = []
    stamps: list[str] = []
    add_row = rows.append
    add_stamp = stamps.append
    dumps = orjson.dumps
    for item in items:
        if type(item) is not dict:
            return None
        timestamp = item.get("timestamp")
        duration = item.get("duration", 0)
        data = item.get("data", _NO_DATA)
        ident = item.get("id")
        if type(timestamp) is not str or type(data) is not dict:
            return None
        for value in data.values():
            if type(value) is not str and not _plain_numbers([value]):
                return None
        kind = type(duration)
        if (kind is not float and kind is not int) or not 0 <= duration <= MAX_DURATION_SECONDS:
            return None  # (the range test also refuses NaN)
        if ident is not None and (type(ident) is not int or not 1 <= ident <= MAX_EVENT_ID):
            return None
        try:
            text = dumps(data, None, _SORT_KEYS)
        except (orjson.JSONEncodeError, TypeError):
            return None

        # The timestamp, as parse_timestamp reads it: an extended-format date-time goes
        # to datetime.fromisoformat directly, anything else to parse_timestamp itself.
        moment = None
        if timestamp[4:8:3] == "--":  # parse_timestamp's extended-date rule (YYYY-MM-DD)
            try:
                moment = _fromisoformat(timestamp)
                zone = moment.tzinfo
                if zone is not UTC:
                    moment = moment.replace(tzinfo=UTC) if zone is None else moment.astimezone(UTC)
            except (ValueError, OverflowError):
                moment = None
        if moment is None:
            try:
                start = parse_timestamp(timestamp)
            except InvalidTimestamp:
                return None
            stamp = None
        else:
            delta = moment - EPOCH
            start = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
            # Text in the form format_timestamp writes, YYYY-MM-DDTHH:MM:SS+00:00 or with
            # a non-zero .ffffff (datetime.isoformat() in UTC, which ActivityWatch clients
            # send), is echoed in the response rather than written again.
            size = len(timestamp)
            if (
                (size == 25 or (size == 32 and timestamp[19] == "." and moment.microsecond))
                and timestamp.endswith("+00:00") and timestamp[10:17:3] == "T::"
            ):
                stamp = timestamp
            else:
                stamp = None

        end = start + round(duration * 1_000_000)
        if end > MAX_US or start < MIN_US:
            return None
        if stamp is None:
            stamp = format_timestamp(start)
        add_row((ident, start, end, text))
        add_stamp(stamp)
    return rows, stamps


def events_batch(events: list[Event]) -> list[NewEvent]:
    """``NewEvent`` rows for parsed events (InvalidInput if some data cannot be stored)."""
    return [(ev.id, ev.start, ev.start + ev.duration, canonical_json(ev.data)) for ev in events]


def parse_batch(body: bytes) -> Batch:
    """The events of a request body as ``NewEvent`` rows, or InvalidInput/InvalidBody
    saying what is wrong."""
    batch = plain_batch(body)
    return batch if batch is not None else (events_batch(parse_events_body(body)), None)


def inserted_json(batch: Batch, ids: list[int]) -> bytes:
    """The inserted events with their ids, as a JSON array: the values ``Event.to_json``
    gives, with each event's canonical data JSON written as is (``orjson.Fragment``)."""
    rows, stamps = batch
    if stamps is None:
        stamps = [format_timestamp(start) for _, start, _, _ in rows]
    fragment = orjson.Fragment
    out: list[dict[str, Any]] = [
        {"id": ident, "timestamp": stamp, "duration": (end - start) / 1_000_000,
         "data": fragment(text)}
        for ident, stamp, (_, start, end, text) in zip(ids, stamps, rows)
    ]
    return orjson.dumps(out)


def insert_response(services: Services, bucket_id: str, body: bytes) -> bytes:
    """Insert the events of a request body into a bucket; the response body."""
    # Tens of thousands of short-lived objects, none in cycles: the collector is paused,
    # and they are released before it resumes, so its first pass has nothing to scan.
    with paused_gc():
        batch = parse_batch(body)
        ids = services.buckets.insert_batch(check_bucket_id(bucket_id), batch[0])
        payload = inserted_json(batch, ids)
        del batch, ids
    return payload
