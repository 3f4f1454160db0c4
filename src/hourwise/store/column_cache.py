"""Recently read events, kept in columns by blocks of start time, for range reads.

Queries read long ranges of a bucket again and again (the web UI asks for the same
weeks and months with every click). Fetching rows through a database driver costs
about a microsecond per event however fast the database is, so a year of window events
would cost a second per query. This cache keeps each bucket's events in columns (id,
start, duration, data id; see ``Block``), in blocks of ``2**BLOCK_BITS`` µs of start
time (about 19 hours), and the store assembles a range read from the blocks it holds plus one SQL read
per run of missing blocks.

Correctness rests on the store's write listeners (as the query result cache does):
every committed write names the bucket and the time its changed events start in, and
the blocks there are dropped. A read that raced with a write does not keep what it
read (each drop is stamped with a clock the read compares with), and reads again, so
it never mixes blocks from before and after a write. Like the rest of the
server's caches, this assumes one server process per database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from hourwise.store.spill import SpillFile

BLOCK_BITS = 36
MAX_BLOCKS_PER_READ = 4096
_MIN_GARBAGE = 64 << 20  # bytes of dropped blocks before a new spill file  # a longer lookback (a very long event) reads SQL directly

Bucket = tuple[int, str]  # (user id, bucket key)
_INT32 = 2**31 - 1


def _narrow(values: np.ndarray) -> tuple[int, np.ndarray]:
    """``values`` as (base, offsets): int32 offsets from the smallest value when they
    fit (ids, durations and data ids of a block nearly always do), else int64."""
    if not len(values):
        return 0, values.astype(np.int64)
    base = int(values.min())
    if int(values.max()) - base <= _INT32:
        return base, (values - base).astype(np.int32)
    return 0, values.astype(np.int64)


def _widen(base: int, offsets: np.ndarray, mask: np.ndarray | None, out: np.ndarray) -> None:
    np.add(offsets if mask is None else offsets[mask], np.int64(base), out=out)


class Block:
    """One block's events, newest first: starts as int64, ids, durations and data ids
    narrowed to int32 where they fit (20 bytes an event rather than 32; a year of
    window events is about a million). A block the cache keeps is *spilled*: its
    arrays live in the cache's ``SpillFile`` and ``loaded()`` reads them back."""

    __slots__ = ("_data_ids", "_durations", "_ids", "_spilled", "count", "starts")

    def __init__(self, ids: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                 data_ids: np.ndarray):
        self.starts = np.array(starts, np.int64)
        self.count = len(self.starts)
        self._ids = _narrow(ids)
        self._durations = _narrow(ends - starts)
        self._data_ids = _narrow(data_ids)
        self._spilled: tuple[SpillFile, int, int] | None = None

    def __len__(self) -> int:
        return self.count

    def spilled_to(self, spill: SpillFile) -> Block | None:
        """A copy of this block kept in ``spill`` (None if it could not be written)."""
        arrays = [self.starts, self._ids[1], self._durations[1], self._data_ids[1]]
        offset = spill.put(b"".join(a.tobytes() for a in arrays))
        if offset is None:
            return None
        copy = Block.__new__(Block)
        copy.count = self.count
        copy.starts = _EMPTY
        # (base, dtype) of each narrowed array; the values are in the file
        copy._ids = (self._ids[0], self._ids[1].dtype)
        copy._durations = (self._durations[0], self._durations[1].dtype)
        copy._data_ids = (self._data_ids[0], self._data_ids[1].dtype)
        copy._spilled = (spill, offset, sum(a.nbytes for a in arrays))
        return copy

    @property
    def spill_location(self) -> tuple[SpillFile, int, int] | None:
        """(file, offset, bytes) of a spilled block, else None."""
        return self._spilled

    def loaded(self) -> Block:
        """This block with its arrays in memory (itself unless spilled)."""
        if self._spilled is None:
            return self
        spill, offset, size = self._spilled
        data = spill.read(offset, size)
        block = Block.__new__(Block)
        block.count = n = self.count
        block.starts = np.frombuffer(data, np.int64, n)
        at = 8 * n
        parts = []
        for base, dtype in (self._ids, self._durations, self._data_ids):
            values = np.frombuffer(data, dtype, n, at)
            at += values.nbytes
            parts.append((base, values))
        block._ids, block._durations, block._data_ids = parts
        block._spilled = None
        return block

    def ends(self) -> np.ndarray:
        base, offsets = self._durations
        ends = self.starts + offsets
        ends += np.int64(base)
        return ends

    def write(self, mask: np.ndarray | None, ids: np.ndarray, starts: np.ndarray,
              ends: np.ndarray, data_ids: np.ndarray) -> None:
        """Write the events (those in ``mask``, if given) into the four int64 arrays
        (of a loaded block)."""
        _widen(*self._ids, mask, ids)
        np.copyto(starts, self.starts if mask is None else self.starts[mask])
        _widen(*self._durations, mask, ends)
        ends += starts
        _widen(*self._data_ids, mask, data_ids)


