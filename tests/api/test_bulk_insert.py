"""Bulk inserts over the wire: the direct path answers what the documented route would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

T0 = datetime(2024, 3, 1, 8, tzinfo=UTC)


def events(count: int, **extra) -> list[dict]:
    return [
        {"timestamp": (T0 + timedelta(seconds=7 * i, microseconds=1000 * (i % 3))).isoformat(),
         "duration": 6.5, "data": {"title": f"t{i % 11}", "app": "a", **extra}}
        for i in range(count)
    ]


def test_answer_is_what_is_stored(http, bucket):
    sent = events(1500)
    response = http.post(f"/buckets/{bucket}/events", json=sent)
    assert response.status_code == 200
    answered = response.json()
    assert [e["data"] for e in answered] == [e["data"] for e in sent]
    assert [e["timestamp"] for e in answered] == [e["timestamp"] for e in sent]
    stored = http.get(f"/buckets/{bucket}/events").json()
    assert sorted(stored, key=lambda e: e["id"]) == answered


def test_unusual_forms_are_answered_in_the_stored_form(http, bucket):
    sent = [
        {"timestamp": "2024-03-01T10:00:00+02:00", "duration": 1, "data": {"n": 1.5}},
        {"timestamp": "2024-03-01T08:00:01Z", "data": {"nested": {"b": [1, 2], "a": None}}},
        {"timestamp": "2024-03-01T08:00:02.000000+00:00", "duration": 0},
    ]
    answered = http.post(f"/buckets/{bucket}/events", json=sent).json()
    assert [e["timestamp"] for e in answered] == [
        "2024-03-01T08:00:00+00:00", "2024-03-01T08:00:01+00:00", "2024-03-01T08:00:02+00:00"]
    stored = http.get(f"/buckets/{bucket}/events").json()
    assert sorted(stored, key=lambda e: e["id"]) == answered


def test_errors_are_the_documented_routes(http, bucket):
    bad = http.post(f"/buckets/{bucket}/events", json=events(3) + [{"timestamp": "nope"}])
    assert bad.status_code == 400 and "message" in bad.json()
    missing = http.post("/buckets/no-such-bucket-here/events", json=events(2))
    assert missing.status_code == 404 and "message" in missing.json()
    assert http.get(f"/buckets/{bucket}/events/count").json() == 0
