"""The AFK watcher: is someone at the keyboard?

Heartbeats go to ``aw-watcher-afk_<hostname>`` (type ``afkstatus``) with data
``{"status": "afk" | "not-afk"}``, with ActivityWatch's timeout behaviour: after
``timeout`` seconds without keyboard or pointer input the user is AFK *since their last
input*, and is back at the input that ends the idle spell. The two kinds of events
therefore tile the timeline::

    input:   | | ||  |              (idle >= timeout)            | |
    events:  [not-afk ]------------------ afk ------------------[not-afk ...
                      ^ last input                              ^ first input back
"""

from __future__ import annotations

from typing import Any

from hourwise.models import seconds_to_us
from hourwise.watchers.base import Unsupported, Watcher
from hourwise.watchers.x11 import X11Display

AFK = {"status": "afk"}
NOT_AFK = {"status": "not-afk"}
DEFAULT_TIMEOUT = 180.0
DEFAULT_POLL = 5.0


class AfkWatcher(Watcher):
    name = "AFK"
    client_name = "hourwise-watcher-afk"
    bucket_prefix = "aw-watcher-afk"
    bucket_type = "afkstatus"

    def __init__(self, *args: Any, timeout: float = DEFAULT_TIMEOUT, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.timeout = timeout
        self.reset()

    @property
    def pulsetime(self) -> float:
        # As aw-watcher-afk: heartbeats may lag the last input by up to the timeout.
        return self.timeout + self.poll_interval

    def check(self, display: X11Display) -> None:
        if not display.has_idle:
            raise Unsupported(
                f"X display {display.name} has no MIT-SCREEN-SAVER extension, "
                "so its idle time cannot be read"
            )

    def reset(self) -> None:
        self._state: dict[str, str] | None = None
        self._afk_since: int | None = None
        self._last_input: int | None = None

    def poll(self, display: X11Display, now: int) -> None:
        idle = seconds_to_us(display.idle_seconds())
        last_input = now - idle
        previous = self._last_input
        if previous is not None and previous - 1_000_000 < last_input < previous:
            # ``now`` and the server's idle counter are read a few milliseconds apart;
            # without input the difference jitters and must not move the last input back.
            last_input = previous
        self._last_input = last_input

        if idle >= seconds_to_us(self.timeout):
            if self._afk_since is None:
                if self._state == NOT_AFK:
                    self.heartbeat(last_input, 0, NOT_AFK)  # active until the last input
                self._afk_since = last_input
            self.heartbeat(self._afk_since, now - self._afk_since, AFK)
            self._state = AFK
        else:
            if self._afk_since is not None:
                # Away until the input that just ended the idle spell.
                self.heartbeat(self._afk_since, max(0, last_input - self._afk_since), AFK)
                self._afk_since = None
            self.heartbeat(last_input, 0, NOT_AFK)
            self._state = NOT_AFK
