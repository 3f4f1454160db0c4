"""HTTP/1.1 on a raw socket: every response arrives whole, whatever its shape.

The server joins each response's head and first body part into one write
(``api/http_protocol.py``). These requests cover the cases where no body part follows
the head (HEAD), where the client waits for ``100 Continue`` before sending its body,
streamed responses, keep-alive and pipelined requests, and ``Vary: Origin`` on a
heartbeat answered by the write fast path.
"""

from __future__ import annotations

import json
import socket

def _connect(server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def _read_response(sock: socket.socket, buffer: bytearray, *, head_only: bool = False):
    """(status, headers dict, body) of the next response; ``buffer`` keeps what is left."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        assert chunk, "connection closed before the head"
        buffer += chunk
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), value.strip())
    buffer[:] = rest
    if head_only or status in (100, 204, 304):
        return status, headers, b""
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            while b"\r\n" not in buffer:
                buffer += sock.recv(65536)
            size_line, _, _ = bytes(buffer).partition(b"\r\n")
            size = int(size_line, 16)
            need = len(size_line) + 2 + size + 2
            while len(buffer) < need:
                buffer += sock.recv(65536)
            body += bytes(buffer[len(size_line) + 2 : len(size_line) + 2 + size])
            del buffer[:need]
            if size == 0:
                return status, headers, body
    length = int(headers["content-length"])
    while len(buffer) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed inside the body"
        buffer += chunk
    body = bytes(buffer[:length])
    del buffer[:length]
    return status, headers, body


def _request(method: str, path: str, server, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
    if body or method == "POST":
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def _heartbeat(seconds: int) -> bytes:
    return json.dumps({"timestamp": f"2024-03-01T10:00:{seconds:02d}+00:00", "duration": 0,
                       "data": {"app": "x"}}).encode()


def test_head_request_gets_its_head(server):
    with _connect(server) as sock:
        buffer = bytearray()
        sock.sendall(_request("HEAD", "/api/0/info", server))
        # (405: the API's routes answer GET only) a head and no body part: nothing
        # but the response's end sends it
        status, headers, _ = _read_response(sock, buffer, head_only=True)
        assert status == 405 and headers["content-type"] == "application/json"
        # the connection stays usable
        sock.sendall(_request("GET", "/api/0/info", server))
        status, _, body = _read_response(sock, buffer)
        assert status == 200 and json.loads(body)["testing"] is True


def test_keep_alive_heartbeats_and_pipelining(server, bucket):
    path = f"/api/0/buckets/{bucket}/heartbeat?pulsetime=2"
    with _connect(server) as sock:
        buffer = bytearray()
        for second in range(3):  # one after another
            sock.sendall(_request("POST", path, server, _heartbeat(second)))
            status, headers, body = _read_response(sock, buffer)
            assert status == 200, body
            assert headers["vary"] == "Origin"
            assert headers["content-length"] == str(len(body))
            assert json.loads(body)["duration"] == float(second)
        # three at once (pipelined): three answers, in order
        sock.sendall(b"".join(_request("POST", path, server, _heartbeat(s)) for s in (3, 4, 5)))
        durations = [json.loads(_read_response(sock, buffer)[2])["duration"] for _ in range(3)]
        assert durations == [3.0, 4.0, 5.0]
        assert buffer == b""


def test_expect_100_continue(server, bucket):
    path = f"/api/0/buckets/{bucket}/heartbeat?pulsetime=2"
    body = _heartbeat(0)
    with _connect(server) as sock:
        buffer = bytearray()
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Expect: 100-continue\r\n\r\n".encode()
        )
        status, _, _ = _read_response(sock, buffer)  # sent before the body exists
        assert status == 100
        sock.sendall(body)
        status, _, answer = _read_response(sock, buffer)
        assert status == 200 and json.loads(answer)["data"] == {"app": "x"}


def test_streamed_export_and_errors_arrive_whole(server, bucket):
    with _connect(server) as sock:
        buffer = bytearray()
        sock.sendall(_request("POST", f"/api/0/buckets/{bucket}/heartbeat?pulsetime=2", server,
                              _heartbeat(0)))
        assert _read_response(sock, buffer)[0] == 200
        sock.sendall(_request("GET", f"/api/0/buckets/{bucket}/export", server))
        status, _, body = _read_response(sock, buffer)
        assert status == 200 and bucket in json.loads(body)["buckets"]
        sock.sendall(_request("POST", "/api/0/buckets/no-such-bucket/heartbeat?pulsetime=2",
                              server, _heartbeat(0)))
        status, headers, body = _read_response(sock, buffer)
        assert status == 404 and headers["vary"] == "Origin"
        assert json.loads(body) == {"message": "There's no bucket named no-such-bucket"}
