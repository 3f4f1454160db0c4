"""Hourwise's own side of the RescueTime API on a running server: schedules (HTTP API
and CLI) feeding ``restrict_schedule_id``, the web UI's ``classes`` setting feeding the
categories, and a user time zone across a DST change."""

from __future__ import annotations

import httpx
import orjson
import pytest

from hourwise.categorize import taxonomy_classes
from tests.support.accounts import hourwise, make_user_with_key

pytestmark = pytest.mark.e2e

DAY = "2024-01-02"  # a Tuesday
HEADERS = ["Rank", "Time Spent (seconds)", "Number of People", "Activity", "Category", "Productivity"]


def aw_client(server, key: str) -> httpx.Client:
    return httpx.Client(base_url=server.api, headers={"Authorization": f"Bearer {key}"})


def record(aw: httpx.Client, zone: str, window: list[tuple[str, float, str, str]],
           afk: tuple[str, float]) -> None:
    """A window bucket with (start, seconds, app, title) events and one not-afk span."""
    assert aw.post("/settings/hourwise_timezone", json=zone).status_code == 200
    for bucket, kind in (("aw-watcher-window_pc", "currentwindow"), ("aw-watcher-afk_pc", "afkstatus")):
        aw.post(f"/buckets/{bucket}", json={"client": "t", "type": kind, "hostname": "pc"})
    assert aw.post("/buckets/aw-watcher-window_pc/events", json=[
        {"timestamp": ts, "duration": d, "data": {"app": app, "title": title}}
        for ts, d, app, title in window]).status_code == 200
    assert aw.post("/buckets/aw-watcher-afk_pc/events", json=[
        {"timestamp": afk[0], "duration": afk[1], "data": {"status": "not-afk"}}]).status_code == 200


def data(server, key: str, **params: str):
    body = httpx.get(f"{server.url}/anapi/data", params={"key": key, **params}).json()
    return body


WORKDAY = [(f"{DAY}T09:00:00Z", 3600, "code", "main.py"),
           (f"{DAY}T10:00:00Z", 1800, "slack", "general"),
           (f"{DAY}T10:30:00Z", 600, "code", "test.py")]


@pytest.fixture
def alice(start_server, tmp_path):
    data_dir = tmp_path / "srv"
    key = make_user_with_key("alice", data_dir)
    read_only = hourwise("key", "create", "--user", "alice", "--label", "ro", "--read-only",
                         data_dir=data_dir)
    other = make_user_with_key("bob", data_dir)
    server = start_server("--testing", data_dir=data_dir)
    with aw_client(server, key) as aw:
        record(aw, "UTC", WORKDAY, (f"{DAY}T09:00:00Z", 6000))
    return server, key, read_only, other, data_dir


BAD_SCHEDULES = [
    {"name": "x", "intervals": [{"day": "funday", "start": "09:00", "end": "10:00"}]},
    {"name": "x", "intervals": [{"day": "mon-blursday", "start": "09:00", "end": "10:00"}]},
    {"name": "x", "intervals": [{"day": "monday", "start": "25:00", "end": "26:00"}]},
    {"name": "x", "intervals": [{"day": "monday", "start": "9am", "end": "10:00"}]},
    {"name": "x", "intervals": [{"day": "monday", "start": "09:60", "end": "10:00"}]},
    {"name": "x", "intervals": [{"day": "monday", "start": "10:00", "end": "09:00"}]},
    {"name": "x", "intervals": [{"day": "monday", "start": "-1:00", "end": "09:00"}]},
    {"name": "x", "intervals": [{"day": "monday", "start": "09:00"}]},
    {"name": "x", "intervals": [{"day": 3, "start": "09:00", "end": "10:00"}]},
    {"name": "x", "intervals": [{"day": "monday", "start": "09:00", "end": "10:00", "x": 1}]},
    {"name": "x", "intervals": []},
    {"name": "x", "intervals": "monday"},
    {"name": "", "intervals": [{"day": "monday", "start": "09:00", "end": "10:00"}]},
    {"intervals": [{"day": "monday", "start": "09:00", "end": "10:00"}]},
    [], None, "text",
]


