"""Heartbeats answered inline by the HTTP protocol give exactly what the ASGI path gives.

``api/inline.py`` answers plain local heartbeats inside ``CoalescingHttpToolsProtocol``,
without the ASGI app. Here the same request streams go, byte for byte, into two
uvicorn protocols on two identical fresh servers (in process, on fake transports): one
with the inline path, one without. Everything written back (status lines, headers,
bodies, which connections close) must be identical, and the inline one must have
answered plain heartbeats without starting an ASGI task. The over-the-wire checks at
the end run against a real ``hourwise serve``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket

import pytest
import uvicorn
from uvicorn.server import ServerState

from hourwise.api.http_protocol import CoalescingHttpToolsProtocol
from hourwise.app import create_app
from hourwise.services.heartbeats import HeartbeatService
from hourwise.settings import Settings
from tests.api.test_wire import _read_response

HOST = b"Host: 127.0.0.1:5666\r\n"
DEFAULT_HEADERS = [(b"date", b"Mon, 01 Jan 2024 00:00:00 GMT"), (b"server", b"uvicorn")]


class FakeTransport(asyncio.Transport):
    def __init__(self):
        super().__init__()
        self.out = bytearray()
        self.closed = False

    def write(self, data):
        assert not self.closed, "written after close"
        self.out += data

    def is_closing(self):
        return self.closed

    def close(self):
        self.closed = True

    def get_extra_info(self, name, default=None):
        return {"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 5666)}.get(
            name, default
        )

    def pause_reading(self):
        pass

    def resume_reading(self):
        pass

    def get_write_buffer_size(self):
        return 0


class Side:
    """One fresh server (own database) behind one protocol class."""

    def __init__(self, tmp_path, inline: bool):
        self.app = create_app(Settings(testing=True, data_dir=tmp_path))
        handler = self.app.state.inline_heartbeats if inline else None
        assert inline is (handler is not None)
        self.config = uvicorn.Config(self.app, log_level="warning", proxy_headers=False)
        self.config.load()
        self.state = ServerState()
        self.state.default_headers = list(DEFAULT_HEADERS)
        self.protocol_class = CoalescingHttpToolsProtocol.with_inline(handler)
        self.access_log = False

    def connect(self):
        protocol = self.protocol_class(config=self.config, server_state=self.state,
                                       app_state={})
        protocol.access_log = self.access_log
        transport = FakeTransport()
        protocol.connection_made(transport)
        return protocol, transport

    async def exchange(self, chunks: list[bytes]) -> tuple[bytes, bool, int]:
        """Feed ``chunks`` on one connection; (bytes written, closed, ASGI tasks started)."""
        protocol, transport = self.connect()
        tasks = 0
        for chunk in chunks:
            before = len(self.state.tasks)
            protocol.data_received(chunk)
            tasks += len(self.state.tasks) - before
            for _ in range(200):  # until every ASGI task has answered
                await asyncio.sleep(0)
                if not self.state.tasks:
                    break
            for _ in range(50):  # thread-pool hops of busy writes
                if not self.state.tasks:
                    break
                await asyncio.sleep(0.01)
        protocol.connection_lost(None)
        return bytes(transport.out), transport.closed, tasks


def post(target: str, body: bytes, *extra: bytes) -> bytes:
    return (f"POST {target} HTTP/1.1\r\n".encode() + HOST
            + b"Content-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n".encode() + b"".join(extra) + b"\r\n" + body)


def hb(second: float, data=None, duration=0) -> bytes:
    return json.dumps({"timestamp": f"2024-03-01T10:{int(second) // 60:02d}:"
                                    f"{second % 60:06.3f}+00:00",
                       "duration": duration, "data": data or {"app": "x"}}).encode()


BUCKET = "aw-watcher-window_testhost"
PATH = f"/api/0/buckets/{BUCKET}/heartbeat"
CREATE = post(f"/api/0/buckets/{BUCKET}", json.dumps(
    {"client": "t", "type": "currentwindow", "hostname": "testhost"}).encode())

# Each case: the chunks sent on one connection, and whether the inline side should
# answer all of its heartbeats without an ASGI task.
CASES = {
    "merge, new event, other data": ([b"".join([
        post(PATH + "?pulsetime=2", hb(0)), post(PATH + "?pulsetime=2", hb(1)),
        post(PATH + "?pulsetime=2", hb(5)), post(PATH + "?pulsetime=2.5", hb(6, {"app": "y"})),
        post(PATH + "?pulsetime=2", hb(6.5, {"app": "y"}, duration=1.25)),
    ])], True),
    "body after the headers": ([post(PATH + "?pulsetime=2", hb(0))[:-10],
                                post(PATH + "?pulsetime=2", hb(0))[-10:]], True),
    "out of order": ([post(PATH + "?pulsetime=2", hb(10)) + post(PATH + "?pulsetime=2", hb(3))],
                     True),
    "unknown bucket": ([post("/api/0/buckets/nope/heartbeat?pulsetime=2", hb(0))], True),
    "bucket id with a control character escaped": (
        [post("/api/0/buckets/a%01b/heartbeat?pulsetime=2", hb(0))], False),
    "pulsetime missing, negative, huge, doubled, with a token": ([b"".join(
        post(PATH + q, hb(0)) for q in ("", "?", "?pulsetime=-1", "?pulsetime=1e99",
                                         "?pulsetime=2&pulsetime=3", "?pulsetime=2&token=x",
                                         "?pulsetime=%32"))], False),
    "bodies not plainly valid": ([b"".join(post(PATH + "?pulsetime=2", body) for body in (
        b"", b"[]", b"{", b'{"timestamp": 5}', b'{"timestamp": "2024-03-01T10:00:00Z",'
        b' "duration": "1", "data": {}}', b'{"timestamp": "yesterday", "data": {}}',
        b' {"timestamp": "2024-03-01T10:00:00Z", "data": {"a": [1]}}'))], False),
    "trailing slash and doubled slash": ([post(PATH + "/?pulsetime=2", hb(0))
                                          + post("/api/0//buckets/" + BUCKET
                                                 + "/heartbeat?pulsetime=2", hb(1))], False),
    "origins": ([b"".join(post(PATH + "?pulsetime=2", hb(0), b"Origin: " + o + b"\r\n") for o in (
        b"http://127.0.0.1:5666", b"moz-extension://abc-1", b"https://evil.example"))], False),
    "credentials": ([post(PATH + "?pulsetime=2", hb(0), b"Authorization: Bearer nope\r\n")],
                    False),
    "host headers": ([b"".join(
        post(PATH + "?pulsetime=2", hb(0)).replace(HOST, h) for h in (
            b"Host: evil.example\r\n", b"Host: localhost:1\r\n", b""))], False),
    "connection close": ([post(PATH + "?pulsetime=2", hb(0), b"Connection: close\r\n")], False),
    "HTTP/1.0": ([post(PATH + "?pulsetime=2", hb(0)).replace(b"HTTP/1.1", b"HTTP/1.0", 1)],
                 False),
    "chunked body": ([(f"POST {PATH}?pulsetime=2 HTTP/1.1\r\n".encode() + HOST
                       + b"Transfer-Encoding: chunked\r\n\r\n"
                       + b"%x\r\n" % len(hb(0)) + hb(0) + b"\r\n0\r\n\r\n")], False),
    "too large for the guard": ([post(PATH + "?pulsetime=2", hb(0)).replace(
        b"Content-Length: ", b"Content-Length: 99999999999")[:200]], False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_inline_answers_match_the_asgi_path(tmp_path, case):
    chunks, all_inline = CASES[case]

    async def run():
        results = []
        for inline in (False, True):
            side = Side(tmp_path / ("inline" if inline else "asgi"), inline)
            setup = await side.exchange([CREATE])
            assert b" 200 OK" in setup[0]
            results.append(await side.exchange(chunks))
            # a read right after sees what the heartbeats stored
            results.append(await side.exchange([
                f"GET /api/0/buckets/{BUCKET}/events HTTP/1.1\r\n".encode() + HOST + b"\r\n"]))
        return results

    asgi, asgi_read, inline, inline_read = asyncio.run(run())
    assert inline[:2] == asgi[:2]
    assert inline_read[:2] == asgi_read[:2]
    if all_inline:
        assert inline[2] == 0 and asgi[2] > 0


def test_busy_bucket_goes_to_the_asgi_path(tmp_path):
    side = Side(tmp_path, True)

    async def run():
        await side.exchange([CREATE])
        lock = side.app.state.inline_heartbeats.heartbeats.locks.lock(BUCKET)
        lock.acquire()  # as a concurrent heartbeat in a worker thread would
        try:
            protocol, transport = side.connect()
            protocol.data_received(post(PATH + "?pulsetime=2", hb(0)))
            assert transport.out == b"" and len(side.state.tasks) == 1
        finally:
            lock.release()
        for _ in range(100):
            await asyncio.sleep(0.01)
            if transport.out:
                break
        return bytes(transport.out)

    out = asyncio.run(run())
    assert out.startswith(b"HTTP/1.1 200 OK\r\n") and b'"duration":0.0' in out


def test_shutdown_while_a_body_is_on_its_way_finishes_the_request(tmp_path):
    request = post(PATH + "?pulsetime=2", hb(0))

    async def run(inline):
        side = Side(tmp_path / str(inline), inline)
        await side.exchange([CREATE])
        protocol, transport = side.connect()
        protocol.data_received(request[:-5])
        await asyncio.sleep(0)
        protocol.shutdown()  # what uvicorn does to every connection on SIGINT
        protocol.data_received(request[-5:])
        for _ in range(200):
            await asyncio.sleep(0)
            if transport.closed:
                break
        return bytes(transport.out), transport.closed

    asgi, inline = asyncio.run(run(False)), asyncio.run(run(True))
    assert inline == asgi
    assert asgi[0].startswith(b"HTTP/1.1 200 OK\r\n") and b"connection: close" in asgi[0]
    assert asgi[1]


def test_unexpected_error_is_answered_as_the_asgi_path_does(tmp_path, monkeypatch, caplog):
    def broken(self, *args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(HeartbeatService, "heartbeat_nowait", broken)
    monkeypatch.setattr(HeartbeatService, "heartbeat", broken)

    async def run():
        results = []
        for inline in (False, True):
            side = Side(tmp_path / str(inline), inline)
            await side.exchange([CREATE])
            caplog.clear()
            with caplog.at_level(logging.ERROR):
                out = await side.exchange([post(PATH + "?pulsetime=2", hb(0))])
            results.append((out[:2], [(r.name, r.levelname, r.getMessage(), repr(r.exc_info[1]))
                                      for r in caplog.records]))
        return results

    asgi, inline = asyncio.run(run())
    assert inline == asgi
    assert asgi[0][0].startswith(b"HTTP/1.1 500 ") and asgi[0][1]  # closed


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_access_log_line_is_uvicorn_s(tmp_path):
    lines = []
    logger = logging.getLogger("uvicorn.access")  # uvicorn's config stops propagation
    for inline in (False, True):
        side = Side(tmp_path / str(inline), inline)
        asyncio.run(side.exchange([CREATE]))
        side.access_log = True
        handler = _Lines()
        logger.addHandler(handler)
        level = logger.level
        logger.setLevel(logging.INFO)
        try:
            asyncio.run(side.exchange([post(PATH + "?pulsetime=2", hb(0)),
                                       post("/api/0/buckets/a:b/heartbeat?pulsetime=2", hb(0))]))
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
        lines.append(handler.lines)
    assert len(lines[0]) == 2 and lines[1] == lines[0]


# -- over the wire ----------------------------------------------------------------------


def test_real_server_answers_inline_and_asgi_heartbeats_alike(server, bucket):
    path = f"/api/0/buckets/{bucket}/heartbeat"
    host = f"Host: 127.0.0.1:{server.port}\r\n".encode()
    inline = post(path + "?pulsetime=2", hb(0)).replace(HOST, host)
    routed = post(path + "/?pulsetime=2", hb(0)).replace(HOST, host)  # the guard rewrites it
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        buffer = bytearray()
        sock.sendall(inline + routed + inline)  # pipelined, on one keep-alive connection
        answers = [_read_response(sock, buffer) for _ in range(3)]
        sock.sendall(inline)
        answers.append(_read_response(sock, buffer))
    for status, headers, body in answers:
        headers.pop("date")
        assert (status, headers, body) == answers[0]
    assert answers[0][0] == 200 and answers[0][1]["vary"] == "Origin"
    assert json.loads(answers[0][2])["duration"] == 0.0
