"""``hourwise serve`` records the desktop it runs on, unless told not to or it cannot."""

import time

import httpx
import pytest

from tests.watchers.conftest import AFK_BUCKET, WINDOW_BUCKET, recorded, wait_for

pytestmark = pytest.mark.e2e


def apps(server):
    return [
        (data["app"], duration / 1e6) for _, duration, data in recorded(server.api, WINDOW_BUCKET)
    ]


def test_serve_records_window_and_afk_and_keeps_pending_time_across_a_restart(
    x_server, start_server
):
    xs = x_server()
    editor, browser = xs.window("Editor", "draft"), xs.window("Browser", "news")
    xs.focus(editor)
    xs.touch()
    server = start_server("--testing", env={"DISPLAY": xs.name})
    time.sleep(1.5)
    xs.focus(browser)  # commits the Editor event at once (default poll 1 s)
    wait_for(
        lambda: [app for app, _ in apps(server)] == ["Editor"], timeout=10, what="the Editor event"
    )
    time.sleep(1.5)
    # Browser's time is still pending in the watchers (commits every 5 s in testing mode):
    # stopping the server must keep it on disk and deliver it when the server is back.
    server.stop()
    server.start()
    recorded_apps = wait_for(
        lambda: len(apps(server)) == 2 and apps(server), timeout=10, what="the queued Browser event"
    )
    assert recorded_apps[1][0] == "Browser" and recorded_apps[1][1] >= 0.5, server.log()
    wait_for(lambda: recorded(server.api, AFK_BUCKET), timeout=10, what="an AFK event")
    assert recorded(server.api, AFK_BUCKET)[0][2] == {"status": "not-afk"}
    assert "Not recording" not in server.log()


def test_serve_without_a_display_or_with_no_watchers_records_nothing_and_says_why(
    x_server, start_server
):
    headless = start_server("--testing")
    xs = x_server()
    quiet = start_server("--testing", "--no-watchers", env={"DISPLAY": xs.name})
    time.sleep(1.0)
    message = "Not recording window and AFK activity: there is no X display (DISPLAY is not set)"
    assert headless.log().count(message) == 1
    assert "Not recording" not in quiet.log()
    for server in (headless, quiet):
        assert httpx.get(f"{server.api}/buckets/").json() == {}
