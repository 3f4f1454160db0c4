"""Results of finished time periods, kept until the data they were computed from changes.

The web UI asks the same questions again and again: the Activity page re-sends its
query for every view, the category chart asks for each hour of a day, the activity
history for 31 days at a time. A period that lies wholly in the past rarely changes, so
its answer (the JSON of one period's ``RETURN``) is kept, keyed by the program text,
``NAME`` and the period.

Correctness does not rest on "the past never changes": every committed write tells the
cache which bucket and which time span changed (``Store.add_write_listener``), and every
entry knows what its evaluation read (the bucket and span of each ``query_bucket``, and
whether it looked at the bucket list through ``find_bucket``/``query_bucket_names``).
An entry is dropped as soon as a change touches something it read. A write that commits
while a period is being evaluated prevents that result from being stored at all (the
evaluation may have read the data before or after it).

Memory is bounded by the total size of the stored JSON (least recently used first out).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from hourwise.models import now_us

ENTRY_OVERHEAD = 400  # bytes per entry besides its JSON: key, bookkeeping, dict slots


@dataclass
class Reads:
    """What one period's evaluation read from the store."""

    # ((user id, bucket id), start, end) of every bucket read
    spans: list[tuple[tuple[int | None, str], int | None, int | None]] = field(default_factory=list)
    listing: bool = False  # looked at which buckets exist (find_bucket, query_bucket_names)

    def latest_end(self) -> int | None:
        ends = [end for _, _, end in self.spans]
        if any(end is None for end in ends):
            return None
        return max(ends, default=0)


def _touches(reads: Reads, bucket: tuple[int | None, str], start: int | None, end: int | None) -> bool:
    """Whether a change of ``bucket`` in [start, end] (None: anything) can alter reads."""
    if start is None or end is None:
        if reads.listing:
            return True
        return any(b == bucket for b, _, _ in reads.spans)
    for b, s, e in reads.spans:
        if b == bucket and (e is None or start <= e) and (s is None or end >= s):
            return True
    return False


@dataclass
class _Entry:
    value: bytes
    reads: Reads
    size: int


Key = tuple[bytes, int | None, str, str, str]  # program, user, NAME, period start, end
Bucket = tuple[int | None, str]  # (user id, bucket id)


class ResultCache:
    """Per-period query results; thread-safe; call ``changed`` after every write."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024, *, clock: Callable[[], int] = now_us,
                 log_size: int = 10_000):
        self.max_bytes = max_bytes
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[Key, _Entry] = OrderedDict()
        self._by_bucket: dict[Bucket, set[Key]] = {}
        self._max_end: dict[Bucket, int] = {}  # per bucket, an upper bound of read ends
        self._listing: set[Key] = set()
        self._bytes = 0
        self._seq = 0
        # Recent changes, so results computed while a write committed are not stored.
        self._log: deque[tuple[int, Bucket, int | None, int | None]] = deque(maxlen=log_size)
        self.hits = 0
        self.misses = 0

    @staticmethod
    def program_key(text: str) -> bytes:
        return hashlib.blake2b(text.encode(), digest_size=16).digest()

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    # -- the write listener ------------------------------------------------------------

    def changed(self, user_id: int | None, key: str, start: int | None, end: int | None) -> None:
        """The store's write listener: forget every entry that read something this
        change of bucket ``key`` (of user ``user_id``) in [start, end] may have altered."""
        bucket = (user_id, key)
        with self._lock:
            self._seq += 1
            self._log.append((self._seq, bucket, start, end))
            if start is not None and end is not None and start > self._max_end.get(bucket, -1):
                return  # the usual heartbeat: newer than anything cached
            candidates = set(self._by_bucket.get(bucket, ()))
            if start is None or end is None:
                candidates |= self._listing
            for entry_key in candidates:
                entry = self._entries.get(entry_key)
                if entry is not None and _touches(entry.reads, bucket, start, end):
                    self._remove(entry_key)

    def _remove(self, key: Key) -> None:
        entry = self._entries.pop(key)
        self._bytes -= entry.size
        for bucket, _, _ in entry.reads.spans:
            keys = self._by_bucket.get(bucket)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_bucket[bucket]
                    self._max_end.pop(bucket, None)
        self._listing.discard(key)

    def clear(self) -> None:
        with self._lock:
            self._seq += 1
            self._log.append((self._seq, (None, ""), None, None))
            self._entries.clear()
            self._by_bucket.clear()
            self._max_end.clear()
            self._listing.clear()
            self._bytes = 0

    # -- reading and storing -----------------------------------------------------------

    def cacheable_before(self) -> int:
        """Periods (and reads) ending before this time may be stored."""
        return self.clock()

    def token(self) -> int:
        """Taken before an evaluation starts; ``put`` refuses results that a write
        committed after it may have made stale."""
        with self._lock:
            return self._seq

    def get(self, key: Key) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.value

    def put(self, key: Key, value: bytes, reads: Reads, token: int, now: int) -> bool:
        """Store one period's result; False when it must not or cannot be kept."""
        latest = reads.latest_end()
        if latest is None or latest >= now:
            return False  # it read data up to now (or open-ended): it will change
        size = len(value) + ENTRY_OVERHEAD + 64 * len(reads.spans)
        if size > self.max_bytes // 4:
            return False
        with self._lock:
            if self._seq != token:
                oldest = self._log[0][0] if self._log else self._seq + 1
                if oldest > token + 1:
                    return False  # the log no longer reaches back to the token
                for seq, bucket, start, end in self._log:
                    if seq > token and _touches(reads, bucket, start, end):
                        return False
            if key in self._entries:
                self._remove(key)
            self._entries[key] = _Entry(value, reads, size)
            self._bytes += size
            for bucket, _, end in reads.spans:
                self._by_bucket.setdefault(bucket, set()).add(key)
                if end is not None and end > self._max_end.get(bucket, -1):
                    self._max_end[bucket] = end
            if reads.listing:
                self._listing.add(key)
            while self._bytes > self.max_bytes and self._entries:
                self._remove(next(iter(self._entries)))
            return True
