"""A persistent first-in, first-out queue of heartbeats waiting for the server.

Every heartbeat a watcher commits is written here before any attempt to send it, and
removed only once the server has answered. A server that is down, restarting or
unreachable therefore costs nothing: the rows wait in an SQLite file and go out in
order when it is back, even if the watcher itself was restarted meanwhile.

A lock file next to the database makes sure only one watcher process uses a queue (and
so records activity for one server) at a time.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows; the X11 watchers are Linux-only
    fcntl = None  # type: ignore[assignment]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS buckets (
    id TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS heartbeats (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    bucket TEXT NOT NULL,
    pulsetime REAL NOT NULL,
    event TEXT NOT NULL
);
"""


class QueueLocked(Exception):
    """Another watcher process already owns this queue."""


@dataclass(frozen=True)
class QueuedHeartbeat:
    seq: int
    bucket: str
    pulsetime: float
    event: dict[str, Any]


class HeartbeatQueue:
    """The on-disk queue, shared by the watcher threads of one process."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_file = self._take_lock(path.with_name(path.name + ".lock"))
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._mutex = threading.Lock()

    @staticmethod
    def _take_lock(lock_path: Path):
        handle = open(lock_path, "a+")
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.seek(0)
                owner = handle.read().strip() or "another process"
                handle.close()
                raise QueueLocked(f"{lock_path} is held by {owner}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        return handle

    def close(self) -> None:
        with self._mutex:
            self._db.close()
        self._lock_file.close()  # releases the flock

    def save_bucket(self, bucket_id: str, body: dict[str, Any]) -> None:
        with self._mutex:
            self._db.execute(
                "INSERT OR REPLACE INTO buckets (id, body) VALUES (?, ?)",
                (bucket_id, json.dumps(body)),
            )

    def bucket(self, bucket_id: str) -> dict[str, Any] | None:
        with self._mutex:
            row = self._db.execute("SELECT body FROM buckets WHERE id = ?", (bucket_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def push(self, bucket_id: str, event: dict[str, Any], pulsetime: float) -> None:
        with self._mutex:
            self._db.execute(
                "INSERT INTO heartbeats (bucket, pulsetime, event) VALUES (?, ?, ?)",
                (bucket_id, pulsetime, json.dumps(event, ensure_ascii=False)),
            )

    def peek(self) -> QueuedHeartbeat | None:
        """The oldest heartbeat still waiting, left in place."""
        with self._mutex:
            row = self._db.execute(
                "SELECT seq, bucket, pulsetime, event FROM heartbeats ORDER BY seq LIMIT 1"
            ).fetchone()
        if row is None:
            return None
        return QueuedHeartbeat(row[0], row[1], row[2], json.loads(row[3]))

    def remove(self, seq: int) -> None:
        with self._mutex:
            self._db.execute("DELETE FROM heartbeats WHERE seq = ?", (seq,))

    def __len__(self) -> int:
        with self._mutex:
            return self._db.execute("SELECT count(*) FROM heartbeats").fetchone()[0]
