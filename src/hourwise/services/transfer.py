"""Export and import in ActivityWatch's format: ``{"buckets": {id: {..., "events": [...]}}}``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import orjson

from hourwise.models import Bucket, Event, format_timestamp
from hourwise.services.heartbeats import BucketLocks
from hourwise.store import Store


@dataclass
class ImportedBucket:
    """One bucket of an import: its metadata and events."""

    bucket: Bucket
    events: list[Event] = field(default_factory=list)


def _export_head(bucket: Bucket) -> dict:
    return {
        "id": bucket.id,
        "created": format_timestamp(bucket.created),
        "name": bucket.name,
        "type": bucket.type,
        "client": bucket.client,
        "hostname": bucket.hostname,
        "data": bucket.data,
    }


class TransferService:
    """Whole-bucket export (streamed) and merging import."""

    def __init__(self, store: Store, locks: BucketLocks):
        self.store = store
        self.locks = locks

    def export(self, keys: list[str]) -> Iterator[bytes]:
        """Stream the export document for the given buckets, newest events first.

        Event ids are left out, as ActivityWatch's Python server does, so that an export
        imports cleanly into any server. Memory stays flat however large the buckets are.
        """
        yield b'{"buckets":{'
        for index, key in enumerate(keys):
            bucket = self.store.get_bucket(key)
            if bucket is None:
                continue
            head = orjson.dumps(_export_head(bucket))[:-1]
            yield (b"," if index else b"") + orjson.dumps(key) + b":" + head + b',"events":['
            first = True
            for batch in self.store.iter_events(key):
                rows = [
                    {"timestamp": format_timestamp(ev.start), "duration": ev.duration / 1e6,
                     "data": ev.data}
                    for ev in batch
                ]
                chunk = orjson.dumps(rows)[1:-1]
                yield chunk if first else b"," + chunk
                first = False
            yield b"]}"
        yield b"}}"

    def import_buckets(self, incoming: list[ImportedBucket]) -> dict[str, dict[str, int | bool]]:
        """Create missing buckets and add events, skipping events already stored.

        An event already stored is one with the same start, end and data, so importing
        the same export twice changes nothing. Returns, per bucket, whether it was
        created and how many events were added.
        """
        summary: dict[str, dict[str, int | bool]] = {}
        for item in incoming:
            key = item.bucket.id
            created = self.store.create_bucket(item.bucket)
            with self.locks.writing(key):
                added = self.store.import_events(key, item.events)
            summary[key] = {"created": created, "events_added": added}
        return summary
