"""ActivityWatch wire shapes and their conversion to domain objects.

The only place ActivityWatch JSON quirks live: ISO 8601 text timestamps (naive means
UTC), float-second durations, and buckets that carry both Python's ``last_updated``
and Rust's ``metadata``.
"""

from __future__ import annotations

import re
from itertools import chain
from typing import Annotated, Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, TypeAdapter, WithJsonSchema

from hourwise.errors import InvalidInput
from hourwise.memory import paused_gc
from hourwise.models import Bucket, Event, format_timestamp, now_us, parse_timestamp, seconds_to_us
from hourwise.models.timeutil import InvalidTimestamp

# Events must end before year 10000 (the limit of ISO 8601 text and Python datetimes).
MAX_US = 253_402_300_799_999_999
MIN_US = -62_135_596_800_000_000
MAX_DURATION_SECONDS = 100 * 366 * 86_400.0
MAX_EVENT_ID = 2**63 - 1


def _timestamp(value: Any) -> int:
    try:
        return parse_timestamp(value)
    except InvalidTimestamp as exc:
        raise ValueError(str(exc)) from None


Timestamp = Annotated[
    int,
    PlainValidator(_timestamp),
    WithJsonSchema({"type": "string", "format": "date-time", "example": "2024-01-01T08:00:00Z"}),
]
Duration = Annotated[
    float,
    Field(ge=0, le=MAX_DURATION_SECONDS, allow_inf_nan=False,
          description="Length in seconds; must not be negative."),
]
ShortText = Annotated[str, Field(max_length=1000)]


class EventIn(BaseModel):
    """An event as clients send it. An ``id`` asks to replace that stored event."""

    model_config = ConfigDict(extra="ignore")

    id: Annotated[int, Field(ge=1, le=MAX_EVENT_ID)] | None = None
    timestamp: Timestamp
    duration: Duration = 0.0
    data: dict[str, Any] = Field(default_factory=dict)

    def to_event(self) -> Event:
        duration = seconds_to_us(self.duration)
        if self.timestamp + duration > MAX_US or self.timestamp < MIN_US:
            raise InvalidInput("event must lie between the years 1 and 9999")
        return Event(self.id, self.timestamp, duration, self.data)


class EventOut(BaseModel):
    id: int | None
    timestamp: str = Field(examples=["2024-01-01T08:00:00+00:00"])
    duration: float
    data: dict[str, Any]


class BucketCreate(BaseModel):
    """What creating a bucket takes: ``client``, ``type`` and ``hostname`` are required."""

    model_config = ConfigDict(extra="ignore")

    client: ShortText
    type: ShortText
    hostname: ShortText
    name: ShortText | None = None
    created: Timestamp | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    events: list[EventIn] | None = None


