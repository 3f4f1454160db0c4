"""Heartbeats: merge into the bucket's last event or start a new one.

Concurrency lives here: heartbeats to one bucket are serialised by a per-bucket lock,
and the last event of each bucket is cached so that a merged heartbeat costs one
UPDATE and no read. Anything else that writes a bucket's events goes through
``BucketLocks.writing`` so the cache never goes stale.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from hourwise.models import Event
from hourwise.store import Store
from hourwise.store.datacodec import canonical_json, data_hash
from hourwise.transforms.heartbeat import merge_heartbeat


@dataclass
class _Last:
    """A bucket's newest event, its data hash and (once a heartbeat brought it) its
    canonical data: equal canonical bytes mean equal hashes, without hashing. The web
    layer may hand the same data object with each heartbeat (``api/inline.py``); data
    objects are never changed in place, so that one is not encoded again."""

    event: Event
    digest: bytes
    canonical: bytes | None = None
    source: object = None  # the heartbeat data object ``canonical`` was made from


_UNKNOWN = object()  # a bucket without a cache entry (None: known to have no events)


class BucketLocks:
    """One lock per bucket, plus the heartbeat cache entries they guard."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self.last: dict[str, _Last | None] = {}

    def lock(self, key: str) -> threading.Lock:
        # A lookup is atomic (GIL); the guard only keeps two threads from creating two.
        lock = self._locks.get(key)
        if lock is not None:
            return lock
        with self._guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = threading.Lock()
            return lock

    @contextmanager
    def writing(self, key: str) -> Iterator[None]:
        """Hold the bucket's lock for a write and drop its cached last event after it."""
        with self.lock(key):
            try:
                yield
            finally:
                self.last.pop(key, None)


class HeartbeatService:
    """Applies heartbeats with ActivityWatch's merge rule."""

    def __init__(self, store: Store, locks: BucketLocks):
        self.store = store
        self.locks = locks

    def heartbeat(self, key: str, heartbeat: Event, pulsetime: int) -> Event:
        """Merge ``heartbeat`` into the bucket's last event, or store it as a new one.

        Returns the resulting event: the merged one (keeping its id) or the new one.
        ``pulsetime`` is in microseconds. A heartbeat that begins before the bucket's
        newest event is folded into the timeline instead (see ``Store.fold_heartbeat``):
        ActivityWatch would store it as a new event that can overlap recorded time.
        """
        with self.locks.lock(key):
            return self._apply(key, heartbeat, pulsetime)

    def heartbeat_nowait(self, key: str, heartbeat: Event, pulsetime: int) -> Event | None:
        """``heartbeat`` if the bucket's lock and the store's write lock are free right
        now, else None without waiting (the caller then runs ``heartbeat`` in a thread).

        Lets the web layer apply an uncontended heartbeat on the event loop, skipping a
        thread hop, while never blocking the loop behind a long write such as an import.
        """
        lock = self.locks.lock(key)
        if not lock.acquire(blocking=False):
            return None
        try:
            store = self.store
            if not store.try_write_lock():
                return None
            try:
                return self._apply(key, heartbeat, pulsetime)
            finally:
                store.release_write_lock()
        finally:
            lock.release()

    def _apply(self, key: str, heartbeat: Event, pulsetime: int) -> Event:
        """The merge itself; the caller holds the bucket's lock."""
        last = self.locks.last.get(key, _UNKNOWN)
        if last is _UNKNOWN:
            last = self._last(key)
        if last is not None and heartbeat.data is last.source:
            canonical = last.canonical
        else:
            canonical = canonical_json(heartbeat.data)
        if last is not None:
            if heartbeat.start < last.event.start:
                # Out of order: fold it into the timeline; the cached newest event may
                # have been merged away, so read it afresh next time.
                self.locks.last.pop(key, None)
                return self.store.fold_heartbeat(
                    key, heartbeat, canonical, data_hash(canonical), pulsetime
                )
            if last.canonical is not None:
                same_data = canonical == last.canonical
            else:
                same_data = data_hash(canonical) == last.digest
            merged = merge_heartbeat(last.event, heartbeat, pulsetime, same_data=same_data)
            if merged is not None:
                if merged.duration != last.event.duration and not self.store.set_event_duration(
                    key, merged.id, merged.start, merged.duration
                ):
                    merged = None  # deleted behind our back: store a new event
                if merged is not None:
                    # same data, so the entry's digest stays; its bytes come for free
                    last.event = merged
                    last.canonical, last.source = canonical, heartbeat.data
                    return merged
        digest = data_hash(canonical)
        stored = self.store.insert_heartbeat(key, heartbeat, canonical, digest)
        self.locks.last[key] = _Last(stored, digest, canonical, heartbeat.data)
        return stored

    def _last(self, key: str) -> _Last | None:
        if key in self.locks.last:
            return self.locks.last[key]
        found = self.store.last_event(key)
        last = _Last(found[0], found[1]) if found is not None else None
        self.locks.last[key] = last
        return last