def test_schedules_api_validates_and_filters_reports(alice):
    server, key, read_only, other, _ = alice
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}) as api:
        for body in BAD_SCHEDULES:
            response = api.post("/api/schedules", content=orjson.dumps(body),
                                headers={"content-type": "application/json"})
            assert response.status_code == 400, (body, response.text)
            assert isinstance(response.json()["message"], str)
        assert api.post("/api/schedules", content=b"{nope",
                        headers={"content-type": "application/json"}).status_code == 400
        for path in ("/api/schedules/abc", "/api/schedules/0", "/api/schedules/99999999999"):
            assert api.get(path).status_code in (400, 404, 422), path
        assert api.get("/api/schedules/999").status_code == 404

        made = api.post("/api/schedules", json={"name": "Tuesday nine", "intervals": [
            {"day": "tue", "start": "09:00", "end": "10:00"}]})
        assert made.status_code == 201
        sid = made.json()["id"]
        assert made.json() == {"id": sid, "name": "Tuesday nine", "intervals": [
            {"day": "tuesday", "start": "09:00", "end": "10:00"}]}
        assert api.get("/api/schedules").json() == [made.json()]
        assert api.get(f"/api/schedules/{sid}").json() == made.json()

        # restrict_schedule_id under every spelling
        full = data(server, key, restrict_begin=DAY, restrict_end=DAY)
        assert [r[1:4] for r in full["rows"]] == [[4200, 1, "code"], [1800, 1, "slack"]]
        for name in ("restrict_schedule_id", "rsi", "schedule_id", "s"):
            body = data(server, key, restrict_begin=DAY, restrict_end=DAY, **{name: str(sid)})
            assert body["row_headers"] == HEADERS
            assert body["rows"] == [[1, 3600, 1, "code", "Editing & IDEs", 2]], name
        csv = httpx.get(f"{server.url}/anapi/data", params={
            "key": key, "rb": DAY, "re": DAY, "rsi": str(sid), "format": "csv"}).text
        assert csv == ",".join(HEADERS) + "\n1,3600,1,code,Editing & IDEs,2\n"

        # other users neither see nor use it; a read-only key may read but not write
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {other}"}) as bob:
            assert bob.get("/api/schedules").json() == []
            assert bob.get(f"/api/schedules/{sid}").status_code == 404
            assert bob.delete(f"/api/schedules/{sid}").status_code == 404
        assert data(server, other, rsi=str(sid))["error"] == "# query error"
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {read_only}"}) as ro:
            assert ro.get("/api/schedules").status_code == 200
            assert ro.post("/api/schedules", json={"name": "n", "intervals": [
                {"day": "daily", "start": "00:00", "end": "24:00"}]}).status_code == 403
            assert ro.delete(f"/api/schedules/{sid}").status_code == 403

        assert api.delete(f"/api/schedules/{sid}").json() == {"deleted": sid}
        assert api.delete(f"/api/schedules/{sid}").status_code == 404
        assert data(server, key, rb=DAY, re=DAY, rsi=str(sid))["error"] == "# query error"


def test_schedules_from_the_cli_filter_a_running_server(alice):
    server, key, _, _, data_dir = alice
    out = hourwise("schedule", "add", "Late morning", "--user", "alice",
                   "-i", "mon-fri 10:00-11:00", "-i", "sat,sun 10:00-12:00", data_dir=data_dir)
    sid = int(out)
    listed = hourwise("schedule", "list", "--user", "alice", data_dir=data_dir)
    assert listed.startswith(f"{sid}\tLate morning\tmon 10:00-11:00, tue 10:00-11:00")
    body = data(server, key, rb=DAY, re=DAY, rsi=str(sid), rk="activity")
    assert body["rows"] == [[1, 1800, 1, "slack", "Instant Message", 1],
                            [2, 600, 1, "code", "Editing & IDEs", 2]]
    with pytest.raises(RuntimeError, match="unknown day"):
        hourwise("schedule", "add", "bad", "--user", "alice", "-i", "someday 10:00-11:00",
                 data_dir=data_dir)
    with pytest.raises(RuntimeError, match="time of day"):
        hourwise("schedule", "add", "bad", "--user", "alice", "-i", "mon 10:00-25:00",
                 data_dir=data_dir)
    hourwise("schedule", "remove", str(sid), "--user", "alice", data_dir=data_dir)
    assert hourwise("schedule", "list", "--user", "alice", data_dir=data_dir) == ""


