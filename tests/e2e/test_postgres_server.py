"""hourwise serve on PostgreSQL: the same API over the wire, data surviving a restart."""

from datetime import datetime, timedelta, timezone

import httpx
import pytest
from aw_client import ActivityWatchClient
from aw_core.models import Event

from tests.support.postgres import create_database, drop_database

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def pg_url():
    url = create_database("hourwise_e2e")
    yield url
    drop_database(url)


def test_serve_on_postgres(start_server, pg_url):
    server = start_server("--testing", "--db", pg_url)
    client = ActivityWatchClient("pg-e2e", testing=True, host="127.0.0.1", port=str(server.port))
    bucket = "pg-e2e_host"
    client.create_bucket(bucket, "currentwindow")
    for seconds in range(0, 10):
        client.heartbeat(bucket, Event(timestamp=T0 + timedelta(seconds=seconds), data={"app": "a"}), pulsetime=2)
    client.insert_events(bucket, [Event(timestamp=T0 + timedelta(hours=1), duration=5, data={"app": "b"})])
    client.set_setting("theme", "dark")

    server.restart()
    events = client.get_events(bucket)
    assert [(e.data["app"], e.duration.total_seconds()) for e in events] == [("b", 5.0), ("a", 9.0)]
    assert client.get_setting("theme") == "dark"
    with httpx.Client(base_url=server.api) as http:
        exported = http.get(f"/buckets/{bucket}/export").json()
        assert http.post("/import", json=exported).json()["buckets"][bucket]["events_added"] == 0
        assert http.get("/info").json()["testing"] is True
