"""The web UI's canned queries on a realistic generated day, stored in a real SQLite
store: Hourwise returns what aw-core 0.5.18 returns, event for event."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from bench.generate import bucket_metadata, generate_day
from hourwise.models import Bucket, Event, parse_timestamp, seconds_to_us
from hourwise.query.interpreter import parse_period, run_program
from hourwise.query.parser import parse
from hourwise.store import Store
from tests.differential import webui
from tests.differential.oracle import as_json, normalise, run_oracle

DAY = date(2025, 1, 7)
TZ = timezone(timedelta(hours=1))
HOSTS = ("benchhost", "laptop.local")
STOPWATCH = "aw-stopwatch"


def _day_period(day: date) -> str:
    start = datetime(day.year, day.month, day.day, 4, tzinfo=TZ)
    return f"{start.isoformat()}/{(start + timedelta(days=1)).isoformat()}"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('webui') / 'hw.db'}")
    store.migrate()
    created = parse_timestamp("2025-01-01T00:00:00+00:00")
    for seed, host in zip((7, 8), HOSTS):
        days = [generate_day(seed, index, DAY - timedelta(days=1), host) for index in range(3)]
        for key, meta in bucket_metadata(host).items():
            store.create_bucket(Bucket(key, meta["type"], meta["client"], meta["hostname"], created))
            events = [
                Event(None, parse_timestamp(e["timestamp"]), seconds_to_us(e["duration"]), e["data"])
                for day in days for e in day[key]
            ]
            store.insert_events(key, events)
    store.create_bucket(Bucket(STOPWATCH, "general.stopwatch", "aw-webui", "unknown", created))
    base = parse_timestamp(f"{DAY.isoformat()}T09:00:00+00:00")
    store.insert_events(STOPWATCH, [
        Event(None, base + i * 2_700_000_000, 1_500_000_000 + i * 7_000_123,
              {"label": ("deep work", "review", "deep work")[i % 3], "running": False})
        for i in range(8)
    ])
    yield store
    store.close()


def _compare(store: Store, query: list[str], periods: list[str]) -> list:
    expected = normalise(run_oracle(store, query, periods))
    program = parse("\n".join(query))
    actual = normalise(as_json(run_program(program, [parse_period(p) for p in periods], store)))
    assert actual == expected
    return actual


H = HOSTS[0]
DESKTOP = dict(bid_window=f"aw-watcher-window_{H}", bid_afk=f"aw-watcher-afk_{H}",
               categories=webui.DEFAULT_CATEGORIES)
BROWSERS = [f"aw-watcher-web-firefox_{H}"]


@pytest.mark.parametrize("params", [
    pytest.param(dict(bid_browsers=BROWSERS), id="browsers"),
    pytest.param(dict(bid_browsers=[]), id="no-browsers"),
    pytest.param(dict(bid_browsers=BROWSERS, include_audible=True, bid_stopwatch=STOPWATCH),
                 id="audible-stopwatch"),
    pytest.param(dict(bid_browsers=BROWSERS, filter_afk=False), id="no-afk-filter"),
    pytest.param(dict(bid_browsers=BROWSERS, always_active_pattern="zoom|Zoom"), id="always-active"),
    pytest.param(dict(bid_browsers=BROWSERS, filter_categories=[["Work", "Programming"], ["Comms", "IM"]]),
                 id="category-filter"),
    pytest.param(dict(bid_window="aw-watcher-window_", bid_afk="aw-watcher-afk_", bid_browsers=BROWSERS),
                 id="find-bucket"),
])
def test_full_desktop_query(store, params):
    result = _compare(store, webui.full_desktop_query(**{**DESKTOP, **params}), [_day_period(DAY)])
    window = result[0]["window"]
    assert window["app_events"] and window["cat_events"] and window["duration"] > 0


def test_canonical_events_are_identical(store):
    # The whole event stream, not only the top 100 of each summary.
    query = webui.querystr_to_array(
        webui.canonical_events(**DESKTOP, bid_browsers=BROWSERS)
        + "RETURN = {\"events\": events, \"browser\": browser_events, \"not_afk\": not_afk};"
    )
    result = _compare(store, query, [_day_period(DAY)])
    assert len(result[0]["events"]) > 1000


def test_category_query_hourly(store):
    start = datetime(DAY.year, DAY.month, DAY.day, 4, tzinfo=TZ)
    periods = [f"{(start + timedelta(hours=h)).isoformat()}/{(start + timedelta(hours=h + 1)).isoformat()}"
               for h in range(24)]
    _compare(store, webui.category_query(**DESKTOP, bid_browsers=BROWSERS), periods)


def test_activity_query_many_days(store):
    periods = [_day_period(DAY + timedelta(days=d)) for d in (-1, 0, 1)]
    _compare(store, webui.activity_query([f"aw-watcher-afk_{h}" for h in HOSTS]), periods)


def test_multidevice_query(store):
    _compare(store, webui.multidevice_query(list(HOSTS), categories=webui.DEFAULT_CATEGORIES,
                                            filter_afk=True), [_day_period(DAY)])