_EMPTY = np.empty(0, np.int64)


class ColumnCache:
    """Blocks of rows by (user, bucket, block number), least recently used first out."""

    min_spill_garbage = 64 << 20  # bytes of dropped blocks before a new spill file

    def __init__(self, max_events: int = 2_000_000, *, spill_dir: str | None = None,
                 spill: bool = True):
        self.max_events = max_events
        # Blocks are kept on disk (``hourwise.store.spill``); a new file is started once
        # the current one is mostly blocks since dropped.
        self._spill = SpillFile(spill_dir) if spill else None
        self._spill_dir = spill_dir
        self._spill_garbage = 0
        self._lock = threading.Lock()
        self._blocks: OrderedDict[tuple[int, str, int], Block] = OrderedDict()
        self._events = 0
        self._clock = 0
        self._bucket_dropped: dict[Bucket, int] = {}
        self._block_dropped: dict[tuple[int, str, int], int] = {}
        self._bucket_touched: dict[Bucket, int] = {}

    def __len__(self) -> int:
        return self._events

    def changed_since(self, bucket: Bucket, clock: int) -> bool:
        """Whether a write to the bucket was announced after ``clock``."""
        with self._lock:
            return self._bucket_touched.get(bucket, -1) > clock

    def clock(self) -> int:
        """A stamp to pass to ``put``: writes after it keep the read's blocks out."""
        with self._lock:
            return self._clock

    def get(self, bucket: Bucket, first: int, last: int) -> dict[int, Block]:
        """The cached blocks among ``first..last`` (block numbers)."""
        user, key = bucket
        found = {}
        with self._lock:
            blocks = self._blocks
            for number in range(first, last + 1):
                rows = blocks.get((user, key, number))
                if rows is not None:
                    blocks.move_to_end((user, key, number))
                    found[number] = rows
        return found

    def put(self, bucket: Bucket, blocks: dict[int, Block], clock: int) -> None:
        """Keep blocks read from the database when the read began at ``clock``."""
        user, key = bucket
        spill = self._spill
        if spill is not None:
            blocks = {number: rows.spilled_to(spill) or rows for number, rows in blocks.items()}
        with self._lock:
            if self._bucket_dropped.get(bucket, -1) > clock:
                self._dropped(blocks.values())
                return
            for number, rows in blocks.items():
                name = (user, key, number)
                if self._block_dropped.get(name, -1) > clock or name in self._blocks:
                    self._dropped([rows])
                    continue
                self._blocks[name] = rows
                self._events += len(rows) + 1
            while self._events > self.max_events and self._blocks:
                _, rows = self._blocks.popitem(last=False)
                self._events -= len(rows) + 1
                self._dropped([rows])

    def _dropped(self, blocks: Any) -> None:
        """Count the file space of blocks no longer kept; start a new spill file when
        most of the current one is such space (the old one closes with its last block)."""
        spill = self._spill
        if spill is None:
            return
        for rows in blocks:
            where = rows.spill_location
            if where is not None and where[0] is spill:
                self._spill_garbage += where[2]
        if self._spill_garbage > max(self.min_spill_garbage, spill.size // 2):
            self._spill = SpillFile(self._spill_dir)
            self._spill_garbage = 0

    def close(self) -> None:
        """Drop every block and close the spill file now (not when collected)."""
        with self._lock:
            self._blocks.clear()
            self._events = 0
            spill, self._spill = self._spill, (SpillFile(self._spill_dir) if self._spill else None)
        if spill is not None:
            spill.close()

    def changed(self, user_id: int, key: str, start: int | None, end: int | None) -> None:
        """A store write listener: drop the blocks the write touched."""
        with self._lock:
            self._clock += 1
            self._bucket_touched[(user_id, key)] = self._clock
            if start is None or end is None:
                self._bucket_dropped[(user_id, key)] = self._clock
                for name in [n for n in self._blocks if n[0] == user_id and n[1] == key]:
                    rows = self._blocks.pop(name)
                    self._events -= len(rows) + 1
                    self._dropped([rows])
                return
            first, last = block_of(min(start, end)), block_of(max(start, end))
            if last - first > MAX_BLOCKS_PER_READ:
                self._bucket_dropped[(user_id, key)] = self._clock
                self._dropped(r for n, r in self._blocks.items() if n[:2] == (user_id, key))
                self._blocks = OrderedDict(
                    (n, r) for n, r in self._blocks.items() if n[:2] != (user_id, key))
                self._events = sum(len(r) + 1 for r in self._blocks.values())
                return
            for number in range(first, last + 1):
                name = (user_id, key, number)
                self._block_dropped[name] = self._clock
                rows = self._blocks.pop(name, None)
                if rows is not None:
                    self._events -= len(rows) + 1
                    self._dropped([rows])


def block_of(time: int) -> int:
    return time >> BLOCK_BITS


def block_start(number: int) -> int:
    return number << BLOCK_BITS
