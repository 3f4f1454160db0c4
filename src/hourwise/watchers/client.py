"""The watchers' side of the ActivityWatch API: buckets, pre-merged heartbeats, delivery.

Watchers poll every second or so, but the server does not need to hear about every
poll. ``WatcherClient.heartbeat`` merges consecutive heartbeats locally with the same
rule the server uses (``hourwise.transforms.heartbeat``) and commits the accumulated
event to the persistent queue only when the data changes, when a gap breaks the merge,
or when ``commit_interval`` seconds have accumulated. A background thread sends queued
heartbeats in order and retries whatever the server could not take yet.

Talks to the server over plain HTTP (``urllib``), so any ActivityWatch-compatible
server works, and an API key goes out as ``Authorization: Bearer <key>``.
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hourwise import __version__
from hourwise.models import Event, format_timestamp, seconds_to_us
from hourwise.transforms.heartbeat import merge_heartbeat
from hourwise.watchers.queue import HeartbeatQueue, QueuedHeartbeat

log = logging.getLogger(__name__)

DEFAULT_COMMIT_INTERVAL = 10.0
_RETRY_MIN, _RETRY_MAX = 0.5, 10.0
_SENT, _RETRY, _DROP, _NO_BUCKET = "sent", "retry", "drop", "no-bucket"


class WatcherClient:
    """Talks to one server; owns the queue and the delivery thread."""

    def __init__(
        self,
        server_url: str,
        queue_path: Path,
        *,
        api_key: str | None = None,
        commit_interval: float = DEFAULT_COMMIT_INTERVAL,
        timeout: float = 10.0,
    ):
        self.server_url = server_url.rstrip("/")
        self.api_key = api_key
        self.commit_interval_us = seconds_to_us(commit_interval)
        self.timeout = timeout
        self.queue = HeartbeatQueue(queue_path)
        host = urllib.parse.urlsplit(self.server_url).hostname or ""
        # A proxy from the environment must not carry heartbeats meant for this machine.
        proxies = {} if host in ("127.0.0.1", "localhost", "::1") else None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies))
        self._pending: dict[str, _Pending] = {}
        self._pending_lock = threading.Lock()
        self._created: set[str] = set()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._flushed = threading.Event()  # set once close() has committed the last pending
        self._drain_until = float("inf")
        self._thread: threading.Thread | None = None
        self._offline_since: float | None = None
        self._missing_bucket_seq: int | None = None

    # -- what watchers call ------------------------------------------------------------

    def ensure_bucket(self, bucket_id: str, bucket_type: str, client: str, hostname: str) -> None:
        """Remember a bucket; it is created on the server before its first heartbeat."""
        self.queue.save_bucket(
            bucket_id, {"client": client, "type": bucket_type, "hostname": hostname}
        )
        self._wake.set()

    def heartbeat(self, bucket_id: str, event: Event, pulsetime: float) -> None:
        """Merge ``event`` into the bucket's pending heartbeat; commit when it is time.

        ``pulsetime`` is in seconds, as on the wire.
        """
        with self._pending_lock:
            pending = self._pending.get(bucket_id)
            merged = (
                merge_heartbeat(pending.event, event, seconds_to_us(pulsetime)) if pending else None
            )
            if merged is None:
                if pending is not None and pending.uncommitted:
                    self._commit(bucket_id, pending.event, pending.pulsetime)
                self._pending[bucket_id] = _Pending(event, pulsetime, None)
            elif merged.end - pending.since_commit >= self.commit_interval_us:
                # Send the whole event so far, not just the new part: the server merges it
                # into what it has, and one lost commit is covered by the next.
                self._commit(bucket_id, merged, pulsetime)
                self._pending[bucket_id] = _Pending(merged, pulsetime, merged.end)
            else:
                self._pending[bucket_id] = _Pending(merged, pulsetime, pending.committed_end)

    def flush(self, bucket_id: str | None = None) -> None:
        """Commit pending heartbeats now (before a pause, a reconnect or shutdown)."""
        with self._pending_lock:
            for bucket in [bucket_id] if bucket_id else list(self._pending):
                pending = self._pending.pop(bucket, None)
                if pending is not None and pending.uncommitted:
                    self._commit(bucket, pending.event, pending.pulsetime)

    def _commit(self, bucket_id: str, event: Event, pulsetime: float) -> None:
        wire = {
            "timestamp": format_timestamp(event.start),
            "duration": event.duration / 1_000_000,
            "data": event.data,
        }
        self.queue.push(bucket_id, wire, pulsetime)
        self._wake.set()

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._deliver_loop, name="hourwise-delivery", daemon=True
        )
        self._thread.start()

    def close(self, deliver_for: float = 3.0) -> None:
        """Flush, try to deliver for up to ``deliver_for`` seconds, then stop.

        Whatever the server did not take stays on disk for the next run.
        """
        self._drain_until = time.monotonic() + deliver_for
        self._stop.set()
        self.flush()
        self._flushed.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(deliver_for + self.timeout + 1)
        left = len(self.queue)
        if left:
            log.warning(
                "%d heartbeats wait in %s for %s; they are sent on the next start",
                left,
                self.queue.path,
                self.server_url,
            )
        self.queue.close()

    # -- delivery ----------------------------------------------------------------------

    def _deliver_loop(self) -> None:
        delay = _RETRY_MIN
        while True:
            if self._stop.is_set() and time.monotonic() >= self._drain_until:
                return
            item = self.queue.peek()
            if item is None:
                if self._flushed.is_set():
                    return
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            outcome = self._deliver(item)
            if outcome in (_SENT, _DROP):
                self.queue.remove(item.seq)
                delay = _RETRY_MIN
                continue
            if outcome == _NO_BUCKET and self._missing_bucket_seq != item.seq:
                self._missing_bucket_seq = item.seq
                continue  # the bucket is created again on the next attempt
            wait = min(delay, max(0.0, self._drain_until - time.monotonic()))
            if self._stop.is_set():
                time.sleep(min(wait, 0.5))
            else:
                self._stop.wait(wait)
            delay = min(delay * 2, _RETRY_MAX)

    def _deliver(self, item: QueuedHeartbeat) -> str:
        if item.bucket not in self._created:
            outcome = self._create_bucket(item.bucket)
            if outcome != _SENT:
                return outcome
        path = f"/api/0/buckets/{_quote(item.bucket)}/heartbeat?pulsetime={item.pulsetime!r}"
        status, body = self._request("POST", path, item.event)
        if status is None:
            return _RETRY
        if status == 200:
            self._back_online()
            return _SENT
        if status == 404:
            self._created.discard(item.bucket)
            return _NO_BUCKET
        return self._refused(status, body, f"heartbeat to {item.bucket}")

    def _create_bucket(self, bucket_id: str) -> str:
        body = self.queue.bucket(bucket_id)
        if body is None:
            log.error("Dropping a heartbeat for %s: the bucket's definition is unknown", bucket_id)
            return _DROP
        status, text = self._request("POST", f"/api/0/buckets/{_quote(bucket_id)}", body)
        if status is None:
            return _RETRY
        if status in (200, 304):  # 304: it already exists
            self._created.add(bucket_id)
            return _SENT
        return self._refused(status, text, f"creating bucket {bucket_id}")

    def _refused(self, status: int, body: str, what: str) -> str:
        if status in (401, 403) or status == 429 or status >= 500:
            # Wrong key, rate limit or server trouble: the data is still good, keep it.
            self._went_offline(f"HTTP {status}: {body[:200]}")
            return _RETRY
        # ActivityWatch's clients drop what the server calls invalid; so do we, loudly.
        log.error("Server refused %s (HTTP %d: %s); dropping it", what, status, body[:500])
        return _DROP

    def _request(self, method: str, path: str, payload: Any) -> tuple[int | None, str]:
        data = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"hourwise-watcher/{__version__}",
        }
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(
            self.server_url + path, data=data, headers=headers, method=method
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", errors="replace")
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            self._went_offline(str(reason))
            return None, ""

    def _went_offline(self, reason: str) -> None:
        self._created.clear()  # a restarted server may have lost or recreated buckets
        if self._offline_since is None and not self._stop.is_set():
            self._offline_since = time.monotonic()
            log.warning(
                "Server %s is not taking heartbeats (%s); keeping them in %s and retrying",
                self.server_url,
                reason,
                self.queue.path,
            )

    def _back_online(self) -> None:
        if self._offline_since is not None:
            log.warning(
                "Server %s is back after %.0f s; sending the queued heartbeats",
                self.server_url,
                time.monotonic() - self._offline_since,
            )
            self._offline_since = None


@dataclass
class _Pending:
    """A bucket's heartbeats merged so far, and how much of them the queue already has."""

    event: Event
    pulsetime: float
    committed_end: int | None  # None: nothing of it is in the queue yet

    @property
    def since_commit(self) -> int:
        return self.event.start if self.committed_end is None else self.committed_end

    @property
    def uncommitted(self) -> bool:
        return self.committed_end is None or self.event.end > self.committed_end


def _quote(bucket_id: str) -> str:
    return urllib.parse.quote(bucket_id, safe="")


def queue_path_for(data_dir: Path, server_url: str) -> Path:
    """The queue file for one server: watchers of different servers never share one."""
    parsed = urllib.parse.urlsplit(server_url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    slug = f"{parsed.hostname or 'localhost'}-{port}"
    if parsed.path.strip("/"):
        slug += "-" + parsed.path.strip("/").replace("/", "-")
    return data_dir / "watchers" / f"queue-{slug}.sqlite3"
