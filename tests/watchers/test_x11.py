"""Reading a real X server (Xvfb): active window, titles, idle time, failures."""

import time

import pytest

from hourwise.watchers.x11 import DisplayGone, WindowInfo, WindowVanished, X11Display

pytestmark = pytest.mark.e2e


def test_active_window_through_the_window_manager(x_server):
    xs = x_server(window_manager=True)
    editor = xs.window("Editor", "notes.txt — Editor ✓")
    browser = xs.window("Browser", "Hourwise docs")
    x = X11Display(xs.name)
    xs.focus(editor)
    assert x.active_window() == WindowInfo("Editor", "notes.txt — Editor ✓")
    xs.focus(browser)
    assert x.active_window() == WindowInfo("Browser", "Hourwise docs")
    xs.set_title(browser, "Hourwise docs — page 2")
    assert x.active_window() == WindowInfo("Browser", "Hourwise docs — page 2")
    x.close()


def test_titles_in_any_encoding_without_a_window_manager(x_server):
    xs = x_server()  # no EWMH: the keyboard focus is followed instead
    cases = [
        (
            xs.window("Latin", wm_name=b"caf\xe9 cr\xe8me", wm_name_type="STRING"),
            "Latin",
            "café crème",
        ),
        (
            xs.window(
                "Motif", wm_name=b"\x1b-L\xbf\xe0\xd8\xd2\xd5\xe2", wm_name_type="COMPOUND_TEXT"
            ),
            "Motif",
            "Привет",
        ),
        (xs.window("Broken", b"bad \xff\xfe title"), "Broken", "bad \ufffd\ufffd title"),
        (
            xs.window("", "utf-8 class", wm_class=b"\xc3\xbcnic\0\xc3\x9cnicode\0"),
            "Ünicode",
            "utf-8 class",
        ),
        (
            xs.window("Empty", b"", wm_name=b"fallback", wm_name_type="UTF8_STRING"),
            "Empty",
            "fallback",
        ),
    ]
    x = X11Display(xs.name)
    for win, app, title in cases:
        xs.focus(win)
        assert x.active_window() == WindowInfo(app, title)
    x.close()


def test_vanished_windows_never_raise_anything_but_window_vanished(x_server):
    xs = x_server()
    x = X11Display(xs.name)
    win = xs.window("Gone", "soon gone")
    xs.focus(win)
    xs.destroy(win)
    assert x.active_window() is None  # the focus reverted to the root: no window
    # A window manager that names a window which is destroyed before we read it.
    conn = xs.connection
    conn.screen().root.change_property(
        conn.intern_atom("_NET_ACTIVE_WINDOW"), conn.intern_atom("WINDOW"), 32, [win.id]
    )
    conn.sync()
    with pytest.raises(WindowVanished):
        x.active_window()
    x.close()


def test_idle_time_counts_from_the_last_input(x_server):
    xs = x_server()
    x = X11Display(xs.name)
    assert x.has_idle
    xs.touch()
    time.sleep(0.4)
    assert 0.3 <= x.idle_seconds() < 5
    xs.touch()
    assert x.idle_seconds() < 0.3
    x.close()


def test_x_server_going_away_raises_display_gone(x_server):
    xs = x_server()
    x = X11Display(xs.name)
    xs.stop()
    with pytest.raises(DisplayGone, match="went away"):
        x.active_window()
    with pytest.raises(DisplayGone, match="went away"):
        x.idle_seconds()
    with pytest.raises(DisplayGone, match="cannot open X display"):
        X11Display(xs.name)
