"""Event routes over the wire: listing, clipping, insert/replace, count, get, delete."""


def post(http, bucket, events):
    response = http.post(f"/buckets/{bucket}/events", json=events)
    assert response.status_code == 200, response.text
    return response.json()


def test_insert_one_object_or_a_list(http, bucket):
    single = post(http, bucket, {"timestamp": "2024-01-01T08:00:00Z", "duration": 1, "data": {"a": 1}})
    assert len(single) == 1 and single[0]["id"]
    many = post(http, bucket, [{"timestamp": f"2024-01-01T09:00:0{i}Z", "data": {"i": i}} for i in range(3)])
    assert [e["data"]["i"] for e in many] == [0, 1, 2]
    assert http.get(f"/buckets/{bucket}/events/count").json() == 4


def test_newest_first_and_limit(http, bucket):
    post(http, bucket, [{"timestamp": f"2024-01-01T08:00:{i:02d}Z", "duration": 1, "data": {"i": i}} for i in range(10)])
    events = http.get(f"/buckets/{bucket}/events").json()
    assert [e["data"]["i"] for e in events] == list(range(9, -1, -1))
    assert len(http.get(f"/buckets/{bucket}/events", params={"limit": 3}).json()) == 3
    assert len(http.get(f"/buckets/{bucket}/events", params={"limit": -1}).json()) == 10
    assert http.get(f"/buckets/{bucket}/events", params={"limit": 0}).json() == []


def test_range_clips_events(http, bucket):
    post(http, bucket, [{"timestamp": "2024-01-01T08:00:00Z", "duration": 3600, "data": {}}])
    events = http.get(f"/buckets/{bucket}/events", params={
        "start": "2024-01-01T08:30:00Z", "end": "2024-01-01T08:45:00+00:00"}).json()
    assert len(events) == 1
    assert events[0]["timestamp"] == "2024-01-01T08:30:00+00:00"
    assert events[0]["duration"] == 900.0


def test_event_started_long_before_range_is_found(http, bucket):
    post(http, bucket, [{"timestamp": "2024-01-01T00:00:00Z", "duration": 10 * 86400, "data": {"long": True}}])
    events = http.get(f"/buckets/{bucket}/events", params={
        "start": "2024-01-05T00:00:00Z", "end": "2024-01-06T00:00:00Z"}).json()
    assert [(e["timestamp"], e["duration"]) for e in events] == [("2024-01-05T00:00:00+00:00", 86400.0)]


def test_midnight_spanning_event(http, bucket):
    post(http, bucket, [{"timestamp": "2024-01-01T23:30:00Z", "duration": 3600, "data": {"app": "late"}}])
    day1 = http.get(f"/buckets/{bucket}/events", params={"start": "2024-01-01T00:00:00Z", "end": "2024-01-02T00:00:00Z"}).json()
    day2 = http.get(f"/buckets/{bucket}/events", params={"start": "2024-01-02T00:00:00Z", "end": "2024-01-03T00:00:00Z"}).json()
    assert [e["duration"] for e in day1] == [1800.0]
    assert [(e["timestamp"], e["duration"]) for e in day2] == [("2024-01-02T00:00:00+00:00", 1800.0)]
    count = http.get(f"/buckets/{bucket}/events/count", params={"start": "2024-01-02T00:00:00Z", "end": "2024-01-03T00:00:00Z"})
    assert count.json() == 1


def test_timestamps_with_offsets_naive_and_date_only(http, bucket):
    stored = post(http, bucket, [
        {"timestamp": "2024-01-01T10:00:00+02:00", "data": {"k": "offset"}},
        {"timestamp": "2024-01-01T08:00:01", "data": {"k": "naive"}},
        {"timestamp": "2024-01-02", "data": {"k": "date"}},
        {"timestamp": "2024-01-01T08:00:02.123456789Z", "data": {"k": "nanos"}},
    ])
    assert [e["timestamp"] for e in stored] == [
        "2024-01-01T08:00:00+00:00", "2024-01-01T08:00:01+00:00",
        "2024-01-02T00:00:00+00:00", "2024-01-01T08:00:02.123456+00:00",
    ]


def test_count_honours_range(http, bucket):
    post(http, bucket, [{"timestamp": f"2024-01-0{d}T12:00:00Z", "duration": 60, "data": {}} for d in range(1, 6)])
    count = http.get(f"/buckets/{bucket}/events/count", params={"start": "2024-01-02T00:00:00Z", "end": "2024-01-03T23:59:59Z"})
    assert count.status_code == 200 and count.text == "2"


def test_get_replace_and_delete_by_id(http, bucket):
    (event,) = post(http, bucket, [{"timestamp": "2024-01-01T08:00:00Z", "duration": 5, "data": {"v": 1}}])
    got = http.get(f"/buckets/{bucket}/events/{event['id']}").json()
    assert got == event
    post(http, bucket, [{**event, "duration": 9, "data": {"v": 2}}])
    assert http.get(f"/buckets/{bucket}/events/count").json() == 1
    replaced = http.get(f"/buckets/{bucket}/events/{event['id']}").json()
    assert (replaced["duration"], replaced["data"]) == (9.0, {"v": 2})
    assert http.delete(f"/buckets/{bucket}/events/{event['id']}").json() == {"success": 1}
    assert http.delete(f"/buckets/{bucket}/events/{event['id']}").json() == {"success": 0}
    missing = http.get(f"/buckets/{bucket}/events/{event['id']}")
    assert missing.status_code == 404 and "message" in missing.json()


def test_replace_with_id_from_another_bucket_is_refused(http, bucket, bucket_id):
    other = bucket_id + "-other"
    http.post(f"/buckets/{other}", json={"client": "t", "type": "t", "hostname": "h"})
    (theirs,) = post(http, other, [{"timestamp": "2024-01-01T08:00:00Z", "data": {"owner": "other"}}])
    response = http.post(f"/buckets/{bucket}/events", json=[{**theirs, "data": {"owner": "me"}}])
    assert response.status_code == 400
    assert http.get(f"/buckets/{other}/events/{theirs['id']}").json()["data"] == {"owner": "other"}
    assert http.get(f"/buckets/{bucket}/events/count").json() == 0


def test_unicode_and_nested_data_round_trip(http, bucket):
    data = {"title": "Ünïcødé — 日本語 🎉", "nested": {"list": [1, 2.5, None, True], "empty": {}}}
    post(http, bucket, [{"timestamp": "2024-01-01T08:00:00Z", "data": data}])
    assert http.get(f"/buckets/{bucket}/events").json()[0]["data"] == data
