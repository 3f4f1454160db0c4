"""Accounts and API keys: both modes, every way of presenting a key, revocation, limits,
and per-user isolation on every ActivityWatch endpoint."""

from __future__ import annotations

import base64

import httpx
import requests
import pytest

from tests.support.accounts import hourwise, make_user_with_key

EVENT = {"timestamp": "2024-01-01T08:00:00Z", "duration": 5, "data": {"app": "secret-app"}}
BUCKET = {"client": "c", "type": "currentwindow", "hostname": "h"}


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def local_server(start_server, tmp_path):
    data = tmp_path / "local"
    alice = make_user_with_key("alice", data)
    bob = make_user_with_key("bob", data)
    server = start_server("--testing", data_dir=data)
    return server, alice, bob


@pytest.fixture
def team_server(start_server, tmp_path):
    data = tmp_path / "team"
    alice = make_user_with_key("alice", data)
    server = start_server("--testing", data_dir=data, env={"HOURWISE_MODE": "server"})
    return server, alice


def test_every_way_of_presenting_a_key(local_server):
    server, alice, _ = local_server
    with httpx.Client(base_url=server.api) as http:
        http.post("/buckets/mine", json=BUCKET, headers=bearer(alice))
        basic = base64.b64encode(f"anyone:{alice}".encode()).decode()
        for kwargs in ({"headers": bearer(alice)}, {"params": {"token": alice}},
                       {"params": {"key": alice}}, {"headers": {"Authorization": f"Basic {basic}"}}):
            assert "mine" in http.get("/buckets/", **kwargs).json(), kwargs
        assert "mine" not in http.get("/buckets/").json()  # no key: the local owner


def test_invalid_key_is_refused_even_in_local_mode(local_server):
    server, _, _ = local_server
    with httpx.Client(base_url=server.api) as http:
        for headers in (bearer("x" * 40), {"Authorization": "Basic !!!"}):
            response = http.get("/buckets/", headers=headers)
            assert response.status_code == 401
            assert "API key" in response.json()["message"]


def test_revoked_key_refused_on_the_very_next_request(local_server, tmp_path):
    server, alice, _ = local_server
    with httpx.Client(base_url=server.api, headers=bearer(alice)) as http:
        assert http.get("/buckets/").status_code == 200
        key_id = hourwise("key", "list", "--user", "alice", data_dir=tmp_path / "local").split("\t")[0]
        hourwise("key", "revoke", key_id, "--user", "alice", data_dir=tmp_path / "local")
        assert http.get("/buckets/").status_code == 401


def test_keys_api_create_list_revoke(local_server):
    server, alice, _ = local_server
    with httpx.Client(base_url=f"{server.url}/api", headers=bearer(alice)) as http:
        created = http.post("/keys", json={"label": "script", "read_only": True})
        assert created.status_code == 201
        secret = created.json()["secret"]
        listed = http.get("/keys").json()
        assert {k["label"] for k in listed} == {"alice-key", "script"}
        assert all("secret" not in k for k in listed)
        with httpx.Client(base_url=server.api, headers=bearer(secret)) as limited:
            assert limited.get("/buckets/").status_code == 200
            assert limited.post("/buckets/x", json=BUCKET).status_code == 403  # read-only
            query = {"timeperiods": ["2024-01-01/2024-01-02"], "query": ["RETURN = 1;"]}
            assert limited.post("/query/", json=query).status_code == 200  # reading is fine
            assert httpx.get(f"{server.url}/api/keys", headers=bearer(secret)).status_code == 403
        assert http.delete(f"/keys/{created.json()['id']}").status_code == 200
        assert httpx.get(f"{server.api}/buckets/", headers=bearer(secret)).status_code == 401
        assert http.delete(f"/keys/{created.json()['id']}").status_code == 404
        assert http.post("/keys", json={"label": "x", "scopes": ["nope"]}).status_code == 400


def test_scoped_key_without_activitywatch_scope(local_server, tmp_path):
    server, _, _ = local_server
    secret = hourwise("key", "create", "--user", "alice", "--label", "rt", "--scope", "time_data",
                      data_dir=tmp_path / "local")
    response = httpx.get(f"{server.api}/buckets/", headers=bearer(secret))
    assert response.status_code == 403


