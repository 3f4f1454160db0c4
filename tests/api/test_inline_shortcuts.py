"""The shortcuts of the inline heartbeat path give what the long way gives.

``api/inline.py`` keeps, per bucket, a heartbeat body split around its timestamp (so
the next body with the same bytes around it is not decoded again), the text of the
last answer around its duration, and the response head; ``api/http_protocol.py`` keeps
one keep-alive timer per connection instead of one per request; the store commits a
merged heartbeat as a single autocommitted UPDATE. Each is checked here against the
code it stands in for; ``test_inline_heartbeats.py`` compares whole exchanges.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hourwise.api.activitywatch.fastpath import plain_heartbeat
from hourwise.api.inline import InlineHeartbeats
from hourwise.models import Event
from tests.api.test_inline_heartbeats import BUCKET, CREATE, PATH, Side, hb, post

QUERY = b"pulsetime=2"


def _inline(tmp_path) -> InlineHeartbeats:
    return Side(tmp_path, True).app.state.inline_heartbeats


def _same(got, want) -> bool:
    if got is None or want is None:
        return got is want
    (ev, pulse), (wev, wpulse) = got, want
    return (ev.id, ev.start, ev.duration, ev.data, pulse) == (
        wev.id, wev.start, wev.duration, wev.data, wpulse)


PRIMED = b'{"timestamp":"2024-03-01T10:00:00+00:00","duration":0,"data":{"app":"x"}}'
AFTER = b'","duration":0,"data":{"app":"x"}}'

BODIES = [
    PRIMED,
    b'{"timestamp":"2024-03-01T10:00:01.5+00:00' + AFTER,
    b'{"timestamp":"2024-03-01T10:00:01Z' + AFTER,
    b'{"timestamp":" 2024-03-01T10:00:01 ' + AFTER,  # spaces: both strip them
    b'{"timestamp":"2024-03-01' + AFTER,  # a bare date
    b'{"timestamp":"yesterday' + AFTER,
    b'{"timestamp":"2024-13-01T10:00:00' + AFTER,
    b'{"timestamp":"9999-12-31T23:59:59.999999+00:00","duration":1,"data":{"app":"x"}}',
    b'{"timestamp":"9999-12-31T23:59:59.999999+00:00' + AFTER,
    b'{"timestamp":"0001-01-01T00:00:00+01:00' + AFTER,  # before MIN_US
    b'{"timestamp":"2024-03-01T10:00:01\\u002b00:00' + AFTER,  # an escape
    b'{"timestamp":"2024-03-01T10:00:01\n' + AFTER,  # a control character: invalid JSON
    b'{"timestamp":"2024-03-01T10:00:01\xff' + AFTER,  # not UTF-8
    b'{"timestamp":"2024-03-01T10:00:01' + AFTER[:-1],  # truncated
    b'{"timestamp":"2024-03-01T10:00:01' + AFTER + b" ",
    b'{"timestamp": "2024-03-01T10:00:02+00:00", "duration": 0, "data": {"app": "x"}}',
    b'{"timestamp": "2024-03-01T10:00:03+00:00", "duration": 0, "data": {"app": "x"}}',
    b'{"data":{"app":"x"},"timestamp":"2024-03-01T10:00:04+00:00"}',
]
# Bodies whose text after the timestamp names the timestamp again: orjson keeps the
# last one, so they must never be read from a memo.
REPEATED = [
    b'{"timestamp":"%s","duration":0,"timestamp":"2024-03-01T09:00:00+00:00","data":{}}',
    b'{"timestamp":"%s","duration":0,"time\\u0073tamp":"2024-03-01T09:00:00+00:00"}',
]


@pytest.mark.parametrize("body", BODIES)
def test_memo_reads_a_body_as_plain_heartbeat_does(tmp_path, body):
    inline = _inline(tmp_path)
    assert _same(inline._heartbeat(BUCKET, QUERY, PRIMED), plain_heartbeat(QUERY, PRIMED))
    assert inline._bodies, "the primed body is remembered"
    assert _same(inline._heartbeat(BUCKET, QUERY, body), plain_heartbeat(QUERY, body))
    # another query never reads the memo of this one
    assert _same(inline._heartbeat(BUCKET, b"pulsetime=9", body),
                 plain_heartbeat(b"pulsetime=9", body))


@pytest.mark.parametrize("template", REPEATED)
def test_memo_refuses_bodies_that_repeat_the_timestamp(tmp_path, template):
    inline = _inline(tmp_path)
    for second in range(3):
        body = template % f"2024-03-01T10:00:0{second}+00:00".encode()
        assert _same(inline._heartbeat(BUCKET, QUERY, body), plain_heartbeat(QUERY, body))
    assert not inline._bodies


def test_memo_shares_the_data_object(tmp_path):
    inline = _inline(tmp_path)
    first = inline._heartbeat(BUCKET, QUERY, PRIMED)[0]
    second = inline._heartbeat(BUCKET, QUERY, BODIES[1])[0]
    assert second.data is first.data and second.start == first.start + 1_500_000


_numbers = st.one_of(st.integers(0, 10**6), st.floats(0, 3.2e9, allow_nan=False))


@settings(max_examples=200, deadline=None)
@given(data=st.dictionaries(st.text(max_size=5), st.one_of(st.text(max_size=8), _numbers,
                                                          st.booleans(), st.none()), max_size=3),
       second=st.integers(0, 86_399), fraction=st.integers(0, 999_999), duration=_numbers)
def test_memo_matches_plain_heartbeat_for_any_data(tmp_path_factory, data, second, fraction,
                                                   duration):
    inline = _inline(tmp_path_factory.mktemp("memo"))
    stamp = f"2024-03-01T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
    for text in ("2024-02-29T00:00:00Z", f"{stamp}.{fraction:06d}+00:00", stamp):
        for dumps in (orjson.dumps, lambda v: json.dumps(v).encode()):
            body = dumps({"timestamp": text, "duration": duration, "data": data})
            assert _same(inline._heartbeat(BUCKET, QUERY, body), plain_heartbeat(QUERY, body))


@settings(max_examples=300, deadline=None)
@given(ident=st.integers(1, 2**63 - 1), start=st.integers(-62_135_596_800_000_000, 2**55),
       durations=st.lists(st.integers(0, 2**53), min_size=1, max_size=4),
       data=st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3))
def test_event_json_is_orjson_of_to_json(tmp_path_factory, ident, start, durations, data):
    inline = _inline(tmp_path_factory.mktemp("json"))
    for duration in durations:  # the first makes the shape, the others reuse it
        event = Event(ident, start, duration, data)
        assert inline.event_json(BUCKET, event) == orjson.dumps(event.to_json())
    other = Event(ident, start, durations[0], dict(data))  # equal data, another object
    assert inline.event_json(BUCKET, other) == orjson.dumps(other.to_json())


def test_response_head_follows_the_default_headers(tmp_path):
    inline = _inline(tmp_path)
    first = [(b"date", b"Mon, 01 Jan 2024 00:00:00 GMT"), (b"Server", b"100% uvicorn")]
    second = [(b"date", b"Mon, 01 Jan 2024 00:00:01 GMT"), (b"Server", b"100% uvicorn")]
    tail = b"content-type: application/json\r\ncontent-length: 2\r\nvary: Origin\r\n\r\n{}"
    assert inline.response(200, b"{}", first) == (
        b"HTTP/1.1 200 OK\r\ndate: Mon, 01 Jan 2024 00:00:00 GMT\r\nserver: 100% uvicorn\r\n"
        + tail)
    assert inline.response(200, b"{}", second).startswith(
        b"HTTP/1.1 200 OK\r\ndate: Mon, 01 Jan 2024 00:00:01 GMT\r\n")
    assert inline.response(404, b"{}", second).startswith(b"HTTP/1.1 404 Not Found\r\n")


def test_keep_alive_timeout_after_inline_answers(tmp_path):
    side = Side(tmp_path, True)
    side.config.timeout_keep_alive = 0.4

    async def run():
        await side.exchange([CREATE])
        protocol, transport = side.connect()
        for second in range(4):  # every 0.15 s: never idle for the whole timeout
            protocol.data_received(post(PATH + "?pulsetime=2", hb(second)))
            await asyncio.sleep(0.15)
            assert not transport.closed
        assert not side.state.tasks  # all answered inline
        await asyncio.sleep(0.8)
        assert transport.closed  # idle for longer than the timeout
        # a request still being read when the timer fires keeps the connection open
        protocol, transport = side.connect()
        protocol.data_received(post(PATH + "?pulsetime=2", hb(10)))
        request = post(PATH + "?pulsetime=2", hb(11))
        await asyncio.sleep(0.15)
        protocol.data_received(request[:20])
        await asyncio.sleep(0.6)
        assert not transport.closed
        protocol.data_received(request[20:])
        assert transport.out.count(b"HTTP/1.1 200 OK") == 2
        await asyncio.sleep(0.8)
        assert transport.closed

    asyncio.run(run())


def test_each_heartbeat_is_committed_before_its_answer(tmp_path):
    side = Side(tmp_path, True)
    database = next(tmp_path.glob("*.db"))

    async def run():
        await side.exchange([CREATE])
        protocol, transport = side.connect()
        with sqlite3.connect(database) as other:  # another connection: committed rows only
            for second, duration in ((0, 0), (1, 0), (2, 0), (3, 50), (60, 0)):
                before = len(transport.out)
                protocol.data_received(post(PATH + "?pulsetime=2", hb(second, duration=duration)))
                assert len(transport.out) > before  # answered, synchronously
                answer = json.loads(bytes(transport.out[before:]).split(b"\r\n\r\n", 1)[1])
                start, end, longest = other.execute(
                    "SELECT e.starttime, e.endtime, b.max_duration FROM events e"
                    " JOIN buckets b ON b.id = e.bucket_id WHERE e.id = ?", (answer["id"],)
                ).fetchone()
                assert (end - start) / 1e6 == answer["duration"]
                assert longest >= end - start
        assert not side.state.tasks

    asyncio.run(run())
