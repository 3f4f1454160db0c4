"""A store on a temporary SQLite file, and helpers to fill it with hand-built days."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hourwise.analytics.index import ActivityIndex
from hourwise.models import Bucket, Event
from hourwise.store import Store

UTC = ZoneInfo("UTC")
HOST = "desk"
WINDOW, AFK, WEB = f"aw-watcher-window_{HOST}", f"aw-watcher-afk_{HOST}", f"aw-watcher-web-firefox_{HOST}"


def us(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
       tz: ZoneInfo = UTC) -> int:
    return int(datetime(year, month, day, hour, minute, second, tzinfo=tz).timestamp()) * 1_000_000


class Data:
    """Writes buckets and events; times are (start microseconds, seconds)."""

    def __init__(self, store: Store):
        self.store = store

    def bucket(self, key: str, type_: str, host: str = HOST, client: str = "test") -> str:
        if not self.store.bucket_exists(key):
            self.store.create_bucket(Bucket(key, type_, client, host, 0))
        return key

    def events(self, key: str, type_: str, items: list[tuple[int, int, dict]], **kw) -> None:
        self.bucket(key, type_, **kw)
        self.store.insert_events(key, [Event(None, s, secs * 1_000_000, d) for s, secs, d in items])

    def window(self, items, key=WINDOW, **kw):
        self.events(key, "currentwindow", [(s, n, {"app": a, "title": t}) for s, n, a, t in items], **kw)

    def afk(self, items, key=AFK, **kw):
        self.events(key, "afkstatus", [(s, n, {"status": st}) for s, n, st in items], **kw)

    def web(self, items, key=WEB, **kw):
        self.events(key, "web.tab.current", [(s, n, {"url": u, "title": t, "audible": False,
                                                     "incognito": False, "tabCount": 3})
                                             for s, n, u, t in items], **kw)


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'hw.db'}")
    s.migrate()
    yield s
    s.close()


@pytest.fixture
def data(store) -> Data:
    return Data(store)


@pytest.fixture
def index(store) -> ActivityIndex:
    return ActivityIndex(store)
