"""A real X server for the watcher tests: Xvfb, optionally a window manager, real windows.

Every test gets its own Xvfb on a display number Xvfb picks itself (``-displayfd``), so
tests run in parallel under pytest-xdist. Windows are created with python-xlib on a
connection the test owns; focus and input go through xdotool, as a user's would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest
from Xlib import X, Xatom, display

XVFB_ARGS = ["-screen", "0", "1280x800x24", "-nolisten", "tcp"]


def require_x_tools(*tools: str) -> None:
    missing = [tool for tool in ("Xvfb", "xdotool", *tools) if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: scripts/test installs them (apt-get)")


class XServer:
    """One Xvfb (and maybe matchbox-window-manager) plus windows made on it."""

    def __init__(self, *, window_manager: bool = False):
        self.window_manager = window_manager
        self.name: str | None = None
        self._xvfb: subprocess.Popen | None = None
        self._wm: subprocess.Popen | None = None
        self._conn: display.Display | None = None

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DISPLAY": self.name or ""}

    def start(self) -> "XServer":
        if self.name is None:
            read, write = os.pipe()
            self._xvfb = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write), *XVFB_ARGS],
                pass_fds=(write,),
                stderr=subprocess.DEVNULL,
            )
            os.close(write)
            with os.fdopen(read) as pipe:
                number = pipe.readline().strip()
            if not number:
                raise RuntimeError("Xvfb did not report its display number")
            self.name = f":{number}"
        else:  # a restart on the same display number
            self._xvfb = subprocess.Popen(
                ["Xvfb", self.name, *XVFB_ARGS], stderr=subprocess.DEVNULL
            )
        self._conn = self._connect()
        if self.window_manager:
            self._wm = subprocess.Popen(
                ["matchbox-window-manager", "-use_titlebar", "no"],
                env=self.env,
                stderr=subprocess.DEVNULL,
            )
            self._wait_for_wm()
        return self

    def _connect(self, timeout: float = 10.0) -> display.Display:
        deadline = time.monotonic() + timeout
        while True:
            try:
                return display.Display(self.name)
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _wait_for_wm(self, timeout: float = 10.0) -> None:
        check = self._conn.intern_atom("_NET_SUPPORTING_WM_CHECK")
        deadline = time.monotonic() + timeout
        while self._conn.screen().root.get_full_property(check, X.AnyPropertyType) is None:
            if time.monotonic() > deadline:
                raise RuntimeError("matchbox-window-manager did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the X server (and the window manager with it), as a crash or logout would."""
        for proc in (self._wm, self._xvfb):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self._wm = self._xvfb = None
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None

    # -- windows ------------------------------------------------------------------------

    def window(
        self,
        app: str,
        title: str | bytes | None = None,
        *,
        wm_name: bytes | None = None,
        wm_name_type: str = "STRING",
        wm_class: bytes | None = None,
    ):
        """Map a top-level window. ``title`` goes to _NET_WM_NAME (str as UTF-8, bytes as
        given); ``wm_name`` to WM_NAME with the given type; ``wm_class`` overrides WM_CLASS."""
        conn = self._conn
        win = conn.screen().root.create_window(0, 0, 320, 200, 0, X.CopyFromParent)
        if wm_class is None:
            win.set_wm_class(app.lower(), app)
        else:
            win.change_property(Xatom.WM_CLASS, Xatom.STRING, 8, wm_class)
        if title is not None:
            self.set_title(win, title)
        if wm_name is not None:
            win.change_property(Xatom.WM_NAME, conn.intern_atom(wm_name_type), 8, wm_name)
        win.map()
        conn.sync()
        return win

    def set_title(self, win, title: str | bytes) -> None:
        raw = title.encode() if isinstance(title, str) else title
        win.change_property(
            self._conn.intern_atom("_NET_WM_NAME"), self._conn.intern_atom("UTF8_STRING"), 8, raw
        )
        self._conn.sync()

    def destroy(self, win) -> None:
        win.destroy()
        self._conn.sync()

    @property
    def connection(self) -> display.Display:
        return self._conn

    # -- user input ---------------------------------------------------------------------

    def xdotool(self, *args: str) -> None:
        subprocess.run(
            ["xdotool", *args],
            env=self.env,
            check=True,
            timeout=10,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def focus(self, win) -> None:
        """Give ``win`` the focus the way the desktop would: through the window manager
        (``_NET_ACTIVE_WINDOW``) when there is one, directly otherwise."""
        self.xdotool(
            "windowactivate" if self.window_manager else "windowfocus", "--sync", str(win.id)
        )

    def touch(self) -> None:
        """Simulated pointer input (XTEST), which resets the X idle counter."""
        self.xdotool("mousemove_relative", "--", "1", "1")
