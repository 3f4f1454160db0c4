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

    def __init__(self, client: WatcherClient, hostname: str, *, poll: float,
                 display_name: str | None = None):
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
        self.client.ensure_bucket(self.bucket_id, self.bucket_type, self.client_name, self.hostname)
        display: X11Display | None = None
        said_gone = False
        next_poll = time.monotonic()
        try:
            while not stop.is_set():
                if display is None:
                    try:
                        display = X11Display(self.display_name)
                        self.check(display)
                    except DisplayGone as exc:
                        if not said_gone:
                            log.warning("%s; the %s watcher retries every %.0f s",
                                        exc, self.name, RECONNECT_INTERVAL)
                            said_gone = True
                        stop.wait(RECONNECT_INTERVAL)
                        continue
                    except Unsupported as exc:
                        log.error("The %s watcher cannot run: %s", self.name, exc)
                        return
                    if said_gone:
                        log.warning("X display %s is back; the %s watcher records again",
                                    display.name, self.name)
                        said_gone = False
                    else:
                        log.info("The %s watcher records X display %s into bucket %s",
                                 self.name, display.name, self.bucket_id)
                try:
                    self.poll(display, now_us())
                except WindowVanished:
                    pass  # destroyed while we read it; the next poll sees its successor
                except DisplayGone as exc:
                    log.warning("%s; the %s watcher retries every %.0f s",
                                exc, self.name, RECONNECT_INTERVAL)
                    said_gone = True
                    display.close()
                    display = None
                    self.client.flush(self.bucket_id)
                    self.reset()
                    continue
                except Exception:
                    log.exception("The %s watcher hit an unexpected error; it goes on", self.name)
                next_poll += self.poll_interval
                delay = next_poll - time.monotonic()
                if delay < 0:  # fell behind (suspend, slow X server): do not catch up in a burst
                    next_poll, delay = time.monotonic(), 0
                stop.wait(delay)
        finally:
            self.client.flush(self.bucket_id)
            if display is not None:
                display.close()
