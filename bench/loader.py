"""A generated data set, and loading it into a server through the REST API.

Loading goes through ``POST /api/0/buckets/<id>/events`` in chunks, which both servers
support (the reference cannot import into an existing bucket), so every benchmark can
load the same data into both in the same way; timing the load *is* the bulk-insert
measurement.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bench import generate as gen
from bench.client import Client, Timings, bucket_path, create_bucket, encode_chunks


@dataclass
class Dataset:
    seed: int
    days: int
    start_date: date
    host: str
    buckets: dict[str, dict[str, Any]]          # bucket id -> metadata
    events: dict[str, list[dict[str, Any]]]     # bucket id -> events, oldest first
    events_per_day: list[int] = field(default_factory=list)  # window events per day

    @property
    def window(self) -> str:
        return gen.window_bucket(self.host)

    @property
    def afk(self) -> str:
        return gen.afk_bucket(self.host)

    @property
    def web(self) -> str:
        return gen.web_bucket(self.host)

    @property
    def total_events(self) -> int:
        return sum(len(v) for v in self.events.values())

    def day_bounds(self, index: int, span: int = 1) -> tuple[str, str]:
        """ISO start/end of ``span`` local days starting at day ``index`` (user's wall clock)."""
        d = self.start_date + timedelta(days=index)
        start = datetime(d.year, d.month, d.day, tzinfo=gen.LOCAL_TZ)
        return start.isoformat(), (start + timedelta(days=span)).isoformat()

    def describe(self) -> str:
        per = ", ".join(f"{len(v):,} {self.buckets[b]['type']}" for b, v in self.events.items())
        busy = sorted(n for n in self.events_per_day if n >= 1000)
        median = busy[len(busy) // 2] if busy else 0
        return (f"{self.days} days from {self.start_date} (seed {self.seed}): "
                f"{self.total_events:,} events ({per}); median {median:,} window events "
                f"per working day")


def build_dataset(days: int, seed: int = gen.DEFAULT_SEED, start_date: date = gen.DEFAULT_START,
                  host: str = gen.DEFAULT_HOST) -> Dataset:
    meta = gen.bucket_metadata(host)
    events: dict[str, list[dict[str, Any]]] = {b: [] for b in meta}
    per_day = []
    for _, per_bucket in gen.generate_year(seed, days, start_date, host):
        for b, evs in per_bucket.items():
            events[b].extend(evs)
        per_day.append(len(per_bucket[gen.window_bucket(host)]))
    return Dataset(seed, days, start_date, host, meta, events, per_day)


def create_buckets(client: Client, ds: Dataset) -> None:
    for b, m in ds.buckets.items():
        create_bucket(client, b, m["type"], m["client"], m["hostname"])


def encode_dataset(ds: Dataset, chunk: int) -> list[tuple[str, int, bytes]]:
    """(bucket id, events in chunk, JSON body) for every chunk, encoded once up front."""
    out = []
    for b, evs in ds.events.items():
        out += [(b, n, body) for n, body in encode_chunks(evs, chunk)]
    return out


def load_into(client: Client, ds: Dataset, chunks: list[tuple[str, int, bytes]]) -> Timings:
    """Create the buckets and POST every chunk; the timing covers the POSTs only."""
    create_buckets(client, ds)
    latencies = []
    total = 0
    t0 = time.perf_counter()
    for b, n, body in chunks:
        path = bucket_path(b, "/events")
        s = time.perf_counter()
        client.request("POST", path, body)
        latencies.append(time.perf_counter() - s)
        total += n
    return Timings(time.perf_counter() - t0, latencies, total)


def count_events(client: Client, bucket_id: str) -> int:
    return int(client.request("GET", bucket_path(bucket_id, "/events/count")))