class BucketUpdate(BaseModel):
    """Fields of a bucket to change; absent fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    client: ShortText | None = None
    type: ShortText | None = None
    hostname: ShortText | None = None
    name: ShortText | None = None
    data: dict[str, Any] | None = None

    def changes(self) -> dict[str, Any]:
        values = self.model_dump(exclude_unset=True)
        for required in ("client", "type", "hostname", "data"):
            if required in values and values[required] is None:
                raise InvalidInput(f"{required} cannot be null")
        return values


class BucketMetadata(BaseModel):
    start: str | None
    end: str | None


class BucketOut(BaseModel):
    id: str
    name: str | None
    type: str
    client: str
    hostname: str
    created: str
    data: dict[str, Any]
    metadata: BucketMetadata
    last_updated: str | None = None


class ImportBucket(BaseModel):
    """One bucket of an export document."""

    model_config = ConfigDict(extra="ignore")

    id: ShortText | None = None
    type: ShortText
    client: ShortText
    hostname: ShortText
    name: ShortText | None = None
    created: Timestamp | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    events: list[EventIn] = Field(default_factory=list)


class ImportDocument(BaseModel):
    """The export format: ``{"buckets": {bucket_id: bucket with events}}``."""

    buckets: dict[str, ImportBucket]


class InfoOut(BaseModel):
    hostname: str
    version: str
    testing: bool
    device_id: str


EVENTS_IN = TypeAdapter(EventIn | list[EventIn])  # documents the body
EVENT_LIST_IN = TypeAdapter(list[EventIn])
HEARTBEAT_IN = TypeAdapter(EventIn)
BUCKET_CREATE = TypeAdapter(BucketCreate)
BUCKET_UPDATE = TypeAdapter(BucketUpdate)
IMPORT_DOCUMENT = TypeAdapter(ImportDocument)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_bucket_id(bucket_id: str) -> str:
    """Bucket ids: 1 to 512 characters of valid text without control characters."""
    if not bucket_id or len(bucket_id) > 512:
        raise InvalidInput("bucket id must be 1 to 512 characters long")
    if _CONTROL.search(bucket_id):
        raise InvalidInput("bucket id cannot contain control characters")
    try:
        bucket_id.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("bucket id is not valid UTF-8") from None
    return bucket_id


def _check_text(value: str, field: str) -> str:
    if "\x00" in value:
        raise InvalidInput(f"{field} cannot contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{field} is not valid UTF-8") from None
    return value


def bucket_from_create(bucket_id: str, body: BucketCreate | ImportBucket) -> Bucket:
    """A domain bucket from a create (or import) body."""
    for field in ("client", "type", "hostname"):
        _check_text(getattr(body, field), field)
    if body.name is not None:
        _check_text(body.name, "name")
    return Bucket(
        id=bucket_id,
        type=body.type,
        client=body.client,
        hostname=body.hostname,
        created=body.created if body.created is not None else now_us(),
        data=body.data,
        name=body.name,
    )


def query_time(value: str | None, name: str) -> int | None:
    """A ``start``/``end`` query parameter as microseconds, or None when absent."""
    if value is None or value == "":
        return None
    try:
        return parse_timestamp(value)
    except InvalidTimestamp as exc:
        raise InvalidInput(f"invalid {name}: {exc}") from None


# orjson reads an integer of 2**64 or more as a float, silently changing it. Any float
# that large could be such an integer, so a value beyond these bounds sends the event
# to the exact path (which keeps integers exact and refuses what cannot be stored).
_FLOAT_LOW, _FLOAT_HIGH = -(2.0**63), 2.0**64


def _plain_numbers(value: Any) -> bool:
    """True when no number inside ``value`` may have been an integer orjson changed."""
    for item in value.values() if type(value) is dict else value:
        kind = type(item)
        if kind is float:
            if not _FLOAT_LOW < item < _FLOAT_HIGH:
                return False
        elif (kind is dict or kind is list) and not _plain_numbers(item):
            return False
    return True


def plain_event(item: Any) -> Event | None:
    """An Event from a decoded JSON object when it is plainly valid, else None.

    Accepts a strict subset of what ``EventIn`` accepts (exact types only), so that
    anything unusual takes the pydantic path and gets its precise error message.
    """
    if type(item) is not dict:
        return None
    timestamp = item.get("timestamp")
    duration = item.get("duration", 0)
    data = item.get("data", {})
    ident = item.get("id")
    if type(timestamp) is not str or type(data) is not dict or not _plain_numbers(data):
        return None
    if type(duration) is not float and type(duration) is not int:
        return None
    if not 0 <= duration <= MAX_DURATION_SECONDS:  # also rejects NaN
        return None
    if ident is not None and (type(ident) is not int or not 1 <= ident <= MAX_EVENT_ID):
        return None
    try:
        start = parse_timestamp(timestamp)
    except InvalidTimestamp:
        return None
    length = seconds_to_us(duration)
    if start + length > MAX_US or start < MIN_US:
        return None
    return Event(ident, start, length, data)


def parse_events_body(body: bytes) -> list[Event]:
    """One event object or a list of them, as domain events.

    Bulk inserts are the hot path, so plainly valid bodies are decoded with orjson and
    checked by hand; anything else goes through the pydantic models, which either
    accept it or explain exactly what is wrong. The first byte picks the shape, so a
    mistake is reported against the shape that was sent.
    """
    from hourwise.api.body import parse_body

    is_list = body.lstrip()[:1] == b"["
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError:
        decoded = None
    if decoded is not None:
        items = decoded if is_list and type(decoded) is list else [decoded]
        events = [plain_event(item) for item in items]
        if None not in events:
            return events  # type: ignore[return-value]
    parsed = parse_body(body, EVENT_LIST_IN) if is_list else [parse_body(body, HEARTBEAT_IN)]
    return [item.to_event() for item in parsed]


def listing_json(rows: list[tuple[int, int, int, int]], texts: dict[int, str]) -> bytes:
    """A JSON array of events written directly from stored rows: each event's data is the
    stored canonical JSON text, so nothing is decoded and re-encoded. The same values as
    orjson would write for those events (a tiny duration may be written ``1e-06`` rather
    than ``1e-6``).

    Built as bytes: each event's head (id, timestamp, duration) is ASCII text, encoded
    on its own, and each distinct data text is encoded once; joining those is much
    cheaper than joining one big ``str`` and encoding it, which widens the whole string
    to 2 or 4 bytes a character as soon as one title holds a non-ASCII letter.
    """
    if not rows:
        return b"[]"
    fmt = format_timestamp
    data = {data_id: text.encode() for data_id, text in texts.items()}
    with paused_gc():
        # every head closes the event before it; the first head's leading "}," is cut off below
        heads = [
            f'}},{{"id":{ident},"timestamp":"{fmt(s)}","duration":{(e - s) / 1_000_000!r},"data":'
            for ident, s, e, _ in rows
        ]
        heads[0] = "[" + heads[0][2:]
        pieces = zip(map(str.encode, heads), [data[row[3]] for row in rows])
        return b"".join(chain(chain.from_iterable(pieces), (b"}]",)))
