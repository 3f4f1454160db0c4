"""What the watchers say about the desktop session they were asked to record."""

from hourwise.watchers.session import detect_session, unavailable_reason


def test_x11_session_is_recorded():
    session = detect_session({"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"})
    assert session.kind == "x11"
    assert unavailable_reason(session) is None


def test_no_display_says_so():
    reason = unavailable_reason(detect_session({}))
    assert reason == "there is no X display (DISPLAY is not set)"


def test_wayland_is_refused_with_advice_and_xwayland_is_opt_in():
    env = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "XDG_CURRENT_DESKTOP": "GNOME"}
    session = detect_session(env)
    assert session.kind == "wayland"
    reason = unavailable_reason(session)
    assert "Wayland session (GNOME)" in reason
    assert "GNOME on Xorg" in reason and "--x11" in reason and "docs/watchers.md" in reason
    assert unavailable_reason(session, allow_xwayland=True) is None


def test_wayland_without_xwayland_cannot_be_forced():
    session = detect_session({"XDG_SESSION_TYPE": "wayland", "XDG_CURRENT_DESKTOP": "sway"})
    reason = unavailable_reason(session, allow_xwayland=True)
    assert "aw-watcher-window-wayland" in reason and "--x11" not in reason
