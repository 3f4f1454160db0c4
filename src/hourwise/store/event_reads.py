"""The store's event reads: ranges (clipped, newest first), counts, single events and
whole-bucket iteration. A mixin of ``Store``."""

from __future__ import annotations

from collections.abc import Iterator
import threading
from itertools import chain
from typing import TYPE_CHECKING, Any, NamedTuple
from weakref import WeakKeyDictionary

import numpy as np
from sqlalchemy import Connection, and_, func, select

from hourwise.models import Event
from hourwise.store import schema as t
from hourwise.store.column_cache import (
    BLOCK_BITS,
    Block,
    MAX_BLOCKS_PER_READ,
    ColumnCache,
    block_of,
    block_start,
)
from hourwise.store.data_columns import DataSlice
from hourwise.store.engine import spill_directory

if TYPE_CHECKING:
    from hourwise.store.sql import BucketRow


class EventColumns(NamedTuple):
    """Events in columns, as ``event_columns`` reads them (int64 arrays, one entry
    per event), and the distinct data objects they use."""

    ids: np.ndarray
    starts: np.ndarray
    durations: np.ndarray
    data_ids: np.ndarray
    data: DataSlice


def _span_conditions(bucket: BucketRow, start: int | None, end: int | None) -> list[Any]:
    """WHERE terms for events overlapping [start, end] (both inclusive, as ActivityWatch).

    An event that began before ``start`` can be at most ``max_duration`` long, so looking
    back that far on the (bucket, start) index finds it however long it is.
    """
    e = t.events.c
    terms: list[Any] = [e.bucket_id == bucket.id]
    if end is not None:
        terms.append(e.starttime <= end)
    if start is not None:
        terms.append(e.endtime >= start)
        terms.append(e.starttime >= start - bucket.max_duration)
    return terms



def _newest_first(conditions: list[Any], limit: int | None = None) -> Any:
    """SELECT id, start, end, data id of the matching events, newest first."""
    e = t.events.c
    query = (
        select(e.id, e.starttime, e.endtime, e.data_id)
        .where(and_(*conditions))
        .order_by(e.starttime.desc(), e.id.desc())
    )
    return query if limit is None else query.limit(limit)


_COLUMN_CACHES: WeakKeyDictionary[Any, ColumnCache] = WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Ascending numbers as (first, last) runs of consecutive ones."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of an array of non-negative ids, ascending."""
    if not len(values):
        return values
    top = int(values.max())
    if top <= 4 * len(values) + 4096:  # a counting pass beats sorting
        return np.flatnonzero(np.bincount(values, minlength=top + 1))
    return np.unique(values)


