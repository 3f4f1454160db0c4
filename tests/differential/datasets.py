"""Hypothesis strategies: small bucket sets shaped like ActivityWatch watcher data."""

from __future__ import annotations

import orjson
from hypothesis import strategies as st

from hourwise.models import Bucket, Event, parse_timestamp

DAY_START = parse_timestamp("2024-03-04T00:00:00+00:00")
PERIOD = "2024-03-04T00:00:00+00:00/2024-03-04T00:30:00+00:00"
SECOND = 1_000_000

APPS = ["code", "firefox", "Firefox.exe", "slack", "game"]
TITLES = ["main.py", "● main.py", "(3) Inbox", "FPS: 59.2 - Cemu", "Docs; notes", "ActivityWatch"]
URLS = [
    "https://www.github.com/ActivityWatch/aw-core;p?q=1#frag",
    "https://news.example/a/b",
    "file:///tmp/x.html",
    "about:blank",
    "http://localhost:5600/#/timeline",
]
STATUSES = ["afk", "not-afk"]
LABELS = ["deep work", "meeting"]


def _data_strategy(kind: str) -> st.SearchStrategy[dict]:
    if kind == "window":
        return st.fixed_dictionaries(
            {"app": st.sampled_from(APPS), "title": st.sampled_from(TITLES)}
        )
    if kind == "afk":
        return st.fixed_dictionaries({"status": st.sampled_from(STATUSES)})
    if kind == "web":
        return st.fixed_dictionaries(
            {"url": st.sampled_from(URLS), "title": st.sampled_from(TITLES),
             "audible": st.booleans()}
        )
    return st.fixed_dictionaries({"label": st.sampled_from(LABELS)},
                                 optional={"extra": st.integers(0, 2)})


@st.composite
def bucket_events(draw, kind: str, first_id: int) -> list[Event]:
    """A walk through time: mostly small gaps, some overlaps, some zero lengths."""
    count = draw(st.integers(0, 25))
    t = DAY_START - draw(st.integers(0, 120)) * SECOND
    shared: dict[bytes, dict] = {}
    events = []
    for i in range(count):
        gap = draw(st.one_of(
            st.just(0),
            st.integers(-3 * SECOND, 8 * SECOND),
            st.integers(0, 400 * SECOND),
        ))
        duration = draw(st.one_of(st.just(0), st.integers(0, 300 * SECOND)))
        data = draw(_data_strategy(kind))
        data = shared.setdefault(orjson.dumps(data, option=orjson.OPT_SORT_KEYS), data)
        t = max(t + gap, DAY_START - 200 * SECOND)
        events.append(Event(first_id + i, t, duration, data))
        t += duration
    return events


@st.composite
def datasets(draw) -> dict[str, tuple[Bucket, list[Event]]]:
    out = {}
    for position, (key, kind) in enumerate(
        (("aw-watcher-window_h", "window"), ("aw-watcher-afk_h", "afk"),
         ("aw-watcher-web-firefox", "web"), ("aw-stopwatch", "stopwatch"))
    ):
        bucket = Bucket(key, kind, "test", "h", DAY_START - 10_000 + position)
        out[key] = (bucket, draw(bucket_events(kind, 1000 * (position + 1))))
    return out
