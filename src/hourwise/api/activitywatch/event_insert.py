"""Bulk event inserts, from request body to store rows to response, with few objects.

``POST /api/0/buckets/<id>/events`` is how data is loaded (a watcher's queue flushed,
an import, a benchmark), up to thousands of events per request. A plainly valid body is
decoded once with orjson and read column by column (timestamps, durations, data, ids),
mostly by C-level ``map`` passes rather than Python code per event; the store takes the
columns as they are (``NewEvents``), and the response is written from them, with each
event's canonical data JSON inserted as is. Anything unusual goes through
``parse_events_body`` (pydantic), so error messages have one implementation.
"""

from __future__ import annotations

from datetime import datetime
from itertools import repeat
from operator import add, mul
from typing import Any

import numpy as np
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
from hourwise.store.event_writes import NewEvent, NewEvents

_SORT_KEYS = orjson.OPT_SORT_KEYS
_fromisoformat = datetime.fromisoformat
_get = dict.get
_dumps = orjson.dumps

_NO_DATA: dict[str, Any] = {}  # the data of events sent without: only read, never changed
_STRINGS = frozenset([str])
_DICTS = frozenset([dict])
_NUMBERS = frozenset([int, float])
_ECHO_SIZES = frozenset([25, 32])


class Batch:
    """Parsed events as columns (``events``), and each event's timestamp as the response
    writes it (``stamps``; None: the response formats the stored starts).

    Unpacks as the pair (rows, stamps), rows being ``NewEvent`` tuples, for callers and
    tests that compare it with the exact path's rows.
    """

    __slots__ = ("events", "stamps")

    def __init__(self, events: NewEvents, stamps: list[str] | None):
        self.events = events
        self.stamps = stamps

    def __iter__(self):
        yield self.events.rows()
        yield self.stamps


_DIGIT_COLUMNS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
_UTC_SUFFIX = np.frombuffer(b"+00:00", np.uint8)
_FRACTION_WEIGHTS = np.array([100_000, 10_000, 1_000, 100, 10, 1], np.int64)
# days in each month (index 1-12) of a common year
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)


