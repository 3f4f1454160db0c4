"""aw-core 0.5.18's query2 as the oracle, run over exactly the events Hourwise sees.

The oracle datastore serves events the way Hourwise's store does (overlapping the
period, clipped to it, newest first), so a differential test compares only the query
language. Two documented deviations are applied to aw-core before comparing
(docs/query-language.md, "Differences from aw-core"):

- timestamps keep microseconds (aw-core truncates every start it sets to milliseconds
  but keeps the duration, which moves the event's end);
- functions never modify their arguments (aw-core's ``period_union`` clears the data of
  the events passed in, ``categorize``/``tag``/``split_url_events`` change them in place).
"""

from __future__ import annotations

import copy
import functools
import logging
from datetime import datetime, timedelta, timezone
from typing import Any

import aw_core.models
import orjson
from aw_core.models import Event as AwEvent
from aw_query import query2
from aw_query.functions import functions as aw_functions

from hourwise.errors import NotFound
from hourwise.models import Bucket, Event
from hourwise.query.values import dumps

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# flood() logs a warning for every overlap it meets; generated data has many.
logging.getLogger("aw_transform").setLevel(logging.ERROR)


def _timestamp_keep_microseconds(ts_in: Any) -> datetime:
    ts = datetime.fromisoformat(ts_in) if isinstance(ts_in, str) else ts_in
    return ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)


def _pure(function):
    @functools.wraps(function)
    def call(datastore, namespace, *args):
        return function(datastore, namespace, *copy.deepcopy(args))

    return call


_patched = False


def patch_aw_core() -> None:
    """Apply the documented deviations to aw-core (idempotent)."""
    global _patched
    if _patched:
        return
    aw_core.models._timestamp_parse = _timestamp_keep_microseconds
    for name in list(aw_functions):
        aw_functions[name] = _pure(aw_functions[name])
    _patched = True


def clip(events: list[Event], start: int, end: int) -> list[Event]:
    """What the store returns: overlapping [start, end], clipped, newest first."""
    chosen = [e for e in events if e.start + e.duration >= start and e.start <= end]
    chosen.sort(key=lambda e: (e.start, e.id), reverse=True)
    out = []
    for e in chosen:
        s, en = max(e.start, start), min(e.start + e.duration, end)
        out.append(Event(e.id, s, en - s, e.data))
    return out


class MemorySource:
    """Hourwise's EventSource over in-memory buckets (data dicts shared, like the store)."""

    def __init__(self, buckets: dict[str, tuple[Bucket, list[Event]]]):
        self.buckets = buckets

    def get_events(self, key, start=None, end=None, limit=None):
        if key not in self.buckets:
            raise NotFound(f"There's no bucket named {key}")
        events = clip(self.buckets[key][1], start, end)
        return events[:limit] if limit is not None else events

    def count_events(self, key, start=None, end=None):
        return len(self.get_events(key, start, end))

    def list_buckets(self):
        return [bucket for bucket, _ in self.buckets.values()]


def _to_dt(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


class _OracleBucket:
    def __init__(self, source: Any, key: str, hostname: str):
        self.source, self.key, self.hostname = source, key, hostname

    def get(self, limit: int = -1, starttime=None, endtime=None):
        start = (starttime - EPOCH) // timedelta(microseconds=1)
        end = (endtime - EPOCH) // timedelta(microseconds=1)
        return [
            AwEvent(id=e.id, timestamp=_to_dt(e.start), duration=timedelta(microseconds=e.duration),
                    data=copy.deepcopy(e.data))
            for e in self.source.get_events(self.key, start, end)
        ]

    def metadata(self):
        return {"hostname": self.hostname}


class OracleDatastore:
    """Enough of aw_datastore.Datastore for query2, reading any Hourwise EventSource."""

    def __init__(self, source: Any):
        self.source = source
        self._buckets = sorted(source.list_buckets(), key=lambda b: (b.created, b.id))

    def buckets(self):
        return {b.id: {"hostname": b.hostname} for b in self._buckets}

    def __getitem__(self, key):
        hostname = next(b.hostname for b in self._buckets if b.id == key)
        return _OracleBucket(self.source, key, hostname)


def _plain(value: Any) -> Any:
    if isinstance(value, AwEvent):
        return {
            "id": value.id,
            "timestamp": value.timestamp.astimezone(timezone.utc).isoformat(),
            "duration": value.duration.total_seconds(),
            "data": _plain(value.data),
        }
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def run_oracle(source: Any, query: list[str], periods: list[str], name: str = "") -> Any:
    """aw-core's answer, as the JSON the Python server would send (then decoded)."""
    patch_aw_core()
    datastore = OracleDatastore(source)
    out = []
    for period in periods:
        start_text, end_text = period.split("/")[:2]
        start = datetime.fromisoformat(start_text)
        end = datetime.fromisoformat(end_text)
        out.append(_plain(query2.query(name, "".join(query), start, end, datastore)))
    return orjson.loads(orjson.dumps(out))


def normalise(value: Any) -> Any:
    """Floats to whole microseconds, so 'equal' means equal to the microsecond."""
    if isinstance(value, float):
        return round(value * 1_000_000)
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


def as_json(value: Any) -> Any:
    return orjson.loads(dumps(value))
