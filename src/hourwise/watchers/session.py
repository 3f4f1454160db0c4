"""Which desktop session the watchers would record, and whether they can.

The built-in watchers read an X11 server. On Wayland an X11 client sees only the apps
that run under XWayland: the focused native Wayland window is invisible to it (the
EWMH active window is unset or stale), and XWayland's idle counter does not move when
the user types into a native Wayland window. Recording that would produce confident,
wrong data, so on Wayland the watchers do not start unless asked to (``--x11``), and
say what to use instead. docs/watchers.md has the details per compositor.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass

DOCS = "docs/watchers.md"


@dataclass(frozen=True)
class Session:
    kind: str  # "x11", "wayland" or "none"
    display: str | None  # the X display (also set under Wayland when XWayland runs)
    desktop: str  # XDG_CURRENT_DESKTOP, e.g. "GNOME", "KDE", "sway"; "" when unknown


def detect_session(env: Mapping[str, str] | None = None) -> Session:
    env = os.environ if env is None else env
    display = env.get("DISPLAY") or None
    desktop = env.get("XDG_CURRENT_DESKTOP", "")
    if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE", "").lower() == "wayland":
        return Session("wayland", display, desktop)
    return Session("x11" if display else "none", display, desktop)


def wayland_advice(desktop: str) -> str:
    """What to run instead on this Wayland desktop (one or two sentences)."""
    names = desktop.lower()
    if "gnome" in names or "ubuntu" in names:
        return (
            "On GNOME, log in to 'GNOME on Xorg', or run awatcher (needs its GNOME Shell "
            "extension), which reports to Hourwise like any ActivityWatch watcher."
        )
    if "kde" in names or "plasma" in names:
        return (
            "On KDE Plasma, log in to 'Plasma (X11)', or run awatcher, which reads the active "
            "window through a KWin script and reports to Hourwise."
        )
    return (
        "On wlroots compositors (sway, Hyprland, river, Wayfire) run awatcher or "
        "aw-watcher-window-wayland against Hourwise."
    )


def unavailable_reason(session: Session, *, allow_xwayland: bool = False) -> str | None:
    """Why the built-in watchers cannot record this session, or None if they can."""
    if not sys.platform.startswith("linux"):
        return (
            "the built-in watchers support Linux with X11 only; on macOS and Windows, "
            f"run ActivityWatch's own watchers against Hourwise (see {DOCS})"
        )
    if session.kind == "wayland":
        if allow_xwayland and session.display:
            return None
        desktop = f" ({session.desktop})" if session.desktop else ""
        xwayland = (
            f" Use --x11 to record only the X11 apps of XWayland display {session.display}."
            if session.display
            else ""
        )
        return (
            f"this is a Wayland session{desktop}: X11 clients cannot see which native Wayland "
            f"window has the focus nor when the user is idle, so nothing would be recorded "
            f"correctly. {wayland_advice(session.desktop)}{xwayland} See {DOCS}."
        )
    if session.display is None:
        return "there is no X display (DISPLAY is not set)"
    return None
