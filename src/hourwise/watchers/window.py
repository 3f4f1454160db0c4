"""The window watcher: which application and title have the focus.

Heartbeats go to ``aw-watcher-window_<hostname>`` (type ``currentwindow``) with data
``{"app": <WM_CLASS class>, "title": <_NET_WM_NAME or WM_NAME>}``, the shape
ActivityWatch's own window watcher uses, so its web UI and queries work unchanged.
"""

from __future__ import annotations

from typing import Any

from hourwise.models import seconds_to_us
from hourwise.watchers.base import Watcher
from hourwise.watchers.x11 import UNKNOWN_WINDOW, X11Display


class WindowWatcher(Watcher):
    name = "window"
    client_name = "hourwise-watcher-window"
    bucket_prefix = "aw-watcher-window"
    bucket_type = "currentwindow"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._last: tuple[int, dict[str, str]] | None = None

    @property
    def pulsetime(self) -> float:
        # As aw-watcher-window: one missed poll still merges, a suspend does not.
        return self.poll_interval + 1.0

    def reset(self) -> None:
        self._last = None

    def poll(self, display: X11Display, now: int) -> None:
        data = (display.active_window() or UNKNOWN_WINDOW).to_data()
        last = self._last
        if last is not None and last[1] != data and now - last[0] <= seconds_to_us(self.pulsetime):
            # The switch happened since the last poll: let the previous window's event
            # run up to it, so that consecutive windows' events touch instead of
            # leaving a poll interval unaccounted for at every switch.
            self.heartbeat(now, 0, last[1])
        self.heartbeat(now, 0, data)
        self._last = (now, data)
