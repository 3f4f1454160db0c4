"""Shared fixtures. Importing this module isolates the test run from the user's real
configuration and data: every XDG directory and HOME point into a temporary folder
before any client library (aw-client reads its config and queue from there) loads."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_ISOLATED_HOME = Path(tempfile.mkdtemp(prefix="hourwise-tests-home-"))
for _var, _sub in (
    ("HOME", ""),
    ("XDG_DATA_HOME", ".local/share"),
    ("XDG_CONFIG_HOME", ".config"),
    ("XDG_CACHE_HOME", ".cache"),
    ("XDG_STATE_HOME", ".local/state"),
):
    (_ISOLATED_HOME / _sub).mkdir(parents=True, exist_ok=True)
    os.environ[_var] = str(_ISOLATED_HOME / _sub)
for _var in [name for name in os.environ if name.startswith("HOURWISE_") and not name.startswith("HOURWISE_TEST")]:
    del os.environ[_var]
for _var in ("DISPLAY", "WAYLAND_DISPLAY"): os.environ.pop(_var, None)  # test servers start no watchers

import uuid  # noqa: E402

import httpx  # noqa: E402
import pytest  # noqa: E402

from tests.support.server import ServerProcess  # noqa: E402


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> ServerProcess:
    """One real ``hourwise serve --testing`` shared by the tests of a worker.

    Tests sharing it use their own bucket ids (``bucket_id`` fixture), so they never
    see each other's data.
    """
    proc = ServerProcess(tmp_path_factory.mktemp("server"), "--testing").start()
    yield proc
    proc.stop()


@pytest.fixture
def start_server(tmp_path):
    """Factory for servers a test owns (own data directory, own flags); all stopped after."""
    started: list[ServerProcess] = []

    def start(*args: str, data_dir: Path | None = None, **kwargs) -> ServerProcess:
        proc = ServerProcess(data_dir or tmp_path / f"srv{len(started)}", *args, **kwargs).start()
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


@pytest.fixture
def http(server) -> httpx.Client:
    with httpx.Client(base_url=server.api, timeout=30) as client:
        yield client


@pytest.fixture
def bucket_id() -> str:
    return f"test-bucket-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def bucket(http, bucket_id) -> str:
    """An empty ``currentwindow`` bucket on the shared server."""
    response = http.post(
        f"/buckets/{bucket_id}", json={"client": "test", "type": "currentwindow", "hostname": "testhost"}
    )
    assert response.status_code == 200, response.text
    return bucket_id


@pytest.fixture(scope="session")
def pg_database():
    """A throwaway PostgreSQL database for this test session (dropped at the end)."""
    from tests.support.postgres import create_database, drop_database

    try:
        url = create_database()
    except Exception as exc:  # pragma: no cover - scripts/test starts PostgreSQL
        pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is required: {exc}")
    yield url
    drop_database(url)
