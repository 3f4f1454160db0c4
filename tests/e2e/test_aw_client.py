"""ActivityWatch's own Python client (aw-client 0.5.15 from PyPI) against hourwise serve.

Every public method of ``ActivityWatchClient`` is exercised over real HTTP.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests
from aw_client import ActivityWatchClient
from aw_core.models import Event

pytestmark = pytest.mark.e2e

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def client(server):
    name = f"hw-test-{uuid.uuid4().hex[:8]}"
    aw = ActivityWatchClient(name, testing=True, host="127.0.0.1", port=str(server.port))
    yield aw
    if aw.request_queue.is_alive():
        aw.disconnect()


@pytest.fixture
def bucket(client):
    bucket_id = f"{client.client_name}_{client.client_hostname}"
    client.create_bucket(bucket_id, "currentwindow")
    return bucket_id


def test_info_and_wait_for_start(client, server):
    client.wait_for_start(timeout=5)
    info = client.get_info()
    assert info["testing"] is True and info["hostname"]


def test_bucket_lifecycle(client):
    bucket_id = f"{client.client_name}_lifecycle"
    client.create_bucket(bucket_id, "app.editor.activity")
    client.create_bucket(bucket_id, "app.editor.activity")  # 304 is not an error
    buckets = client.get_buckets()
    assert buckets[bucket_id]["type"] == "app.editor.activity"
    assert buckets[bucket_id]["client"] == client.client_name
    client.delete_bucket(bucket_id, force=True)
    assert bucket_id not in client.get_buckets()


def test_insert_get_count_delete(client, bucket):
    client.insert_event(bucket, Event(timestamp=T0, duration=10, data={"app": "one"}))
    client.insert_events(bucket, [
        Event(timestamp=T0 + timedelta(minutes=i), duration=30, data={"app": f"e{i}"}) for i in range(1, 5)
    ])
    events = client.get_events(bucket)
    assert [e.data["app"] for e in events] == ["e4", "e3", "e2", "e1", "one"]
    assert client.get_eventcount(bucket) == 5
    window = client.get_events(bucket, start=T0 + timedelta(seconds=70), end=T0 + timedelta(minutes=3, seconds=10))
    assert [(e.data["app"], e.duration.total_seconds()) for e in window] == [("e3", 10.0), ("e2", 30.0), ("e1", 20.0)]
    assert client.get_eventcount(bucket, start=T0 + timedelta(minutes=2), end=T0 + timedelta(minutes=2, seconds=5)) == 1
    assert len(client.get_events(bucket, limit=2)) == 2
    first = events[-1]
    fetched = client.get_event(bucket, first.id)
    assert fetched.data == {"app": "one"} and fetched.duration == timedelta(seconds=10)
    client.delete_event(bucket, first.id)
    assert client.get_eventcount(bucket) == 4
    with pytest.raises(requests.HTTPError) as missing:  # aw-client 0.5.15 raises on 404
        client.get_event(bucket, first.id)
    assert missing.value.response.status_code == 404


def test_naive_datetimes_are_utc(client, bucket):
    client.insert_event(bucket, Event(timestamp=datetime(2024, 3, 1, 12, 0), duration=1, data={}))
    (event,) = client.get_events(bucket)
    assert event.timestamp == datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)


def test_heartbeat_direct(client, bucket):
    for seconds in (0, 1, 2, 3):
        client.heartbeat(bucket, Event(timestamp=T0 + timedelta(seconds=seconds), data={"app": "a"}), pulsetime=2)
    client.heartbeat(bucket, Event(timestamp=T0 + timedelta(seconds=4), data={"app": "b"}), pulsetime=2)
    events = client.get_events(bucket)
    assert [(e.data["app"], e.duration.total_seconds()) for e in events] == [("b", 0.0), ("a", 3.0)]


def test_heartbeat_queued_pre_merges_and_delivers(client):
    bucket = f"{client.client_name}_queued"
    client.create_bucket(bucket, "currentwindow", queued=True)
    client.connect()
    for seconds in range(0, 31):  # commit interval 10 s: the client sends merged heartbeats
        client.heartbeat(bucket, Event(timestamp=T0 + timedelta(seconds=seconds), data={"app": "a"}),
                         pulsetime=2, queued=True, commit_interval=10)
    client.heartbeat(bucket, Event(timestamp=T0 + timedelta(seconds=31), data={"app": "b"}),
                     pulsetime=2, queued=True)  # a data change flushes the pending "a"
    deadline = time.monotonic() + 20
    events = []
    while time.monotonic() < deadline:
        if bucket in client.get_buckets():
            events = client.get_events(bucket)
            if sum(e.duration.total_seconds() for e in events) >= 30:
                break
        time.sleep(0.1)
    assert [(e.data["app"], e.duration.total_seconds()) for e in events] == [("a", 30.0)]


def test_export_and_import(client, bucket):
    client.insert_events(bucket, [Event(timestamp=T0 + timedelta(seconds=i), duration=1, data={"i": i}) for i in range(3)])
    exported = client.export_bucket(bucket)["buckets"][bucket]
    assert len(exported["events"]) == 3
    assert bucket in client.export_all()["buckets"]
    client.delete_bucket(bucket, force=True)
    client.import_bucket(exported)
    assert client.export_bucket(bucket)["buckets"][bucket]["events"] == exported["events"]
    client.import_bucket(exported)  # again: merged, nothing doubled
    assert client.get_eventcount(bucket) == 3


def test_settings(client):
    key = f"s-{uuid.uuid4().hex[:8]}"
    client.set_setting(key, {"theme": "dark", "startOfDay": "04:00"})
    assert client.get_setting(key) == {"theme": "dark", "startOfDay": "04:00"}
    client.set_setting(key, False)
    assert client.get_setting(key) is False
    assert key in client.get_setting()


def test_query(client, bucket):
    client.insert_events(bucket, [
        Event(timestamp=T0 + timedelta(minutes=i), duration=60, data={"app": "editor" if i % 3 else "browser"})
        for i in range(9)
    ])
    query = (
        f'events = query_bucket("{bucket}");\n'
        'merged = sort_by_duration(merge_events_by_keys(events, ["app"]));\n'
        "RETURN = merged;"
    )
    periods = [(T0, T0 + timedelta(hours=1)), (T0 + timedelta(hours=1), T0 + timedelta(hours=2))]
    first, second = client.query(query, periods)
    assert [(e["data"]["app"], e["duration"]) for e in first] == [("editor", 360.0), ("browser", 180.0)]
    assert second == []