def test_failed_authentication_is_rate_limited(local_server):
    server, alice, _ = local_server
    with httpx.Client(base_url=server.api) as http:
        statuses = [http.get("/buckets/", headers=bearer(f"wrong{i:035d}")).status_code for i in range(25)]
        assert statuses[:20] == [401] * 20
        assert statuses[-1] == 429
        limited = http.get("/buckets/", headers=bearer(alice))
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0


def test_server_mode_requires_authentication(team_server):
    server, alice = team_server
    with httpx.Client(base_url=server.api) as http:
        assert http.get("/info").status_code == 200  # the health check stays open
        for method, path in (("GET", "/buckets/"), ("POST", "/buckets/x"), ("GET", "/settings"),
                             ("GET", "/export"), ("POST", "/query/")):
            assert http.request(method, path, json={}).status_code == 401, path
        assert httpx.get(f"{server.url}/api/openapi.json").status_code == 401
        assert http.post("/buckets/x", json=BUCKET, headers=bearer(alice)).status_code == 200
        assert http.get("/buckets/", headers=bearer(alice)).json().keys() == {"x"}


def test_server_mode_refuses_to_start_without_credentials(tmp_path):
    from tests.support.server import ServerProcess

    proc = ServerProcess(tmp_path / "empty", "--testing", env={"HOURWISE_MODE": "server"})
    with pytest.raises(RuntimeError, match="refusing to start in server mode"):
        proc.start(timeout=20)


def test_aw_client_in_server_mode_with_a_key(team_server, tmp_path, monkeypatch):
    """aw-client 0.5.15 cannot send headers; requests' netrc support sends the key."""
    from aw_client import ActivityWatchClient
    from aw_core.models import Event

    server, alice = team_server
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login hourwise password {alice}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    client = ActivityWatchClient("netrc-test", testing=True, host="127.0.0.1", port=str(server.port))
    client.create_bucket("netrc-test_h", "currentwindow")
    client.insert_event("netrc-test_h", Event(timestamp="2024-01-01T08:00:00Z", duration=3, data={"a": 1}))
    assert client.get_eventcount("netrc-test_h") == 1
    monkeypatch.delenv("NETRC")
    monkeypatch.setenv("NETRC", str(tmp_path / "missing"))
    with pytest.raises(requests.HTTPError) as refused:  # no key now: server mode says 401
        client.get_buckets()
    assert refused.value.response.status_code == 401


# (method, path, body) for every /api/0 route that touches a user's data; "{b}" is the
# victim's bucket and "{e}" one of its event ids.
ISOLATION = [
    ("GET", "/buckets/{b}", None),
    ("PUT", "/buckets/{b}", {"hostname": "hijacked"}),
    ("DELETE", "/buckets/{b}?force=1", None),
    ("GET", "/buckets/{b}/events", None),
    ("GET", "/buckets/{b}/events/count", None),
    ("GET", "/buckets/{b}/events/{e}", None),
    ("DELETE", "/buckets/{b}/events/{e}", None),
    ("POST", "/buckets/{b}/events", [EVENT]),
    ("POST", "/buckets/{b}/heartbeat?pulsetime=60", EVENT),
    ("GET", "/buckets/{b}/export", None),
]


