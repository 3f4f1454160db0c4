"""The bulk-insert parser (api.activitywatch.event_insert) against the exact path.

``plain_batch`` must accept only what the exact path (``parse_events_body``) accepts,
produce the same rows, and echo a timestamp only when it is exactly what
``format_timestamp`` writes for the stored start.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hourwise.api.activitywatch.event_insert import events_batch, inserted_json, plain_batch
from hourwise.api.activitywatch.schemas import parse_events_body
from hourwise.errors import HourwiseError
from hourwise.models import format_timestamp


def exact(body: bytes):
    """The exact path's rows, or the error it answers with."""
    try:
        return events_batch(parse_events_body(body))
    except HourwiseError as exc:
        return type(exc)


def check(body: bytes) -> None:
    fast = plain_batch(body)
    reference = exact(body)
    if fast is None:
        return  # the exact path decides, whatever it is
    rows, stamps = fast
    assert rows == reference
    assert stamps == [format_timestamp(start) for _, start, _, _ in rows]


TIMESTAMPS = [
    "2024-01-01T08:00:00+00:00",
    "2024-01-01T08:00:00.123456+00:00",
    "2024-01-01T08:00:00.000000+00:00",  # fraction written out: not the stored form
    "2024-01-01T08:00:00.100+00:00",
    "2024-01-01T08:00:00Z",
    "2024-01-01T08:00:00.5Z",
    "2024-01-01T08:00:00-00:00",
    "2024-01-01T10:00:00+02:00",
    "2024-01-01T08:00:00",
    "2024-01-01 08:00:00+00:00",
    "2024-01-01",
    "2024-01-01T08:00:02.123456789Z",
    " 2024-01-01T08:00:00+00:00",
    "2024-01-01T08:00:00+00:00 ",
    "20240101T080000",
    "2024-W01-1",
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:30:00+01:00",  # before the year 1 in UTC
    "9999-12-31T23:59:59.999999+00:00",
    "9999-12-31T23:00:00-01:00",  # after the year 9999 in UTC
    "2024-02-30T08:00:00+00:00",
    "2024-01-01T24:00:00+00:00",
    "2024-01-01T08:00:00+00:00:00",
    "2024-01-01T08:00:00.12345+00:00",
    "2024-01-01T08:00:00,123456+00:00",
    "２０２４-01-01T08:00:00+00:00",
    "",
]


@pytest.mark.parametrize("timestamp", TIMESTAMPS)
def test_timestamps_read_as_the_exact_path_reads_them(timestamp):
    check(orjson.dumps([{"timestamp": timestamp, "duration": 1.5, "data": {"a": 1}}]))
    check(orjson.dumps({"timestamp": timestamp}))


def test_isoformat_text_is_echoed_and_other_forms_rewritten():
    _, stamps = plain_batch(orjson.dumps([
        {"timestamp": "2024-01-01T08:00:00.123456+00:00"},
        {"timestamp": "2024-01-01T08:00:00.000000+00:00"},
        {"timestamp": "2024-01-01T08:00:00Z"},
        {"timestamp": "2024-01-01T10:00:00+02:00"},
    ]))
    assert stamps == ["2024-01-01T08:00:00.123456+00:00"] + ["2024-01-01T08:00:00+00:00"] * 3


T = '"timestamp":"2024-01-01T08:00:00Z"'


@pytest.mark.parametrize("item", [
    f'{{{T},"duration":-1}}',
    f'{{{T},"duration":NaN}}',
    f'{{{T},"duration":1e400}}',
    f'{{{T},"duration":{10**400}}}',
    f'{{{T},"duration":true}}',
    f'{{{T},"duration":"1"}}',
    f'{{{T},"id":0}}',
    f'{{{T},"id":{2**63}}}',
    f'{{{T},"id":5}}',
    f'{{{T},"data":[]}}',
    f'{{{T},"data":{{"n":{2**64}}}}}',
    f'{{{T},"data":{{"n":{2**70}}}}}',
    f'{{{T},"data":{{"n":[1.5,{{"x":1e300}}]}}}}',
    f'{{{T},"data":{{"n":{2**63 - 1},"b":false,"z":null}}}}',
    '{"timestamp":1704096000}',
    '{"duration":1}',
    "{}",
    "[]",
    "null",
])
def test_unusual_events_match_the_exact_path(item):
    check(f"[{item}]".encode())
    check(f"[{{{T}}},{item}]".encode())


moments = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
offsets = st.sampled_from([None, UTC, timezone(timedelta(hours=2)),
                           timezone(timedelta(hours=-5, minutes=-30))])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(moments, offsets, st.floats(0, 1e6), st.sampled_from(["iso", "z", "ms"])),
                max_size=20))
def test_random_timestamps(items):
    events = []
    for moment, zone, duration, style in items:
        text = moment.replace(tzinfo=zone).isoformat()
        if style == "z" and text.endswith("+00:00"):
            text = text[:-6] + "Z"
        elif style == "ms":
            text = moment.replace(tzinfo=zone).isoformat(timespec="milliseconds")
        events.append({"timestamp": text, "duration": duration, "data": {"t": text}})
    check(orjson.dumps(events))


def test_response_is_the_stored_events_with_ids():
    body = orjson.dumps([
        {"timestamp": "2024-01-01T08:00:00.5+00:00", "duration": 0.000001, "data": {"b": 1, "a": [1.5]}},
        {"timestamp": "2024-01-01T09:00:00Z", "data": {}},
    ])
    batch = plain_batch(body)
    assert orjson.loads(inserted_json(batch, [7, 8])) == [
        {"id": 7, "timestamp": "2024-01-01T08:00:00.500000+00:00", "duration": 1e-06,
         "data": {"a": [1.5], "b": 1}},
        {"id": 8, "timestamp": "2024-01-01T09:00:00+00:00", "duration": 0.0, "data": {}},
    ]
