"""``hourwise watch`` on a real X server, recording into a real ``hourwise serve``."""

import time

import pytest

from tests.watchers.conftest import (
    AFK_BUCKET,
    WINDOW_BUCKET,
    largest_gap,
    recorded,
    spans,
    wait_for,
)

pytestmark = pytest.mark.e2e

FAST = ["--poll", "0.1", "--commit-interval", "0.3"]


def window(app, title):
    return {"app": app, "title": title}


def test_window_switches_and_title_changes_are_recorded_with_durations(
    x_server, start_server, watch
):
    xs = x_server(window_manager=True)
    server = start_server()
    editor = xs.window("Editor", "notes.txt — Editor")
    browser = xs.window("Browser", "Hourwise — Docs")
    xs.focus(editor)
    watcher = watch(xs, server.url, "--no-afk", *FAST)
    wait_for(lambda: recorded(server.api, WINDOW_BUCKET), what="the first window event")

    marks = [time.monotonic()]
    for step in (
        lambda: xs.focus(browser),
        lambda: xs.set_title(browser, "Hourwise — API"),
        lambda: xs.focus(editor),
    ):
        time.sleep(1.2)
        step()
        marks.append(time.monotonic())
    time.sleep(1.0)
    watcher.stop()

    events = recorded(server.api, WINDOW_BUCKET)
    assert [data for data, _ in spans(events)] == [
        window("Editor", "notes.txt — Editor"),
        window("Browser", "Hourwise — Docs"),
        window("Browser", "Hourwise — API"),
        window("Editor", "notes.txt — Editor"),
    ], watcher.log()
    # The middle two lasted as long as the test kept them focused (poll 0.1 s) ...
    for (_, seconds), expected in zip(
        spans(events)[1:3], (marks[2] - marks[1], marks[3] - marks[2])
    ):
        assert seconds == pytest.approx(expected, abs=0.5)
    # ... and each event ends exactly where the next begins: no time between switches is lost.
    for (start, duration, _), (next_start, _, _) in zip(events, events[1:]):
        assert start + duration == next_start
    assert "Traceback" not in watcher.log()


def test_afk_after_the_timeout_since_the_last_input_and_back_at_the_next(
    x_server, start_server, watch
):
    xs = x_server()
    server = start_server()
    xs.touch()
    args = ["--no-window", "--afk-timeout", "1.5", "--afk-poll", "0.1", "--commit-interval", "0.3"]
    watcher = watch(xs, server.url, *args)

    def active() -> list:
        xs.touch()  # input every 0.1 s or so
        time.sleep(0.1)
        return recorded(server.api, AFK_BUCKET)

    wait_for(active, interval=0, what="the watcher to record activity")
    for _ in range(5):
        active()
    xs.touch()
    last_input = time.time()
    time.sleep(3.0)  # idle: AFK once 1.5 s have passed, counted from the last input
    xs.touch()
    back = time.time()
    for _ in range(5):
        time.sleep(0.2)
        xs.touch()
    time.sleep(0.3)
    watcher.stop()

    events = recorded(server.api, AFK_BUCKET)
    statuses = [data["status"] for _, _, data in events]
    assert statuses == ["not-afk", "afk", "not-afk"], (events, watcher.log())
    afk_start, afk_duration, _ = events[1]
    assert afk_start / 1e6 == pytest.approx(last_input, abs=0.3)
    assert (afk_start + afk_duration) / 1e6 == pytest.approx(back, abs=0.3)
    assert largest_gap(events) <= 0.05  # the states tile the timeline


def test_server_restart_mid_run_loses_no_time(x_server, start_server, watch):
    xs = x_server()
    server = start_server()
    editor, browser = xs.window("Editor", "draft"), xs.window("Browser", "news")
    xs.focus(editor)
    watcher = watch(xs, server.url, "--no-afk", *FAST)
    wait_for(lambda: recorded(server.api, WINDOW_BUCKET), what="the first window event")
    time.sleep(0.5)
    server.stop()  # the watcher keeps recording into its on-disk queue
    time.sleep(0.8)
    xs.focus(browser)
    outage_switch = time.monotonic()
    time.sleep(1.0)
    xs.focus(editor)
    outage_browser = time.monotonic() - outage_switch
    time.sleep(0.8)
    server.start()  # same port, same database
    time.sleep(1.0)
    watcher.stop()

    events = recorded(server.api, WINDOW_BUCKET)
    assert [data["app"] for _, _, data in events] == ["Editor", "Browser", "Editor"], watcher.log()
    assert spans(events)[1][1] == pytest.approx(outage_browser, abs=0.5)
    assert largest_gap(events) == 0, events  # the whole run is covered, outage included
    total = (events[-1][0] + events[-1][1] - events[0][0]) / 1e6
    assert total > 4.0
    log = watcher.log()
    assert "not taking heartbeats" in log and "is back" in log


def test_x_server_going_away_is_retried_and_said(x_server, start_server, watch):
    xs = x_server()
    server = start_server()
    xs.focus(xs.window("Editor", "before"))
    xs.touch()
    watcher = watch(xs, server.url, *FAST, "--afk-poll", "0.1")
    wait_for(lambda: recorded(server.api, WINDOW_BUCKET), what="the first window event")
    xs.stop()
    wait_for(
        lambda: watcher.log().count("went away") >= 2,
        what="both watchers to say the X server went away",
    )
    xs.start()  # the same display number, as after a crash of the X server
    xs.focus(xs.window("Terminal", "after"))
    xs.touch()
    wait_for(
        lambda: any(
            data.get("app") == "Terminal" for _, _, data in recorded(server.api, WINDOW_BUCKET)
        ),
        what="a window recorded after the X server came back",
    )
    # Each watcher retries on its own clock, so the AFK watcher may reconnect up to one
    # retry interval after the window watcher did.
    wait_for(
        lambda: "is back; the AFK watcher records again" in watcher.log(),
        what="the AFK watcher to say the X server is back",
    )
    assert watcher.process.poll() is None
    watcher.stop()
    log = watcher.log()
    assert "is back; the window watcher records again" in log
    assert "is back; the AFK watcher records again" in log
    assert "Traceback" not in log