def test_one_user_cannot_reach_another_users_data(local_server):
    server, alice, bob = local_server
    with httpx.Client(base_url=server.api, headers=bearer(alice)) as as_alice, \
            httpx.Client(base_url=server.api, headers=bearer(bob)) as as_bob:
        as_alice.post("/buckets/private", json=BUCKET)
        (event,) = as_alice.post("/buckets/private/events", json=[EVENT]).json()
        as_alice.post("/settings/secret", json="alice's")
        before = as_alice.get("/export").json()

        for method, path, body in ISOLATION:
            url = path.format(b="private", e=event["id"])
            response = as_bob.request(method, url, json=body)
            assert response.status_code == 404, (method, url, response.status_code)
        # Bob's own same-named bucket is his, and cannot touch Alice's event by id
        assert as_bob.post("/buckets/private", json=BUCKET).status_code == 200
        stolen = as_bob.post("/buckets/private/events", json=[{**EVENT, "id": event["id"]}])
        assert stolen.status_code == 400
        assert as_bob.get(f"/buckets/private/events/{event['id']}").status_code == 404
        assert as_bob.delete(f"/buckets/private/events/{event['id']}").json() == {"success": 0}
        assert as_bob.get("/buckets/").json().keys() == {"private"}
        assert as_bob.get("/buckets/private/events").json() == []
        assert "secret" not in as_bob.get("/settings").json()
        assert as_bob.get("/settings/secret").json() is None
        as_bob.post("/settings/secret", json="bob's")
        assert "secret-app" not in as_bob.get("/export").text
        query = {"timeperiods": ["2024-01-01/2024-01-02"],
                 "query": ['RETURN = query_bucket("private");']}
        assert as_bob.post("/query/", json=query).json() == [[]]
        assert as_bob.delete("/buckets/private").status_code == 200

        assert as_alice.get("/export").json() == before
        assert as_alice.get("/settings/secret").json() == "alice's"
        assert as_alice.get("/buckets/private").json()["hostname"] == "h"


def test_secrets_never_reach_the_log(start_server, tmp_path):
    data = tmp_path / "logged"
    alice = make_user_with_key("alice", data)
    server = start_server("--testing", "--log-level", "debug", data_dir=data)
    httpx.get(f"{server.api}/buckets/", params={"token": alice})
    httpx.get(f"{server.url}/anapi/data", params={"key": alice})
    httpx.get(f"{server.url}/api/oauth/data", params={"access_token": "guessed-token-value"})
    httpx.get(f"{server.api}/buckets/", headers=bearer("wrong-secret-value-000000000000000000"))
    server.stop()
    log = server.log()
    assert "GET /anapi/data?key=***" in log  # requests are logged at debug level...
    for secret in (alice, "guessed-token-value", "wrong-secret-value"):
        assert secret not in log  # ...their credentials never


def test_keys_and_rescuetime_data_are_per_user(local_server):
    server, alice, bob = local_server
    with httpx.Client(base_url=server.url) as http:
        alice_keys = http.get("/api/keys", headers=bearer(alice)).json()
        assert [k["label"] for k in alice_keys] == ["alice-key"]
        assert http.delete(f"/api/keys/{alice_keys[0]['id']}", headers=bearer(bob)).status_code == 404
        assert http.get("/api/0/buckets/", headers=bearer(alice)).status_code == 200  # still valid
        http.post("/api/0/buckets/w", json=BUCKET, headers=bearer(alice))
        http.post("/api/0/buckets/w/events", headers=bearer(alice), json=[
            {"timestamp": "2024-01-02T09:00:00Z", "duration": 600, "data": {"app": "alices-app", "title": "t"}}])
        params = {"restrict_begin": "2024-01-02", "restrict_end": "2024-01-02", "restrict_kind": "activity"}
        mine = http.get("/anapi/data", params={**params, "key": alice}).json()
        theirs = http.get("/anapi/data", params={**params, "key": bob}).json()
        assert "alices-app" in str(mine["rows"])
        assert theirs["rows"] == []


def test_user_commands_end_to_end(tmp_path):
    data = tmp_path / "cli"
    make_user_with_key("carol", data)
    hourwise("user", "passwd", "carol", data_dir=data, stdin="a-long-password\na-long-password\n")
    listed = hourwise("user", "list", data_dir=data)
    assert "carol\tpassword" in listed and "owner\tno password" in listed
    with pytest.raises(RuntimeError, match="exists already"):
        hourwise("user", "add", "carol", "--no-password", data_dir=data)
    with pytest.raises(RuntimeError, match="cannot be removed"):
        hourwise("user", "remove", "owner", "--yes", data_dir=data)
    hourwise("user", "remove", "carol", "--yes", data_dir=data)
    assert "carol" not in hourwise("user", "list", data_dir=data)
