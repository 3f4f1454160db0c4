"""Client-side pre-merge and the persistent queue, without a server."""

import pytest

from hourwise.models import Event, parse_timestamp
from hourwise.watchers.client import WatcherClient, queue_path_for
from hourwise.watchers.queue import HeartbeatQueue, QueueLocked

S = 1_000_000
T0 = 1_700_000_000 * S
X, Y = {"app": "x"}, {"app": "y"}


def queued(client):
    """Everything in the queue, oldest first, as (start µs, duration s, data), emptied."""
    out = []
    while (item := client.queue.peek()) is not None:
        out.append(
            (parse_timestamp(item.event["timestamp"]), item.event["duration"], item.event["data"])
        )
        client.queue.remove(item.seq)
    return out


@pytest.fixture
def client(tmp_path):
    # Never started: no delivery thread, so the queue can be inspected.
    c = WatcherClient("http://127.0.0.1:9", tmp_path / "q.sqlite3", commit_interval=10)
    yield c
    c.queue.close()


def beat(client, second, data, pulsetime=2.0, duration=0):
    client.heartbeat("b", Event(None, T0 + second * S, duration * S, data), pulsetime)


def test_heartbeats_merge_locally_until_the_data_changes(client):
    for second in range(5):
        beat(client, second, X)
    assert queued(client) == []
    beat(client, 5, Y)
    assert queued(client) == [(T0, 4.0, X)]
    client.flush()
    assert queued(client) == [(T0 + 5 * S, 0.0, Y)]


def test_long_events_are_committed_every_commit_interval_whole(client):
    for second in range(0, 25):
        beat(client, second, X)
    # Committed at 10 s and 20 s, each time the whole event so far.
    assert queued(client) == [(T0, 10.0, X), (T0, 20.0, X)]
    client.flush()
    assert queued(client) == [(T0, 24.0, X)]
    client.flush()
    assert queued(client) == []  # nothing new: nothing sent twice


def test_a_gap_beyond_pulsetime_starts_a_new_event(client):
    beat(client, 0, X)
    beat(client, 1, X)
    beat(client, 4, X)  # 3 s after the end, pulsetime 2
    client.flush()
    assert queued(client) == [(T0, 1.0, X), (T0 + 4 * S, 0.0, X)]


def test_queue_survives_the_process_and_is_exclusive(tmp_path):
    path = queue_path_for(tmp_path, "http://127.0.0.1:5600")
    assert path == tmp_path / "watchers" / "queue-127.0.0.1-5600.sqlite3"
    first = HeartbeatQueue(path)
    first.push("b", {"timestamp": "2024-01-01T00:00:00Z", "duration": 1, "data": {"t": "é"}}, 2.0)
    with pytest.raises(QueueLocked):
        HeartbeatQueue(path)
    first.close()
    again = HeartbeatQueue(path)
    item = again.peek()
    assert item.bucket == "b" and item.pulsetime == 2.0 and item.event["data"] == {"t": "é"}
    again.close()


class FakeServer:
    """Answers each request with the next scripted status; records what it was sent."""

    def __init__(self, statuses):
        import http.server
        import threading

        self.statuses = list(statuses)
        self.requests = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.requests.append((self.path, self.headers.get("Authorization"), body))
                status = fake.statuses.pop(0) if fake.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def test_delivery_retries_recreates_drops_and_sends_the_api_key(tmp_path):
    # hb1 -> 500, then (bucket checked again, the server may have restarted) 200;
    # hb2 -> 400, dropped; hb3 -> 404, so the bucket is created again, then 200.
    fake = FakeServer([200, 500, 200, 200, 400, 404, 200, 200])
    client = WatcherClient(fake.url, tmp_path / "q.sqlite3", api_key="s3cret", commit_interval=0)
    client.ensure_bucket("b", "currentwindow", "test", "host")
    for second, data in enumerate([X, Y, X]):
        client._commit("b", Event(None, T0 + second * S, S, data), 2.0)
    client.start()
    client.close(deliver_for=5)
    fake.httpd.shutdown()
    paths = [path.split("?")[0] for path, _, _ in fake.requests]
    bucket, heartbeat = "/api/0/buckets/b", "/api/0/buckets/b/heartbeat"
    assert paths == [bucket, heartbeat, bucket, heartbeat, heartbeat, heartbeat, bucket, heartbeat]
    assert {auth for _, auth, _ in fake.requests} == {"Bearer s3cret"}
    assert fake.requests[1][0].endswith("?pulsetime=2.0")
    assert b'"app": "y"' in fake.requests[4][2] and b'"app": "x"' in fake.requests[-1][2]
    reopened = HeartbeatQueue(tmp_path / "q.sqlite3")
    assert len(reopened) == 0
    reopened.close()
