"""The RescueTime API on a running hourwise serve: real client, key and token checks, and
the matrix of every /api/oauth endpoint against every scope."""

from __future__ import annotations

import hashlib
import secrets

import httpx
import pytest

from hourwise.services.oauth import OAUTH_SCOPES
from hourwise.store import Store
from tests.support.accounts import make_user_with_key

pytestmark = pytest.mark.e2e

KEY_NOT_FOUND = {"error": "# key not found", "messages": "key not found"}
DAY = "2024-01-02"
WINDOW = "aw-watcher-window_laptop"
AFK = "aw-watcher-afk_laptop"

# endpoint -> the scope RescueTime's documentation assigns it
OAUTH_ENDPOINTS = {
    "/api/oauth/data": "time_data",
    "/api/oauth/daily_summary_feed": "time_data",
    "/api/oauth/overview_data": "category_data",
    "/api/oauth/category_data": "category_data",
    "/api/oauth/productivity_data": "productivity_data",
}


@pytest.fixture(scope="module")
def rt_server(tmp_path_factory):
    from tests.support.server import ServerProcess

    data = tmp_path_factory.mktemp("rescuetime")
    key = make_user_with_key("alice", data)
    server = ServerProcess(data, "--testing").start()
    with httpx.Client(base_url=server.api, headers={"Authorization": f"Bearer {key}"}) as aw:
        aw.post("/settings/hourwise_timezone", json="UTC")
        for bucket, kind in ((WINDOW, "currentwindow"), (AFK, "afkstatus")):
            aw.post(f"/buckets/{bucket}", json={"client": "t", "type": kind, "hostname": "laptop"})
        aw.post(f"/buckets/{WINDOW}/events", json=[
            {"timestamp": f"{DAY}T09:00:00Z", "duration": 3600, "data": {"app": "code", "title": "main.py"}},
            {"timestamp": f"{DAY}T10:00:00Z", "duration": 1800, "data": {"app": "slack", "title": "general"}},
            {"timestamp": f"{DAY}T10:30:00Z", "duration": 600, "data": {"app": "code", "title": "test.py"}},
        ])
        aw.post(f"/buckets/{AFK}/events", json=[
            {"timestamp": f"{DAY}T09:00:00Z", "duration": 6000, "data": {"status": "not-afk"}},
        ])
    yield server, key, data
    server.stop()


def token_with(data, scopes: list[str]) -> str:
    """An access token as the consent flow would have stored it (the server re-reads it)."""
    secret = secrets.token_urlsafe(24)
    store = Store(f"sqlite:///{data / 'hourwise-testing.db'}")
    try:
        store.save_oauth_token(hashlib.sha256(secret.encode()).digest(), "matrix-client", 2,
                               scopes, 2**62)
    finally:
        store.close()
    return secret


def test_real_rescue_api_client(rt_server, monkeypatch):
    from rescue_api.rescuetime import RescueAPI

    server, key, _ = rt_server

    class HourwiseRescueAPI(RescueAPI):  # the one change a user makes: the base URL
        def endpoint(self, endpoint):
            return f"{server.url}/anapi{endpoint}"

    monkeypatch.setenv("RESCUETIME_API_KEY", key)
    client = HourwiseRescueAPI()
    client.payload.update({"restrict_begin": DAY, "restrict_end": DAY, "restrict_kind": "activity"})
    result = client.get_analytic_data()
    assert result["status_code"] == 200
    data = result["data"]
    assert data["row_headers"][:4] == ["Rank", "Time Spent (seconds)", "Number of People", "Activity"]
    assert [(row[0], row[1], row[3]) for row in data["rows"]] == [(1, 4200, "code"), (2, 1800, "slack")]
    feed = client.get_daily_summary_feed()
    assert feed["status_code"] == 200 and isinstance(feed["json"], list)


def test_key_problems_answer_like_rescuetime(rt_server):
    server, key, _ = rt_server
    for params in ({}, {"key": "wrong" * 8}, {"key": ""}):
        response = httpx.get(f"{server.url}/anapi/data", params=params)
        assert response.status_code == 200 and response.json() == KEY_NOT_FOUND, params
    bad = httpx.get(f"{server.url}/anapi/data", params={"key": key, "perspective": "sideways"})
    assert bad.status_code == 200 and bad.json()["error"] == "# query error"
    csv = httpx.get(f"{server.url}/anapi/data", params={
        "key": key, "format": "csv", "restrict_kind": "activity", "restrict_begin": DAY, "restrict_end": DAY})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[1].split(",")[:2] == ["1", "4200"]


@pytest.mark.parametrize("scope", sorted(OAUTH_SCOPES))
def test_every_oauth_endpoint_against_every_scope(rt_server, scope):
    server, _, data = rt_server
    token = token_with(data, [scope])
    for endpoint, needed in OAUTH_ENDPOINTS.items():
        response = httpx.get(f"{server.url}{endpoint}", params={
            "access_token": token, "restrict_begin": DAY, "restrict_end": DAY})
        assert response.status_code == 200
        if scope == needed:
            assert response.json() != KEY_NOT_FOUND, (endpoint, scope)
        else:
            assert response.json() == KEY_NOT_FOUND, (endpoint, scope)


def test_restricted_reports_never_show_activities(rt_server):
    server, _, data = rt_server
    token = token_with(data, ["category_data", "productivity_data"])
    for endpoint in ("/api/oauth/overview_data", "/api/oauth/category_data", "/api/oauth/productivity_data"):
        body = httpx.get(f"{server.url}{endpoint}", params={
            "access_token": token, "restrict_kind": "activity", "restrict_begin": DAY, "restrict_end": DAY}).json()
        assert "Activity" not in body["row_headers"]
        assert "code" not in str(body["rows"]) and "main.py" not in str(body["rows"])


def test_api_keys_and_tokens_do_not_cross(rt_server):
    server, key, data = rt_server
    token = token_with(data, sorted(OAUTH_SCOPES))
    assert httpx.get(f"{server.url}/anapi/data", params={"key": token}).json() == KEY_NOT_FOUND
    assert httpx.get(f"{server.url}/api/oauth/data", params={"access_token": key}).json() == KEY_NOT_FOUND
