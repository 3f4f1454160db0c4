"""Bad input gets a clear 4xx JSON message and changes nothing already stored."""

import httpx
import pytest

GOOD = {"timestamp": "2024-01-01T08:00:00Z", "duration": 1, "data": {"app": "a"}}


def assert_json_error(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert isinstance(response.json()["message"], str) and response.json()["message"]


@pytest.fixture
def seeded(http, bucket):
    http.post(f"/buckets/{bucket}/events", json=[GOOD])
    return bucket


def unchanged(http, bucket):
    events = http.get(f"/buckets/{bucket}/events").json()
    assert [(e["timestamp"], e["duration"], e["data"]) for e in events] == [
        ("2024-01-01T08:00:00+00:00", 1.0, {"app": "a"})
    ]


@pytest.mark.parametrize("body", [b"{", b"not json", b"", b"[1,", b"\xff\xfe", b'{"timestamp": "2024-01-01T08:00:00Z",}'])
@pytest.mark.parametrize("path", ["events", "heartbeat?pulsetime=5"])
def test_malformed_json(http, seeded, path, body):
    response = http.post(f"/buckets/{seeded}/{path}", content=body, headers={"content-type": "application/json"})
    assert_json_error(response, 400)
    unchanged(http, seeded)


@pytest.mark.parametrize("event", [
    {"timestamp": 1704096000, "data": {}},
    {"timestamp": "1704096000", "data": {}},
    {"timestamp": "yesterday", "data": {}},
    {"timestamp": "2024-13-01T00:00:00Z", "data": {}},
    {"timestamp": "2024-01-01T25:00:00Z", "data": {}},
    {"timestamp": None, "data": {}},
    {"data": {}},
    {"timestamp": "2024-01-01T08:00:00Z", "duration": "long"},
    {"timestamp": "2024-01-01T08:00:00Z", "duration": -1},
    {"timestamp": "2024-01-01T08:00:00Z", "duration": 1e300},
    {"timestamp": "2024-01-01T08:00:00Z", "data": [1, 2]},
    {"timestamp": "2024-01-01T08:00:00Z", "data": "text"},
    {"timestamp": "2024-01-01T08:00:00Z", "data": {"big": 2**80}},
    {"timestamp": "9999-12-31T23:59:59Z", "duration": 10},
    {"timestamp": "2024-01-01T08:00:00Z", "id": -5},
    {"timestamp": "2024-01-01T08:00:00Z", "id": 2**64},
    {"timestamp": "2024-01-01T08:00:00Z", "id": "one"},
])
def test_wrong_types_and_values(http, seeded, event):
    assert_json_error(http.post(f"/buckets/{seeded}/events", json=[GOOD, event]), 400)
    assert_json_error(http.post(f"/buckets/{seeded}/heartbeat?pulsetime=5", json=event), 400)
    unchanged(http, seeded)


@pytest.mark.parametrize("body", [[1, 2], "string", 5, None, [None], {"events": []}])
def test_wrong_shapes(http, seeded, body):
    response = http.post(f"/buckets/{seeded}/events", content=httpx.Request("POST", "/", json=body).content,
                         headers={"content-type": "application/json"})
    assert_json_error(response, 400)
    unchanged(http, seeded)


@pytest.mark.parametrize("params", [
    {"start": "garbage"}, {"end": "2024-99-01"}, {"limit": "ten"}, {"limit": -2},
    {"start": "2024-01-02T00:00:00Z", "end": "2024-01-01T00:00:00Z"},
])
def test_bad_query_parameters(http, seeded, params):
    assert_json_error(http.get(f"/buckets/{seeded}/events", params=params), 400)
    if "limit" not in params:
        assert_json_error(http.get(f"/buckets/{seeded}/events/count", params=params), 400)


@pytest.mark.parametrize("pulsetime", [None, "", "abc", "-1", "nan", "inf", "1e12"])
def test_bad_pulsetime(http, seeded, pulsetime):
    params = {} if pulsetime is None else {"pulsetime": pulsetime}
    assert_json_error(http.post(f"/buckets/{seeded}/heartbeat", params=params, json=GOOD), 400)
    unchanged(http, seeded)


def test_bad_event_ids(http, seeded):
    assert_json_error(http.get(f"/buckets/{seeded}/events/abc"), 400)
    assert_json_error(http.get(f"/buckets/{seeded}/events/{2**70}"), 400)
    assert_json_error(http.delete(f"/buckets/{seeded}/events/0"), 400)
    assert_json_error(http.get(f"/buckets/{seeded}/events/123456789"), 404)
    unchanged(http, seeded)


@pytest.mark.parametrize("body", [
    {}, {"client": "c", "type": "t"}, {"client": 1, "type": "t", "hostname": "h"},
    {"client": "c", "type": "t", "hostname": "h", "data": []},
    {"client": "c\u0000", "type": "t", "hostname": "h"},
    {"client": "c", "type": "t", "hostname": "h", "created": "never"},
])
def test_bad_bucket_bodies(http, bucket_id, body):
    assert_json_error(http.post(f"/buckets/{bucket_id}", json=body), 400)
    assert http.get(f"/buckets/{bucket_id}").status_code == 404


def test_bad_bucket_ids(http):
    body = {"client": "c", "type": "t", "hostname": "h"}
    assert_json_error(http.post("/buckets/bad%00id", json=body), 400)
    assert_json_error(http.post("/buckets/" + "x" * 600, json=body), 400)


def test_unknown_routes_and_methods_are_json(http, server):
    assert_json_error(http.get("/nothing-here"), 404)
    assert_json_error(http.patch("/buckets/x"), 405)
    assert_json_error(httpx.get(f"{server.url}/no/such/page"), 404)


def test_oversized_bodies_are_refused(start_server):
    server = start_server("--testing", env={"HOURWISE_MAX_BODY_BYTES": "2000"})
    with httpx.Client(base_url=server.api) as client:
        client.post("/buckets/b", json={"client": "c", "type": "t", "hostname": "h"})
        big = [{**GOOD, "data": {"title": "x" * 100, "i": i}} for i in range(50)]
        assert_json_error(client.post("/buckets/b/events", json=big), 413)

        def chunks():  # no Content-Length: the limit applies while reading
            for _ in range(10):
                yield b" " * 500

        response = client.post("/buckets/b/events", content=chunks(), headers={"content-type": "application/json"})
        assert_json_error(response, 413)
        assert client.get("/buckets/b/events/count").json() == 0
        assert client.post("/buckets/b/events", json=[GOOD]).status_code == 200