def _days_since_epoch(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days from 1970-01-01 to each proleptic Gregorian date (year >= 1).

    Counts from a year starting on March 1, so the leap day is the last day of its year:
    a month's first day is then a fixed linear function of the month, and whole 400-year
    cycles have 146,097 days.
    """
    march_year = year - (month <= 2)
    cycle, year_of_cycle = np.divmod(march_year, 400)
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_cycle = (year_of_cycle * 365 + year_of_cycle // 4 - year_of_cycle // 100
                    + day_of_year)
    return cycle * 146_097 + day_of_cycle - 719_468  # (0000-03-01 to 1970-01-01)


def _utc_starts(stamps: list[str]) -> list[int] | None:
    """Microseconds since the epoch of timestamps that are all exactly in the form the
    response echoes (YYYY-MM-DDTHH:MM:SS+00:00, or with a non-zero .ffffff: what
    ActivityWatch clients send), a column of digits at a time; None when one is in any
    other form or not a real date and time (``_read_timestamps`` then reads them one by
    one, and decides)."""
    count = len(stamps)
    # 25 or 32 characters, ASCII, no NUL (which the fixed-width array would drop)
    if not _ECHO_SIZES.issuperset(map(len, stamps)) or "\0" in "".join(stamps):
        return None
    try:
        text = np.array(stamps, dtype="S32").view(np.uint8).reshape(count, 32)
    except UnicodeEncodeError:
        return None
    fraction = text[:, 19] == 46  # "."
    whole = ~fraction
    if not (
        ((text[:, _DIGIT_COLUMNS] - 48) < 10).all()  # (uint8: below "0" wraps round)
        and (text[:, 4] == 45).all() and (text[:, 7] == 45).all()  # "-"
        and (text[:, 10] == 84).all()  # "T"
        and (text[:, 13] == 58).all() and (text[:, 16] == 58).all()  # ":"
        and (text[fraction, 26:32] == _UTC_SUFFIX).all()
        and ((text[fraction, 20:26] - 48) < 10).all()
        and (text[whole, 19:25] == _UTC_SUFFIX).all()
        and (text[whole, 25] == 0).all()  # 25 characters
    ):
        return None
    digits = text[:, :26].astype(np.int64) - 48
    year = ((digits[:, 0] * 10 + digits[:, 1]) * 10 + digits[:, 2]) * 10 + digits[:, 3]
    month = digits[:, 5] * 10 + digits[:, 6]
    day = digits[:, 8] * 10 + digits[:, 9]
    hour = digits[:, 11] * 10 + digits[:, 12]
    minute = digits[:, 14] * 10 + digits[:, 15]
    second = digits[:, 17] * 10 + digits[:, 18]
    micro = digits[:, 20:26] @ _FRACTION_WEIGHTS
    micro[whole] = 0
    valid_month = (month >= 1) & (month <= 12)
    month_days = _MONTH_DAYS[np.where(valid_month, month, 0)] + (
        (month == 2) & (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0)))
    if not (
        (year >= 1).all() and valid_month.all() and (day >= 1).all()
        and (day <= month_days).all() and (hour <= 23).all() and (minute <= 59).all()
        and (second <= 59).all()
        and (micro[fraction] != 0).all()  # .000000 is written in the stored form instead
    ):
        return None
    seconds = (_days_since_epoch(year, month, day) * 86_400
               + hour * 3_600 + minute * 60 + second)
    return (seconds * 1_000_000 + micro).tolist()


def _read_timestamps(stamps: list[str]) -> tuple[list[int], list[str | None]] | None:
    """Each timestamp as parse_timestamp reads it (microseconds), and its text when the
    response can echo it (else None: written from the start); None when one is invalid."""
    starts: list[int] = []
    texts: list[str | None] = []
    add_start = starts.append
    add_text = texts.append
    for timestamp in stamps:
        # An extended-format date-time goes to datetime.fromisoformat directly,
        # anything else to parse_timestamp itself.
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
        add_start(start)
        add_text(stamp)
    return starts, texts


def plain_batch(body: bytes) -> Batch | None:
    """The events of a body (one object or a list) as columns when every one is plainly
    valid; None otherwise, and the caller takes the exact path.

    Accepts exactly what ``schemas.plain_event`` accepts, and additionally needs each
    event's data to be storable (``canonical_json``), so nothing is refused here that
    the exact path would explain differently.
    """
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    items = decoded if type(decoded) is list else [decoded]
    count = len(items)
    try:
        # dict.get refuses anything but a dict (TypeError): the items' type check
        stamps = list(map(_get, items, repeat("timestamp")))
        durations = list(map(_get, items, repeat("duration"), repeat(0)))
        datas = list(map(_get, items, repeat("data"), repeat(_NO_DATA)))
        idents: list[Any] | None = list(map(_get, items, repeat("id")))
    except TypeError:
        return None
    if not (
        _STRINGS.issuperset(map(type, stamps))
        and _DICTS.issuperset(map(type, datas))
        and _NUMBERS.issuperset(map(type, durations))  # (bool is not int here)
    ):
        return None
    if count and not 0 <= min(durations) <= max(durations) <= MAX_DURATION_SECONDS:
        return None  # (orjson never reads NaN)
    if idents.count(None) == count:
        idents = None
    else:
        for ident in idents:
            if ident is not None and (type(ident) is not int or not 1 <= ident <= MAX_EVENT_ID):
                return None
    try:
        texts = list(map(_dumps, datas, repeat(None), repeat(_SORT_KEYS)))
    except (orjson.JSONEncodeError, TypeError):
        return None
    # Numbers orjson may have changed, once per distinct data object: a bulk insert
    # repeats the same few objects many times.
    for data in dict(zip(texts, datas)).values():
        if not _plain_numbers(data):
            return None
    starts = _utc_starts(stamps) if count else None
    if starts is not None:
        echoed: list[Any] = stamps
    else:
        read = _read_timestamps(stamps)
        if read is None:
            return None
        starts, echoed = read
    ends = list(map(add, starts, map(round, map(mul, durations, repeat(1_000_000)))))
    if count and (max(ends) > MAX_US or min(starts) < MIN_US):
        return None
    if None in echoed:  # (formatted only once the range is known to be valid)
        echoed = [stamp if stamp is not None else format_timestamp(start)
                  for stamp, start in zip(echoed, starts)]
    return Batch(NewEvents(idents, starts, ends, texts), echoed)


def events_batch(events: list[Event]) -> list[NewEvent]:
    """``NewEvent`` rows for parsed events (InvalidInput if some data cannot be stored)."""
    return [(ev.id, ev.start, ev.start + ev.duration, canonical_json(ev.data)) for ev in events]


def parse_batch(body: bytes) -> Batch:
    """The events of a request body as columns, or InvalidInput/InvalidBody saying what
    is wrong."""
    batch = plain_batch(body)
    if batch is None:
        batch = Batch(NewEvents.from_rows(events_batch(parse_events_body(body))), None)
    return batch


def inserted_json(batch: Batch, ids: list[int]) -> bytes:
    """The inserted events with their ids, as a JSON array: the values ``Event.to_json``
    gives, with each event's canonical data JSON written as is (``orjson.Fragment``)."""
    events = batch.events
    starts = events.starts
    stamps = batch.stamps
    if stamps is None:
        stamps = list(map(format_timestamp, starts))
    fragment = orjson.Fragment
    return _dumps([
        {"id": ident, "timestamp": stamp, "duration": (end - start) / 1_000_000,
         "data": fragment(text)}
        for ident, stamp, start, end, text in zip(ids, stamps, starts, events.ends, events.texts)
    ])


def insert_response(services: Services, bucket_id: str, body: bytes) -> bytes:
    """Insert the events of a request body into a bucket; the response body."""
    # Tens of thousands of short-lived objects, none in cycles: the collector is paused,
    # and they are released before it resumes, so its first pass has nothing to scan.
    with paused_gc():
        batch = parse_batch(body)
        ids = services.buckets.insert_events_columns(check_bucket_id(bucket_id), batch.events)
        payload = inserted_json(batch, ids)
        del batch, ids
    return payload