def test_classes_posted_through_the_activitywatch_settings_api_categorise_reports(alice):
    server, key, _, _, _ = alice
    with aw_client(server, key) as aw:
        shipped = aw.get("/settings/classes").json()
        assert shipped == taxonomy_classes()
        assert aw.get("/settings").json()["classes"] == shipped
        before = data(server, key, rb=DAY, re=DAY)["rows"]
        assert [r[3:] for r in before] == [["code", "Editing & IDEs", 2], ["slack", "Instant Message", 1]]

        # what the web UI posts after the user adds a category for slack and deletes the
        # shipped rule for editor apps
        edited = [c for c in shipped if not (c["name"] == ["Software Development", "Editing & IDEs"]
                                             and c["rule"].get("select_keys") == ["app"])]
        edited.append({"id": 1000, "name": ["Work", "Chat"], "data": {"color": "#0A0", "score": 2},
                       "rule": {"type": "regex", "regex": "SLACK", "ignore_case": True}})
        assert aw.post("/settings/classes", json=edited).status_code == 200
        assert aw.get("/settings/classes").json() == edited
        after = data(server, key, rb=DAY, re=DAY)
        assert after["rows"] == [[1, 4200, 1, "code", "Uncategorized", 0],
                                 [2, 1800, 1, "slack", "Chat", 2]]
        overview = data(server, key, rb=DAY, re=DAY, rk="overview")["rows"]
        assert overview == [[1, 4200, 1, "Uncategorized"], [2, 1800, 1, "Work"]]

        # forgetting the setting brings the shipped defaults back
        assert aw.delete("/settings/classes").json() == {"deleted": True}
        assert aw.get("/settings/classes").json() == shipped
        assert data(server, key, rb=DAY, re=DAY)["rows"] == before


def test_day_and_hour_rows_are_local_across_a_dst_change(start_server, tmp_path):
    data_dir = tmp_path / "dst"
    key = make_user_with_key("dora", data_dir)
    server = start_server("--testing", data_dir=data_dir)
    with aw_client(server, key) as aw:
        # Europe/Berlin springs forward on 2024-03-31 at 02:00 CET -> 03:00 CEST
        record(aw, "Europe/Berlin", [
            ("2024-03-30T22:30:00Z", 3600, "code", "a"),   # 23:30-00:30 local: both days
            ("2024-03-31T00:30:00Z", 3600, "code", "b"),   # 01:30 CET - 03:30 CEST
            ("2024-03-31T22:30:00Z", 600, "code", "c"),    # 00:30 CEST on April 1st
        ], ("2024-03-30T22:00:00Z", 86400 * 2))
    days = data(server, key, perspective="interval", resolution_time="day",
                restrict_begin="2024-03-30", restrict_end="2024-04-01")
    assert days["row_headers"] == ["Date", "Time Spent (seconds)", "Number of People", "Activity",
                                   "Category", "Productivity"]
    assert [r[:2] for r in days["rows"]] == [["2024-03-30T00:00:00", 1800],
                                             ["2024-03-31T00:00:00", 5400],
                                             ["2024-04-01T00:00:00", 600]]
    hours = data(server, key, by="interval", i="hour", rb="2024-03-31", re="2024-03-31",
                 rk="productivity")
    assert hours["rows"] == [["2024-03-31T00:00:00", 1800, 1, 2],
                             ["2024-03-31T01:00:00", 1800, 1, 2],
                             ["2024-03-31T03:00:00", 1800, 1, 2]]
    # a single day asked for alone is the 23-hour local day
    one = data(server, key, rb="2024-03-31", re="2024-03-31", rk="productivity")
    assert one["rows"] == [[1, 5400, 1, 2]]
