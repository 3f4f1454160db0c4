"""Buckets and their events: create, read, change and delete."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hourwise.errors import InvalidInput, NotFound, Unauthorized
from hourwise.models import Bucket, Event
from hourwise.services.heartbeats import BucketLocks
from hourwise.store import Store
from hourwise.store.event_writes import NewEvent, NewEvents


class BucketService:
    """Bucket metadata and event storage, keeping the heartbeat cache coherent."""

    def __init__(self, store: Store, locks: BucketLocks, *, testing: bool, hostname: str,
                 device_id: str):
        self.store = store
        self.locks = locks
        self.testing = testing
        self.hostname = hostname
        self.device_id = device_id

    # -- buckets -------------------------------------------------------------------

    def list(self) -> list[Bucket]:
        """Every bucket with the span of time its events cover."""
        return self.store.list_buckets()

    def get(self, key: str) -> Bucket:
        """One bucket; NotFound if there is none by that id."""
        bucket = self.store.get_bucket(key)
        if bucket is None:
            raise NotFound(f"There's no bucket named {key}")
        return bucket

    def create(self, bucket: Bucket, events: list[Event] | None = None) -> bool:
        """Create a bucket (and optionally its first events); False if it exists.

        The hostname ``!local`` (sent by aw-watcher-web) is replaced by the server's
        hostname and the server's device id is recorded in the bucket's data.
        """
        if bucket.hostname == "!local":
            bucket.hostname = self.hostname
            bucket.data = {**bucket.data, "device_id": self.device_id}
        created = self.store.create_bucket(bucket)
        if created and events:
            self.insert_events(bucket.id, events)
        return created

    def update(self, key: str, changes: dict[str, Any]) -> Bucket:
        """Change some of a bucket's type, client, hostname, name and data."""
        self.store.update_bucket(key, changes)
        return self.get(key)

    def delete(self, key: str, *, force: bool) -> None:
        """Delete a bucket and every event in it.

        Outside testing mode this needs ``force``, as in ActivityWatch, because it
        cannot be undone.
        """
        if not self.testing and not force:
            raise Unauthorized(
                "Deleting buckets is only permitted if the server is running in testing "
                "mode or if ?force=1"
            )
        with self.locks.writing(key):
            self.store.delete_bucket(key)

    # -- events --------------------------------------------------------------------

    def listing(self, key: str, start: int | None, end: int | None, limit: int | None):
        """Events overlapping [start, end], newest first, clipped to that range: as rows
        plus each distinct data object's stored JSON text, for writing a response directly."""
        if start is not None and end is not None and start > end:
            raise InvalidInput("start must not be after end")
        return self.store.event_listing(key, start, end, limit)

    def count(self, key: str, start: int | None, end: int | None) -> int:
        """How many events overlap [start, end]."""
        if start is not None and end is not None and start > end:
            raise InvalidInput("start must not be after end")
        return self.store.count_events(key, start, end)

    def event(self, key: str, event_id: int) -> Event:
        """One event by id; NotFound if the bucket or the event is missing."""
        found = self.store.get_event(key, event_id)
        if found is None:
            raise NotFound(f"There's no event {event_id} in bucket {key}")
        return found

    def insert_events(self, key: str, events: list[Event]) -> list[Event]:
        """Insert events; those carrying the id of an existing event replace it."""
        with self.locks.writing(key):
            return self.store.insert_events(key, events)

    def insert_batch(self, key: str, batch: Sequence[NewEvent]) -> list[int]:
        """``insert_events`` for events already in the store's row form (id to replace or
        None, start, end, canonical data JSON), as bulk inserts parse them; returns the
        ids, in order."""
        with self.locks.writing(key):
            return self.store.insert_batch(key, batch)

    def insert_events_columns(self, key: str, events: NewEvents) -> list[int]:
        """``insert_batch`` for events given as columns (``NewEvents``), as bulk inserts
        parse them; returns the ids, in order."""
        with self.locks.writing(key):
            return self.store.insert_columns(key, events)

    def delete_event(self, key: str, event_id: int) -> bool:
        """Delete one event; True if it existed."""
        with self.locks.writing(key):
            return self.store.delete_event(key, event_id)
