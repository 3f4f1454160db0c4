"""Fixtures for the watcher tests: X servers, ``hourwise watch`` processes, recorded events."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from hourwise.models import parse_timestamp
from tests.watchers.xserver import XServer, require_x_tools

HOST = socket.gethostname()
WINDOW_BUCKET = f"aw-watcher-window_{HOST}"
AFK_BUCKET = f"aw-watcher-afk_{HOST}"


@pytest.fixture
def x_server():
    """Factory: ``x_server(window_manager=False)`` starts an Xvfb; all stopped after."""
    started: list[XServer] = []

    def start(*, window_manager: bool = False) -> XServer:
        require_x_tools(*(["matchbox-window-manager"] if window_manager else []))
        xs = XServer(window_manager=window_manager)
        started.append(xs)
        return xs.start()

    yield start
    for xs in started:
        xs.stop()


class WatchProcess:
    """``hourwise watch`` as a user runs it, against one server and one X display."""

    def __init__(self, xs: XServer, server_url: str, data_dir: Path, *args: str):
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = data_dir / "watch.log"
        command = [
            sys.executable,
            "-m",
            "hourwise",
            "watch",
            "--server",
            server_url,
            "--data-dir",
            str(data_dir),
            *args,
        ]
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            command, env=xs.env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def stop(self) -> None:
        """SIGTERM, as a session logout does: pending heartbeats are committed and sent."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def watch(tmp_path):
    """Factory: ``watch(x_server, server_url, *args)``; every process stopped after."""
    started: list[WatchProcess] = []

    def start(xs: XServer, server_url: str, *args: str) -> WatchProcess:
        proc = WatchProcess(xs, server_url, tmp_path / f"watch{len(started)}", *args)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


def recorded(api: str, bucket: str) -> list[tuple[int, int, dict]]:
    """The bucket's events, oldest first, as (start µs, duration µs, data)."""
    response = httpx.get(f"{api}/buckets/{bucket}/events", params={"limit": -1}, timeout=10)
    if response.status_code == 404:
        return []
    response.raise_for_status()
    out = [
        (parse_timestamp(e["timestamp"]), round(e["duration"] * 1_000_000), e["data"])
        for e in response.json()
    ]
    return sorted(out, key=lambda event: event[0])


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def spans(events: list[tuple[int, int, dict]]) -> list[tuple[dict, float]]:
    """(data, duration in seconds) of each event, oldest first."""
    return [(data, duration / 1e6) for _, duration, data in events]


def largest_gap(events: list[tuple[int, int, dict]]) -> float:
    """The longest stretch, in seconds, between consecutive events that nothing covers."""
    gap, covered_to = 0, None
    for start, duration, _ in events:
        if covered_to is not None:
            gap = max(gap, start - covered_to)
        covered_to = start + duration if covered_to is None else max(covered_to, start + duration)
    return gap / 1e6