class EventReads:
    def _event_rows(self, conn: Connection, key: str, start: int | None, end: int | None,
                    limit: int | None) -> list[tuple[int, int, int, int]]:
        """(id, start, end, data_id) of events overlapping [start, end], newest first,
        clipped to the range."""
        bucket = self._require_bucket(conn, key)
        query = _newest_first(_span_conditions(bucket, start, end), limit)
        # Plain DBAPI tuples: building a Row object per event costs more than the read.
        rows = conn.execute(query).cursor.fetchall()
        if start is None and end is None:
            return rows
        low = start if start is not None else -(2**63)
        high = end if end is not None else 2**63
        return [
            (ident, s if s > low else low, en if en < high else high, data_id)
            for ident, s, en, data_id in rows
        ]

    def get_events(
        self,
        key: str,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        """Events overlapping [start, end], newest first, clipped to the range."""
        with self.engine.connect() as conn:
            rows = self._event_rows(conn, key, start, end, limit)
            datas = self._load_data(conn, {row[3] for row in rows})
        return [Event(ident, s, en - s, datas[data_id]) for ident, s, en, data_id in rows]

    def event_columns(
        self,
        key: str,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> EventColumns:
        """What ``get_events`` returns, in columns: each event's id, start, duration
        and data id (newest first, clipped to the range), and the distinct data
        objects as a ``DataSlice``. Ranges are assembled from the column cache
        (``hourwise.store.column_cache``) where it holds them."""
        with self.engine.connect() as conn:
            bucket = self._require_bucket(conn, key)
            if start is None or end is None:
                rows = self._sql_columns(conn, _span_conditions(bucket, start, end), limit)
                ids, starts, ends, data_ids = (np.ascontiguousarray(rows[:, i]) for i in range(4))
                del rows
            else:
                ids, starts, ends, data_ids = self._cached_columns(conn, bucket, key, start, end)
                if limit is not None:
                    ids, starts, ends, data_ids = ids[:limit], starts[:limit], ends[:limit], \
                        data_ids[:limit]
            if start is not None:
                np.maximum(starts, start, out=starts)
            if end is not None:
                np.minimum(ends, end, out=ends)
            ends -= starts  # now the durations
            data = self._data_slice(conn, _distinct(data_ids))
        return EventColumns(ids, starts, ends, data_ids, data)

    def _sql_columns(self, conn: Connection, conditions: list[Any],
                     limit: int | None = None) -> np.ndarray:
        """Rows (id, start, end, data id) newest first, streamed from the cursor into an
        array: a year of events never exists as Python tuples all at once."""
        cursor = conn.execute(_newest_first(conditions, limit)).cursor
        return np.fromiter(chain.from_iterable(cursor), np.int64).reshape(-1, 4)

    def _cached_columns(self, conn: Connection, bucket: BucketRow, key: str, start: int,
                        end: int) -> list[np.ndarray]:
        """Columns id, start, end, data id of the events overlapping [start, end] (not
        yet clipped), newest first; each a new array."""
        cache = self._column_cache()
        low = start - bucket.max_duration
        first, last = block_of(low), block_of(end)
        if last - first > MAX_BLOCKS_PER_READ or end < start:
            rows = self._sql_columns(conn, _span_conditions(bucket, start, end))
            return [np.ascontiguousarray(rows[:, i]) for i in range(4)]
        ident = (self.user_id, key)
        for _attempt in range(3):
            clock = cache.clock()
            blocks = self._read_blocks(conn, cache, bucket, ident, first, last, clock)
            if not cache.changed_since(ident, clock):
                break  # no write in between: the blocks are one consistent picture
        # Each block's events: all where the block lies inside [start, end] (the usual
        # case), filtered at the edges; written straight into the four columns.
        # Blocks kept on disk are loaded one at a time, as they are written out (the
        # edge blocks, which need a look at their times first, before).
        parts: list[tuple[Block, np.ndarray | None, int]] = []
        total = 0
        for n in range(last, first - 1, -1):
            block = blocks[n]
            if not len(block):
                continue
            if block_start(n) < start or block_start(n + 1) > end:
                block = block.loaded()
                starts = block.starts
                mask = (starts <= end) & (block.ends() >= start) & (starts >= low)
                count = int(np.count_nonzero(mask))
            else:
                mask, count = None, len(block)
            parts.append((block, mask, count))
            total += count
        columns = [np.empty(total, np.int64) for _ in range(4)]
        at = 0
        for block, mask, count in parts:
            block.loaded().write(mask, *(column[at : at + count] for column in columns))
            at += count
        return columns

    def _read_blocks(self, conn: Connection, cache: ColumnCache, bucket: BucketRow,
                     ident: tuple[int, str], first: int, last: int,
                     clock: int) -> dict[int, Block]:
        """Blocks ``first..last`` of the bucket, from the cache or the database."""
        blocks = cache.get(ident, first, last)
        missing = [n for n in range(first, last + 1) if n not in blocks]
        if missing:
            fresh: dict[int, Block] = {}
            for lo, hi in _runs(missing):
                e = t.events.c
                rows = self._sql_columns(conn, [
                    e.bucket_id == bucket.id,
                    e.starttime >= block_start(lo),
                    e.starttime < block_start(hi + 1),
                ])
                # Newest first: block numbers descend along the rows.
                descending = -(rows[:, 1] >> BLOCK_BITS)
                wanted = -np.arange(lo, hi + 1)
                lows = np.searchsorted(descending, wanted, "left").tolist()
                highs = np.searchsorted(descending, wanted, "right").tolist()
                for number, a, b in zip(range(lo, hi + 1), lows, highs):
                    fresh[number] = Block(rows[a:b, 0], rows[a:b, 1], rows[a:b, 2],
                                          rows[a:b, 3])
            cache.put(ident, fresh, clock)
            blocks.update(fresh)
        return blocks

    def _known_column_cache(self) -> ColumnCache | None:
        """The engine's column cache, if a read has made it."""
        return _COLUMN_CACHES.get(self.engine)

    def _column_cache(self) -> ColumnCache:
        """The store's column cache (one per engine, shared by every user's view),
        told about every committed write."""
        cache = _COLUMN_CACHES.get(self.engine)
        if cache is None:
            with _CACHES_LOCK:
                cache = _COLUMN_CACHES.get(self.engine)
                if cache is None:
                    cache = _COLUMN_CACHES[self.engine] = ColumnCache(
                        spill_dir=spill_directory(self.engine))
                    self._listeners.append(cache.changed)
        return cache

    def event_listing(
        self,
        key: str,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> tuple[list[tuple[int, int, int, int]], dict[int, str]]:
        """What ``get_events`` returns, as rows plus each distinct data object's stored
        canonical JSON text: a listing can write the stored text straight into its
        response instead of decoding and re-encoding every event's data."""
        with self.engine.connect() as conn:
            rows = self._event_rows(conn, key, start, end, limit)
            texts = self._data_texts(conn, {row[3] for row in rows})
        return rows, texts

    def count_events(self, key: str, start: int | None = None, end: int | None = None) -> int:
        with self.engine.connect() as conn:
            bucket = self._require_bucket(conn, key)
            query = select(func.count()).select_from(t.events).where(
                and_(*_span_conditions(bucket, start, end))
            )
            return int(conn.execute(query).scalar() or 0)

    def get_event(self, key: str, event_id: int) -> Event | None:
        e = t.events.c
        with self.engine.connect() as conn:
            bucket = self._require_bucket(conn, key)
            row = conn.execute(
                select(e.id, e.starttime, e.endtime, e.data_id).where(
                    e.id == event_id, e.bucket_id == bucket.id
                )
            ).first()
            if row is None:
                return None
            data = self._load_data(conn, [row.data_id])[row.data_id]
            return Event(row.id, row.starttime, row.endtime - row.starttime, data)

    def iter_events(self, key: str, batch: int = 5000) -> Iterator[list[Event]]:
        """Every event of a bucket, newest first, in batches (for streaming exports)."""
        e = t.events.c
        cursor: tuple[int, int] | None = None
        while True:
            with self.engine.connect() as conn:
                bucket = self._require_bucket(conn, key)
                query = select(e.id, e.starttime, e.endtime, e.data_id).where(
                    e.bucket_id == bucket.id
                )
                if cursor is not None:
                    query = query.where(
                        (e.starttime < cursor[0]) | ((e.starttime == cursor[0]) & (e.id < cursor[1]))
                    )
                rows = conn.execute(
                    query.order_by(e.starttime.desc(), e.id.desc()).limit(batch)
                ).all()
                if not rows:
                    return
                datas = self._load_data(conn, {row[3] for row in rows})
            yield [Event(r[0], r[1], r[2] - r[1], datas[r[3]]) for r in rows]
            cursor = (rows[-1][1], rows[-1][0])

