"""The loop every watcher runs: connect, poll, heartbeat, survive.

A watcher owns one X connection and one bucket. It polls at a fixed rate (timestamps
from the wall clock, pacing from the monotonic clock), hands heartbeats to the
``WatcherClient`` and never dies of what happens on the desktop: a window that vanishes
mid-read skips one poll, an X server that goes away is retried every few seconds (said
once when it goes and once when it is back), and an unexpected error is logged and the
loop goes on.
"""

from __future__ import annotations

import logging
import threading
import time

from hourwise.models import Event, now_us
from hourwise.watchers.client import WatcherClient
from hourwise.watchers.x11 import DisplayGone, WindowVanished, X11Display

log = logging.getLogger(__name__)

RECONNECT_INTERVAL = 2.0


class Unsupported(Exception):
    """This X server lacks what the watcher needs; the watcher stops for good."""


class Watcher:
    """Base class: subclasses set the bucket's names and implement ``poll``."""

    name = "watcher"
    client_name = "hourwise-watcher"
    bucket_prefix = "aw-watcher"
    bucket_type = ""

    def __init__(
        self, client: WatcherClient, hostname: str, *, poll: float, display_name: str | None = None
    ):
        self.client = client
        self.bucket_id = f"{self.bucket_prefix}_{hostname}"
        self.hostname = hostname
        self.poll_interval = poll
        self.display_name = display_name

    @property
    def pulsetime(self) -> float:
        raise NotImplementedError

    def poll(self, display: X11Display, now: int) -> None:
        """Look once and send heartbeats; ``now`` is in microseconds."""
        raise NotImplementedError

    def check(self, display: X11Display) -> None:
        """Raise ``Unsupported`` if this display cannot serve the watcher."""

    def reset(self) -> None:
        """Forget what was seen: the X server went away, continuity is broken."""

    def heartbeat(self, start: int, duration: int, data: dict) -> None:
        self.client.heartbeat(self.bucket_id, Event(None, start, duration, data), self.pulsetime)

    def run(self, stop: threading.Event) -> None:
        """Poll until ``stop`` is set; commit what is pending on the way out."""
        self.client.ensure_bucket(self.bucket_id, self.bucket_type, self.client_name, self.hostname)
        self._display: X11Display | None = None
        self._said_gone = False
        next_poll = time.monotonic()
        try:
            while not stop.is_set():
                if self._display is None and not self._connect():
                    if self._unsupported:
                        return
                    stop.wait(RECONNECT_INTERVAL)
                    continue
                self._poll_once()
                next_poll += self.poll_interval
                delay = next_poll - time.monotonic()
                if delay < 0:  # fell behind (suspend, slow X server): do not catch up in a burst
                    next_poll, delay = time.monotonic(), 0
                stop.wait(delay)
        finally:
            self.client.flush(self.bucket_id)
            if self._display is not None:
                self._display.close()

    def _connect(self) -> bool:
        self._unsupported = False
        try:
            display = X11Display(self.display_name)
        except DisplayGone as exc:
            self._gone(exc)
            return False
        try:
            self.check(display)
        except Unsupported as exc:
            log.error("The %s watcher cannot run: %s", self.name, exc)
            display.close()
            self._unsupported = True
            return False
        if self._said_gone:
            log.warning(
                "X display %s is back; the %s watcher records again", display.name, self.name
            )
            self._said_gone = False
        else:
            log.info("The %s watcher records X display %s into bucket %s",
                     self.name, display.name, self.bucket_id)  # fmt: skip
        self._display = display
        return True

    def _poll_once(self) -> None:
        try:
            self.poll(self._display, now_us())
        except WindowVanished:
            pass  # destroyed while we read it; the next poll sees its successor
        except DisplayGone as exc:
            self._gone(exc)
            self._display.close()
            self._display = None
            self.client.flush(self.bucket_id)  # deliver what was seen before the loss
            self.reset()
        except Exception:
            log.exception("The %s watcher hit an unexpected error; it goes on", self.name)

    def _gone(self, exc: DisplayGone) -> None:
        if not self._said_gone:
            log.warning(
                "%s; the %s watcher retries every %.0f s", exc, self.name, RECONNECT_INTERVAL
            )
            self._said_gone = True
