"""What the watchers need from an X server: the active window and the idle time.

The active window comes from the root window's ``_NET_ACTIVE_WINDOW`` (EWMH, set by
every current window manager). Without an EWMH window manager (a bare X server, some
tiling WMs) it falls back to the keyboard focus, walked up to the top-level window that
carries ``WM_CLASS``. Idle time comes from the MIT-SCREEN-SAVER extension, which counts
the milliseconds since the last keyboard or pointer input.

Nothing here raises on a window that disappears between two requests (BadWindow and
friends: the read is simply skipped) or on undecodable titles. A lost connection to the
X server raises ``DisplayGone``, which the watcher loop turns into a retry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from hourwise.watchers.text import decode_text_property, split_wm_class

log = logging.getLogger(__name__)


class DisplayGone(Exception):
    """The X server cannot be reached: never started, or went away."""


class WindowVanished(Exception):
    """The window being read was destroyed mid-read; try again at the next poll."""


@dataclass(frozen=True)
class WindowInfo:
    """The active window as ActivityWatch's ``currentwindow`` buckets describe it."""

    app: str
    title: str

    def to_data(self) -> dict[str, str]:
        return {"app": self.app, "title": self.title}


UNKNOWN_WINDOW = WindowInfo("unknown", "unknown")  # what aw-watcher-window reports too


class X11Display:
    """One connection to an X server (not thread-safe: one per watcher thread)."""

    def __init__(self, name: str | None = None):
        try:
            from Xlib import X, display, error
        except ImportError as exc:  # pragma: no cover - python-xlib is a Linux dependency
            raise DisplayGone(f"python-xlib is not installed ({exc})") from None
        self._X = X
        self._error = error
        try:
            self._display = display.Display(name)
        except Exception as exc:  # DisplayNameError, DisplayConnectionError, auth errors
            raise DisplayGone(f"cannot open X display {name or '(DISPLAY unset)'}: {exc}") from None
        self.name = self._display.get_display_name()
        # Errors of requests without replies arrive asynchronously; by default
        # python-xlib prints them. They only ever concern windows that vanished.
        self._display.set_error_handler(lambda *_: None)
        self._root = self._display.screen().root
        atom = self._display.intern_atom
        self._net_active_window = atom("_NET_ACTIVE_WINDOW")
        self._net_wm_name = atom("_NET_WM_NAME")
        self._wm_name = atom("WM_NAME")
        self._wm_class = atom("WM_CLASS")
        self._type_names: dict[int, str] = {}
        self.has_idle = self._display.has_extension("MIT-SCREEN-SAVER")

    def close(self) -> None:
        try:
            self._display.close()
        except Exception:  # already gone: nothing to release
            pass

    # -- requests, with the error translation every caller needs ----------------------

    def _call(self, function, *args):
        try:
            return function(*args)
        except self._error.ConnectionClosedError as exc:
            raise DisplayGone(f"X display {self.name} went away ({exc})") from None
        except OSError as exc:
            raise DisplayGone(f"X display {self.name} went away ({exc})") from None
        except self._error.XError as exc:  # BadWindow, BadDrawable, BadMatch, ...
            raise WindowVanished(str(exc)) from None

    def _property(self, window, atom):
        prop = self._call(window.get_full_property, atom, self._X.AnyPropertyType)
        if prop is None or prop.value is None:
            return None
        return prop

    def _type_name(self, atom: int) -> str:
        if atom not in self._type_names:
            self._type_names[atom] = self._call(self._display.get_atom_name, atom) or ""
        return self._type_names[atom]

    # -- the active window ------------------------------------------------------------

    def active_window(self) -> WindowInfo | None:
        """The focused top-level window's app and title; None when no window is active.

        Raises ``WindowVanished`` when the window disappeared while being read (skip
        this poll) and ``DisplayGone`` when the X server went away.
        """
        window = self._active_window_object()
        if window is None:
            return None
        return WindowInfo(self._app(window), self._title(window))

    def _active_window_object(self):
        prop = self._property(self._root, self._net_active_window)
        if prop is not None and prop.format == 32:
            # An EWMH window manager is running: trust it, including "no window" (0).
            wid = int(prop.value[0]) if len(prop.value) else 0
            return self._display.create_resource_object("window", wid) if wid else None
        return self._focused_top_level()

    def _focused_top_level(self):
        focus = self._call(self._display.get_input_focus).focus
        if isinstance(focus, int):  # X.NONE or X.PointerRoot
            return None
        window = focus
        while window is not None and window.id != self._root.id:
            if self._property(window, self._wm_class) is not None:
                return window
            window = self._call(window.query_tree).parent
        return None

    def _app(self, window) -> str:
        prop = self._property(window, self._wm_class)
        if prop is None:
            return "unknown"
        instance, klass = split_wm_class(prop.value)
        return klass or instance or "unknown"

    def _title(self, window) -> str:
        for atom in (self._net_wm_name, self._wm_name):
            prop = self._property(window, atom)
            if prop is not None and prop.format == 8:
                title = decode_text_property(prop.value, self._type_name(prop.property_type))
                if title:
                    return title
        return ""

    # -- idle time --------------------------------------------------------------------

    def idle_seconds(self) -> float:
        """Seconds since the last keyboard or pointer input (MIT-SCREEN-SAVER)."""
        info = self._call(self._root.screensaver_query_info)
        return info.idle / 1000.0
