"""The request layers' short paths give exactly what the general code gives.

- ``OriginAwareCORS`` against Starlette's ``CORSMiddleware``, response headers compared;
- ``CoalescingTransport``: the same bytes in the same order, head and body in one write;
- the fast path's pulsetime reader against ``parse_qsl``;
- ``RequestGuard``'s remembered Host headers never let a refused one through.
"""

from __future__ import annotations

import asyncio
import math
from types import SimpleNamespace

import pytest
from starlette.middleware.cors import CORSMiddleware

from hourwise.api.activitywatch.fastpath import _pulsetime
from hourwise.api.activitywatch.heartbeat import MAX_PULSETIME
from hourwise.api.cors import OriginAwareCORS
from hourwise.api.http_protocol import CoalescingTransport
from hourwise.api.middleware import OriginPolicy, RequestGuard

CORS_ARGS = dict(
    allow_origins=["http://127.0.0.1:5600"],
    allow_origin_regex=r"(?:moz-extension://[0-9a-f-]+)",
    allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
    allow_headers=["*"],
    allow_credentials=False,
)


def _app_with_headers(response_headers):
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200,
                    "headers": list(response_headers)})
        await send({"type": "http.response.body", "body": b"{}"})
    return app


def _run(layer, method, request_headers, guarded):
    scope = {"type": "http", "method": method, "path": "/api/0/info", "query_string": b"",
             "headers": [(k.encode(), v.encode()) for k, v in request_headers]}
    if guarded:  # as RequestGuard leaves it for the layers behind it
        scope["hourwise.headers"] = {k: v for k, v in request_headers}
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(layer(scope, receive, send))
    return [(m["type"], m.get("status"), m.get("headers"), m.get("body")) for m in sent]


REQUESTS = [
    ("GET", []),
    ("POST", [("content-type", "application/json")]),
    ("GET", [("origin", "http://127.0.0.1:5600")]),
    ("POST", [("origin", "moz-extension://abc-123")]),
    ("GET", [("origin", "https://evil.example")]),
    ("OPTIONS", [("origin", "http://127.0.0.1:5600"), ("access-control-request-method", "POST")]),
    ("OPTIONS", [("origin", "https://evil.example"), ("access-control-request-method", "POST")]),
    ("OPTIONS", []),
]
RESPONSES = [
    [(b"content-type", b"application/json"), (b"content-length", b"2")],
    [(b"content-type", b"text/html"), (b"vary", b"Accept-Encoding")],
    [(b"vary", b"Cookie"), (b"x-other", b"1"), (b"vary", b"Accept")],
    [],
]


@pytest.mark.parametrize("method,request_headers", REQUESTS)
@pytest.mark.parametrize("response_headers", RESPONSES)
@pytest.mark.parametrize("guarded", [True, False])
def test_origin_aware_cors_answers_as_starlette_does(method, request_headers, response_headers,
                                                     guarded):
    app = _app_with_headers(response_headers)
    expected = _run(CORSMiddleware(app, **CORS_ARGS), method, request_headers, guarded)
    assert _run(OriginAwareCORS(app, **CORS_ARGS), method, request_headers, guarded) == expected


class FakeTransport:
    def __init__(self):
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data):
        assert not self.closed
        self.writes.append(bytes(data))

    def is_closing(self):
        return self.closed

    def close(self):
        self.closed = True

    def get_write_buffer_size(self):
        return 0


def _cycle(started=False, complete=False):
    return SimpleNamespace(response_started=started, response_complete=complete)


def test_head_and_body_go_out_in_one_write():
    real = FakeTransport()
    protocol = SimpleNamespace(cycle=None)
    transport = CoalescingTransport(real, protocol)
    protocol.cycle = cycle = _cycle(started=True)
    transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
    assert real.writes == []
    transport.write(b"{}")
    assert real.writes == [b"HTTP/1.1 200 OK\r\n\r\n{}"]
    transport.write(b"more")  # later chunks of the same response: at once
    assert real.writes[-1] == b"more"
    cycle.response_complete = True
    transport.flush()
    assert real.writes == [b"HTTP/1.1 200 OK\r\n\r\n{}", b"more"]


def test_writes_outside_a_started_response_are_not_held():
    real = FakeTransport()
    protocol = SimpleNamespace(cycle=_cycle(started=False))
    transport = CoalescingTransport(real, protocol)
    transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # the client waits for it
    assert real.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    protocol.cycle = None
    transport.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    assert len(real.writes) == 2


def test_a_held_head_goes_out_on_flush_or_close():
    real = FakeTransport()
    protocol = SimpleNamespace(cycle=_cycle(started=True))
    transport = CoalescingTransport(real, protocol)
    transport.write(b"HEAD-ONLY")  # a HEAD request's response: no body write follows
    assert transport.get_write_buffer_size() == len(b"HEAD-ONLY")
    transport.flush()
    assert real.writes == [b"HEAD-ONLY"]

    protocol.cycle = _cycle(started=True)  # the next request on the connection
    transport.write(b"HEAD2")
    transport.close()
    assert real.writes == [b"HEAD-ONLY", b"HEAD2"] and real.closed


def test_a_held_head_is_dropped_when_the_connection_is_gone():
    real = FakeTransport()
    transport = CoalescingTransport(real, SimpleNamespace(cycle=_cycle(started=True)))
    transport.write(b"HEAD")
    real.closed = True
    transport.flush()
    assert real.writes == []


def _pulsetime_general(query: bytes):
    from urllib.parse import parse_qsl

    params = dict(parse_qsl(query.decode("latin-1")))
    params.pop("token", None)
    params.pop("key", None)
    if set(params) != {"pulsetime"}:
        return None
    try:
        value = float(params["pulsetime"])
    except ValueError:
        return None
    return value if math.isfinite(value) and 0 <= value <= MAX_PULSETIME else None


@pytest.mark.parametrize("query", [
    b"pulsetime=2", b"pulsetime=0", b"pulsetime=0.0", b"pulsetime=2.", b"pulsetime=10.5",
    b"pulsetime=604800", b"pulsetime=604800.0001", b"pulsetime=" + b"9" * 400,
    b"pulsetime=-1", b"pulsetime=1e3", b"pulsetime=nan", b"pulsetime=inf", b"pulsetime=",
    b"pulsetime=.5", b"pulsetime=1_0", b"pulsetime=+2", b"pulsetime=%32", b"pulsetime= 2",
    b"pulsetime=2&pulsetime=3", b"pulsetime=2&token=x", b"pulsetime=2&x=1", b"", b"x=1",
    b"pulsetime=007",
])
def test_pulsetime_reads_as_parse_qsl_does(query):
    assert _pulsetime(query) == _pulsetime_general(query)


def test_remembered_hosts_never_let_a_refused_host_through():
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    guard = RequestGuard(app, allowed_hosts=["127.0.0.1"], origins=OriginPolicy([], []),
                         max_body=1000, large_body_paths={})

    def status(host):
        return _run(guard, "GET", [("host", host)], guarded=False)[0][1]

    for _ in range(3):
        assert status("127.0.0.1:5600") == 200
        assert status("evil.example") == 400
        assert status("localhost.evil.example:5600") == 400
    for port in range(100):  # more accepted values than are remembered
        assert status(f"localhost:{port}") == 200
    assert status("evil.example") == 400
    assert len(guard.hosts.accepted_hosts) <= 64
