"""The one HTTP client every benchmark uses against every server.

A thin keep-alive wrapper over ``http.client``: the cheapest client Python has, so the
client's own cost (which shares the machine's two cores with the server) stays small and
is identical for both servers. Bodies are encoded once, before timing starts.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit


class HTTPError(RuntimeError):
    def __init__(self, method: str, path: str, status: int, body: bytes):
        super().__init__(f"{method} {path} -> {status}: {body[:300]!r}")
        self.status = status


class Client:
    """One persistent connection to one server (reconnects if the server closes it)."""

    def __init__(self, base_url: str, timeout: float = 600.0):
        parts = urlsplit(base_url)
        assert parts.hostname in ("127.0.0.1", "localhost", "::1"), "loopback only"
        self.host = parts.hostname
        self.port = parts.port or 80
        self.timeout = timeout
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        self.headers = {"Host": f"127.0.0.1:{self.port}", "Connection": "keep-alive"}

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, body: bytes | None = None,
                ok: Sequence[int] = (200, 201)) -> bytes:
        headers = self.headers
        if body is not None:
            headers = {**headers, "Content-Type": "application/json"}
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # the server closed an idle keep-alive connection: reconnect once
                self.conn.close()
                if attempt == 2:
                    raise
        if resp.status not in ok:
            raise HTTPError(method, path, resp.status, data)
        return data

    def timed(self, method: str, path: str, body: bytes | None = None) -> tuple[float, bytes]:
        """(seconds, response body) for one request, response read completely."""
        t0 = time.perf_counter()
        data = self.request(method, path, body)
        return time.perf_counter() - t0, data

    def get_json(self, path: str) -> Any:
        return json.loads(self.request("GET", path))


# -- ActivityWatch API helpers ----------------------------------------------------------


def bucket_path(bucket_id: str, tail: str = "") -> str:
    return f"/api/0/buckets/{quote(bucket_id, safe='')}{tail}"


def create_bucket(client: Client, bucket_id: str, type_: str, client_name: str, hostname: str) -> None:
    body = json.dumps({"client": client_name, "type": type_, "hostname": hostname}).encode()
    # 200/201 created; 304 already exists (ActivityWatch)
    client.request("POST", bucket_path(bucket_id), body, ok=(200, 201, 304))


def delete_bucket(client: Client, bucket_id: str) -> None:
    client.request("DELETE", bucket_path(bucket_id, "?force=1"), ok=(200, 204, 404))


def events_path(bucket_id: str, start: str | None = None, end: str | None = None,
                limit: int = -1) -> str:
    params: dict[str, Any] = {"limit": limit}
    if start:
        params["start"] = start
    if end:
        params["end"] = end
    return bucket_path(bucket_id, "/events?" + urlencode(params))


def heartbeat_path(bucket_id: str, pulsetime: float) -> str:
    return bucket_path(bucket_id, f"/heartbeat?pulsetime={pulsetime:g}")


def encode_chunks(events: Sequence[dict[str, Any]], size: int) -> list[tuple[int, bytes]]:
    """(event count, JSON body) for each chunk of ``size`` events."""
    return [
        (len(events[i:i + size]), json.dumps(events[i:i + size], separators=(",", ":")).encode())
        for i in range(0, len(events), size)
    ]


@dataclass
class Timings:
    """Wall time and per-request latencies of a measured run."""

    wall: float
    latencies: list[float]
    items: int

    @property
    def rate(self) -> float:
        return self.items / self.wall if self.wall else 0.0

    def pct(self, p: float) -> float:
        return percentile(self.latencies, p)


def percentile(values: Iterable[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]
