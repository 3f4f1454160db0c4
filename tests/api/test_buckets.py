"""Bucket routes over the wire."""

import httpx

BODY = {"client": "test", "type": "currentwindow", "hostname": "testhost"}


def test_create_then_304_and_nothing_changes(http, bucket_id):
    assert http.post(f"/buckets/{bucket_id}", json=BODY).status_code == 200
    again = http.post(f"/buckets/{bucket_id}", json={**BODY, "type": "other"})
    assert again.status_code == 304
    assert http.get(f"/buckets/{bucket_id}").json()["type"] == "currentwindow"


def test_bucket_shape_has_both_server_fields(http, bucket):
    http.post(f"/buckets/{bucket}/events", json=[
        {"timestamp": "2024-01-01T08:00:00Z", "duration": 60, "data": {"app": "a"}},
        {"timestamp": "2024-01-01T09:00:00Z", "duration": 30, "data": {"app": "b"}},
    ])
    body = http.get(f"/buckets/{bucket}").json()
    assert body["id"] == bucket
    assert {"id", "name", "type", "client", "hostname", "created", "data", "metadata", "last_updated"} <= set(body)
    assert body["metadata"] == {"start": "2024-01-01T08:00:00+00:00", "end": "2024-01-01T09:00:30+00:00"}
    assert body["last_updated"] == "2024-01-01T09:00:30+00:00"
    listed = http.get("/buckets/").json()
    assert listed[bucket] == body
    assert http.get("/buckets").json()[bucket] == body  # both slash forms


def test_empty_bucket_has_no_last_updated(http, bucket):
    body = http.get(f"/buckets/{bucket}").json()
    assert "last_updated" not in body
    assert body["metadata"] == {"start": None, "end": None}


def test_create_with_data_and_created(http, bucket_id):
    response = http.post(f"/buckets/{bucket_id}", json={**BODY, "data": {"k": "v"}, "created": "2020-05-05T05:05:05+02:00"})
    assert response.status_code == 200
    body = http.get(f"/buckets/{bucket_id}").json()
    assert body["data"] == {"k": "v"}
    assert body["created"] == "2020-05-05T03:05:05+00:00"


def test_local_hostname_is_replaced(http, bucket_id):
    info = http.get("/info").json()
    http.post(f"/buckets/{bucket_id}", json={**BODY, "hostname": "!local"})
    body = http.get(f"/buckets/{bucket_id}").json()
    assert body["hostname"] == info["hostname"]
    assert body["data"]["device_id"] == info["device_id"]


def test_update_bucket(http, bucket):
    response = http.put(f"/buckets/{bucket}", json={"hostname": "renamed", "data": {"x": 1}})
    assert response.status_code == 200
    assert response.json()["hostname"] == "renamed"
    body = http.get(f"/buckets/{bucket}").json()
    assert (body["hostname"], body["data"], body["type"]) == ("renamed", {"x": 1}, "currentwindow")
    assert http.put(f"/buckets/{bucket}", json={"type": None}).status_code == 400
    assert http.put(f"/buckets/{bucket}", json={"unknown": 1}).status_code == 400
    assert http.put("/buckets/missing-bucket", json={"type": "x"}).status_code == 404


def test_delete_bucket_in_testing_mode(http, bucket):
    http.post(f"/buckets/{bucket}/events", json={"timestamp": "2024-01-01T08:00:00Z", "data": {}})
    assert http.delete(f"/buckets/{bucket}").status_code == 200
    assert http.get(f"/buckets/{bucket}").status_code == 404
    assert http.delete(f"/buckets/{bucket}").status_code == 404


def test_delete_needs_force_in_production_mode(start_server):
    server = start_server()
    with httpx.Client(base_url=server.api) as client:
        client.post("/buckets/keep", json=BODY)
        refused = client.delete("/buckets/keep")
        assert refused.status_code == 401
        assert "force" in refused.json()["message"]
        assert client.get("/buckets/keep").status_code == 200
        assert client.delete("/buckets/keep", params={"force": 1}).status_code == 200
        assert client.get("/buckets/keep").status_code == 404
        assert client.get("/info").json()["testing"] is False


def test_missing_bucket_404s_everywhere(http):
    for method, path in [
        ("GET", "/buckets/no-such"), ("GET", "/buckets/no-such/events"),
        ("GET", "/buckets/no-such/events/count"), ("GET", "/buckets/no-such/events/1"),
        ("DELETE", "/buckets/no-such/events/1"), ("GET", "/buckets/no-such/export"),
    ]:
        response = http.request(method, path)
        assert response.status_code == 404, (method, path)
        assert "message" in response.json()
    response = http.post("/buckets/no-such/events", json=[{"timestamp": "2024-01-01T00:00:00Z"}])
    assert response.status_code == 404
    response = http.post("/buckets/no-such/heartbeat?pulsetime=1", json={"timestamp": "2024-01-01T00:00:00Z"})
    assert response.status_code == 404
