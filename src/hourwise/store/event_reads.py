"""The store's event reads: ranges (clipped, newest first), counts, single events and
whole-bucket iteration. A mixin of ``Store``."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection, and_, func, select

from hourwise.models import Event
from hourwise.store import schema as t

if TYPE_CHECKING:
    from hourwise.store.sql import BucketRow


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



def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of an array of non-negative ids, ascending."""
    if not len(values):
        return values
    top = int(values.max())
    if top <= 8 * len(values) + 1_000_000:  # a counting pass beats sorting
        return np.flatnonzero(np.bincount(values, minlength=top + 1))
    return np.unique(values)


class EventReads:
    def _event_rows(self, conn: Connection, key: str, start: int | None, end: int | None,
                    limit: int | None) -> list[tuple[int, int, int, int]]:
        """(id, start, end, data_id) of events overlapping [start, end], newest first,
        clipped to the range."""
        e = t.events.c
        bucket = self._require_bucket(conn, key)
        query = (
            select(e.id, e.starttime, e.endtime, e.data_id)
            .where(and_(*_span_conditions(bucket, start, end)))
            .order_by(e.starttime.desc(), e.id.desc())
        )
        if limit is not None:
            query = query.limit(limit)
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
    ) -> tuple[np.ndarray, dict[int, dict[str, Any]]]:
        """What ``get_events`` returns, in columns: an (n, 4) int64 array of id, start,
        end and data id per event (newest first, clipped to the range), and each
        distinct data object by id. Rows stream from the cursor into the array, so a
        year of events never exists as Python tuples all at once."""
        e = t.events.c
        with self.engine.connect() as conn:
            bucket = self._require_bucket(conn, key)
            query = (
                select(e.id, e.starttime, e.endtime, e.data_id)
                .where(and_(*_span_conditions(bucket, start, end)))
                .order_by(e.starttime.desc(), e.id.desc())
            )
            if limit is not None:
                query = query.limit(limit)
            cursor = conn.execute(query).cursor
            rows = np.fromiter(chain.from_iterable(cursor), np.int64).reshape(-1, 4)
            if start is not None:
                np.maximum(rows[:, 1], start, out=rows[:, 1])
            if end is not None:
                np.minimum(rows[:, 2], end, out=rows[:, 2])
            datas = self._load_data(conn, _distinct(rows[:, 3]).tolist())
        return rows, datas

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

