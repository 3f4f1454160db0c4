"""Export and import: a round trip is lossless and importing twice adds nothing."""

import httpx
import orjson


def seed(http, bucket):
    http.post(f"/buckets/{bucket}/events", json=[
        {"timestamp": f"2024-01-01T08:{m:02d}:00.250Z", "duration": 59.5, "data": {"app": f"a{m % 3}", "title": "t"}}
        for m in range(30)
    ])


def test_export_one_bucket_shape(http, bucket):
    seed(http, bucket)
    response = http.get(f"/buckets/{bucket}/export")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert f"aw-bucket-export_{bucket}.json" in response.headers["content-disposition"]
    exported = response.json()["buckets"][bucket]
    assert {"id", "created", "type", "client", "hostname", "data", "events"} <= set(exported)
    assert len(exported["events"]) == 30
    assert "id" not in exported["events"][0]
    assert exported["events"][0]["timestamp"] == "2024-01-01T08:29:00.250000+00:00"


def test_export_all_contains_every_bucket(http, bucket):
    seed(http, bucket)
    response = http.get("/export")
    assert "aw-buckets-export.json" in response.headers["content-disposition"]
    assert bucket in response.json()["buckets"]


def test_round_trip_into_a_fresh_server_is_equal(http, bucket, start_server):
    seed(http, bucket)
    exported = http.get(f"/buckets/{bucket}/export").json()
    other = start_server("--testing")
    with httpx.Client(base_url=other.api) as client:
        assert client.post("/import", json=exported).status_code == 200
        again = client.get(f"/buckets/{bucket}/export").json()
    assert again == exported


def test_import_merges_without_duplicates(http, bucket):
    seed(http, bucket)
    exported = http.get(f"/buckets/{bucket}/export").json()
    extra = {"timestamp": "2024-01-02T08:00:00Z", "duration": 5.0, "data": {"app": "new"}}
    exported["buckets"][bucket]["events"].append(extra)
    result = http.post("/import", json=exported)
    assert result.status_code == 200
    assert result.json()["buckets"][bucket] == {"created": False, "events_added": 1}
    assert http.get(f"/buckets/{bucket}/events/count").json() == 31
    assert http.post("/import", json=exported).json()["buckets"][bucket]["events_added"] == 0
    assert http.get(f"/buckets/{bucket}/events/count").json() == 31


def test_import_as_multipart_upload_like_the_web_ui(http, bucket_id):
    document = {"buckets": {bucket_id: {
        "id": bucket_id, "type": "currentwindow", "client": "c", "hostname": "h",
        "created": "2024-01-01T00:00:00Z",
        "events": [{"timestamp": "2024-01-01T08:00:00Z", "duration": 1, "data": {"k": 1}}]}}}
    files = {"buckets.json": ("aw-buckets-export.json", orjson.dumps(document), "application/json")}
    response = http.post("/import", files=files)
    assert response.status_code == 200, response.text
    assert http.get(f"/buckets/{bucket_id}/events/count").json() == 1


def test_invalid_import_changes_nothing(http, bucket_id):
    document = {"buckets": {bucket_id: {"id": bucket_id, "type": "t", "client": "c", "hostname": "h",
                "events": [{"timestamp": "2024-01-01T08:00:00Z"}, {"timestamp": "not a time"}]}}}
    response = http.post("/import", json=document)
    assert response.status_code == 400
    assert http.get(f"/buckets/{bucket_id}").status_code == 404
    assert http.post("/import", json={"nope": 1}).status_code == 400
    assert http.post("/import", content=b"{", headers={"content-type": "application/json"}).status_code == 400
    assert http.post("/import", files={"x": ("f.json", b"[1,2]", "application/json")}).status_code == 400
