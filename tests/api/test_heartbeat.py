"""Heartbeats over the wire: the merge rule at its boundaries, and concurrency."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import httpx

T0 = datetime(2024, 1, 1, 10, 0, tzinfo=timezone.utc)


def hb(http, bucket, seconds, data, pulsetime=10, duration=0):
    ts = (T0 + timedelta(seconds=seconds)).isoformat()
    response = http.post(f"/buckets/{bucket}/heartbeat", params={"pulsetime": pulsetime},
                         json={"timestamp": ts, "duration": duration, "data": data})
    assert response.status_code == 200, response.text
    return response.json()


def events(http, bucket):
    return [(e["timestamp"][11:19], e["duration"], e["data"]) for e in http.get(f"/buckets/{bucket}/events").json()]


def test_merge_sequence(http, bucket):
    first = hb(http, bucket, 0, {"x": 1})
    assert first["duration"] == 0
    merged = hb(http, bucket, 5, {"x": 1})
    assert (merged["id"], merged["duration"]) == (first["id"], 5.0)
    beyond = hb(http, bucket, 30, {"x": 1})  # 25 s after the end: new event
    assert beyond["id"] != first["id"]
    other = hb(http, bucket, 31, {"y": 1})
    assert other["id"] != beyond["id"]
    assert events(http, bucket) == [("10:00:31", 0.0, {"y": 1}), ("10:00:30", 0.0, {"x": 1}), ("10:00:00", 5.0, {"x": 1})]


def test_pulsetime_boundary_is_inclusive(http, bucket):
    hb(http, bucket, 0, {"x": 1}, duration=2)
    at_edge = hb(http, bucket, 12, {"x": 1})  # end 2 s + pulsetime 10 s = 12 s: merges
    assert at_edge["duration"] == 12.0
    past_edge = hb(http, bucket, 22.001, {"x": 1})  # 10.001 s after the end: new event
    assert past_edge["duration"] == 0.0
    assert len(events(http, bucket)) == 2


def test_heartbeat_inside_last_event_does_not_shorten_it(http, bucket):
    hb(http, bucket, 0, {"x": 1}, duration=60)
    inside = hb(http, bucket, 10, {"x": 1}, duration=5)
    assert inside["duration"] == 60.0


def test_heartbeat_with_duration_extends_to_its_end(http, bucket):
    hb(http, bucket, 0, {"x": 1})
    merged = hb(http, bucket, 5, {"x": 1}, duration=10)  # queued clients send durations
    assert merged["duration"] == 15.0


def test_zero_pulsetime_merges_only_touching(http, bucket):
    hb(http, bucket, 0, {"x": 1}, pulsetime=0, duration=1)
    assert hb(http, bucket, 1, {"x": 1}, pulsetime=0)["duration"] == 1.0
    assert hb(http, bucket, 1.5, {"x": 1}, pulsetime=0)["duration"] == 0.0


def test_different_data_never_merges(http, bucket):
    hb(http, bucket, 0, {"app": "a", "title": "t"})
    result = hb(http, bucket, 1, {"app": "a", "title": "u"})
    assert result["duration"] == 0.0
    assert len(events(http, bucket)) == 2


def test_key_order_does_not_matter(http, bucket):
    hb(http, bucket, 0, {"app": "a", "title": "t"})
    assert hb(http, bucket, 1, {"title": "t", "app": "a"})["duration"] == 1.0


def test_out_of_order_heartbeat_loses_nothing(http, bucket):
    """aw-server overwrote the newest row here; Hourwise replaces by id."""
    hb(http, bucket, 60, {"z": 1})
    older = hb(http, bucket, 50, {"w": 1})
    hb(http, bucket, 52, {"w": 1})
    got = events(http, bucket)
    assert ("10:01:00", 0.0, {"z": 1}) in got
    assert ("10:00:50", 2.0, {"w": 1}) in got
    assert len(got) == 2
    assert older["id"] != got[0]


def test_cache_follows_inserts_and_deletes(http, bucket):
    first = hb(http, bucket, 0, {"x": 1})
    http.post(f"/buckets/{bucket}/events", json=[{"id": first["id"], "timestamp": T0.isoformat(), "duration": 0, "data": {"x": 2}}])
    after_replace = hb(http, bucket, 1, {"x": 1})
    assert after_replace["id"] != first["id"]  # the cached {"x": 1} event was replaced
    http.delete(f"/buckets/{bucket}/events/{after_replace['id']}")
    fresh = hb(http, bucket, 2, {"x": 1})
    assert fresh["id"] != after_replace["id"]
    assert http.get(f"/buckets/{bucket}/events/count").json() == 2


def test_recreated_bucket_starts_fresh(http, bucket):
    hb(http, bucket, 0, {"x": 1})
    http.delete(f"/buckets/{bucket}")
    http.post(f"/buckets/{bucket}", json={"client": "t", "type": "t", "hostname": "h"})
    result = hb(http, bucket, 1, {"x": 1})
    assert result["duration"] == 0.0
    assert http.get(f"/buckets/{bucket}/events/count").json() == 1


def test_concurrent_heartbeats_neither_lose_nor_double_time(server, bucket):
    """200 heartbeats a second apart, sent from 8 threads in any order of arrival:
    whatever the interleaving, the stored events cover exactly 0..199 s once."""
    seconds = list(range(200))

    def send(chunk):
        with httpx.Client(base_url=server.api) as client:
            for s in chunk:
                client.post(f"/buckets/{bucket}/heartbeat", params={"pulsetime": 300},
                            json={"timestamp": (T0 + timedelta(seconds=s)).isoformat(), "duration": 1, "data": {"x": 1}})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(send, [seconds[i::8] for i in range(8)]))
    with httpx.Client(base_url=server.api) as client:
        stored = client.get(f"/buckets/{bucket}/events").json()
    spans = sorted(
        (datetime.fromisoformat(e["timestamp"]), datetime.fromisoformat(e["timestamp"]) + timedelta(seconds=e["duration"]))
        for e in stored
    )
    covered = timedelta()
    cursor = T0
    for start, end in spans:
        start = max(start, cursor)
        if end > start:
            covered += end - start
            cursor = end
    assert spans[0][0] == T0
    assert max(end for _, end in spans) == T0 + timedelta(seconds=200)
    assert covered == timedelta(seconds=200)
    # overlapping events would double the time a sum of durations reports
    assert sum(e["duration"] for e in stored) == 200.0


def test_late_heartbeat_is_folded_into_its_neighbour(http, bucket):
    hb(http, bucket, 10, {"x": 1}, duration=1)
    late = hb(http, bucket, 0, {"x": 1}, duration=1)  # arrives after, reaches 10 within 10 s
    assert (late["timestamp"][11:19], late["duration"]) == ("10:00:00", 11.0)
    assert events(http, bucket) == [("10:00:00", 11.0, {"x": 1})]
    assert hb(http, bucket, 12, {"x": 1})["duration"] == 12.0  # and the cache is still right
