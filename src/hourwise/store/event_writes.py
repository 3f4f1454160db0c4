"""The store's event writes: insert (or replace by id), import and delete.

A mixin of ``Store``: it shares the store's engine, write lock and caches. Inserts take
events as ``NewEvent`` tuples whose data is already canonical JSON, so the web layer can
go from a request body to rows without building an ``Event`` per item.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, repeat
from operator import itemgetter, sub
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Connection, bindparam, delete, exists, insert, select, update

from hourwise.errors import InvalidInput
from hourwise.models import Event
from hourwise.store import schema as t
from hourwise.store.bulk import insert_rows, memory_statement_journals
from hourwise.store.datacodec import canonical_json, data_hash
from hourwise.store.event_data import CHUNK

if TYPE_CHECKING:
    from hourwise.store.sql import BucketRow

# (id of the event to replace or None, start, end, canonical JSON of the data)
NewEvent = tuple[int | None, int, int, bytes]


class NewEvents(NamedTuple):
    """Events to insert, column by column: bulk inserts build these without a tuple per
    event, and the store reads them without taking tuples apart."""

    idents: list[int | None] | None  # the id to replace, per event; None: all new
    starts: list[int]
    ends: list[int]
    texts: list[bytes]  # canonical JSON of each event's data

    @classmethod
    def from_rows(cls, rows: Sequence[NewEvent]) -> NewEvents:
        """Columns of ``NewEvent`` rows."""
        idents = list(map(itemgetter(0), rows))
        return cls(
            None if idents.count(None) == len(idents) else idents,
            list(map(itemgetter(1), rows)),
            list(map(itemgetter(2), rows)),
            list(map(itemgetter(3), rows)),
        )

    def rows(self) -> list[NewEvent]:
        """The events as ``NewEvent`` rows."""
        idents = self.idents if self.idents is not None else repeat(None)
        return list(zip(idents, self.starts, self.ends, self.texts))

_BUMP_MAX_DURATION = (
    update(t.buckets)
    .where(t.buckets.c.id == bindparam("bucket"), t.buckets.c.max_duration < bindparam("longest"))
    .values(max_duration=bindparam("longest"))
)
_REPLACE = (
    update(t.events)
    .where(t.events.c.id == bindparam("eid"))
    .values(starttime=bindparam("s"), endtime=bindparam("e"), data_id=bindparam("d"))
)
_INSERT_EVENTS = "INSERT INTO events (bucket_id, starttime, endtime, data_id) VALUES"


class EventWrites:
    def _bump_max_duration(self, conn: Connection, bucket: BucketRow, longest: int) -> None:
        if longest > bucket.max_duration:
            conn.execute(_BUMP_MAX_DURATION, {"bucket": bucket.id, "longest": longest})
            bucket.max_duration = longest

    def _insert_event_rows(self, conn: Connection, params: list[int]) -> list[int]:
        """Insert events given as one flat list of (bucket_id, starttime, endtime, data_id)
        values and return their ids, in order.

        On SQLite, multi-row INSERT statements (``bulk.insert_rows``); the ids are then
        consecutive and end at last_insert_rowid(): the table is AUTOINCREMENT and the
        store's write lock makes this the only writer. PostgreSQL returns them.
        """
        rows = len(params) // 4
        if not rows:
            return []
        if self.dialect != "sqlite":
            names = ("bucket_id", "starttime", "endtime", "data_id")
            result = conn.execute(
                insert(t.events).returning(t.events.c.id, sort_by_parameter_order=True),
                [dict(zip(names, params[i : i + 4])) for i in range(0, len(params), 4)],
            )
            return [row.id for row in result]
        cursor = conn.connection.driver_connection.cursor()
        try:
            last = insert_rows(cursor, _INSERT_EVENTS, 4, params)
        finally:
            cursor.close()
        return list(range(last - rows + 1, last + 1))

    def insert_batch(self, key: str, batch: Sequence[NewEvent]) -> list[int]:
        """Insert events given as ``NewEvent`` tuples; return their ids, in order
        (``insert_columns``)."""
        return self.insert_columns(key, NewEvents.from_rows(batch))

    def insert_columns(self, key: str, events: NewEvents) -> list[int]:
        """Insert events given as columns; return their ids, in order.

        One carrying the id of an event in this bucket replaces it. An id that names no
        event is ignored and the event is inserted under a new id; an id that names an
        event of another bucket is refused. All or nothing, in one transaction.
        """
        idents, starts, ends, texts = events
        with self._write() as conn:
            if self.dialect == "sqlite":
                memory_statement_journals(conn.connection.driver_connection)
            bucket = self._require_bucket(conn, key)
            if not starts:
                return []
            data_ids = self._data_ids_by_text(conn, texts)
            if idents is not None:
                ids = self._insert_or_replace(conn, key, bucket, events, data_ids)
            else:
                # column by column, so the per-event work runs in C (map, zip, chain)
                params = list(chain.from_iterable(
                    zip(repeat(bucket.id), starts, ends, map(data_ids.__getitem__, texts))
                ))
                ids = self._insert_event_rows(conn, params)
                self._changed(key, min(starts), max(ends))
            self._bump_max_duration(conn, bucket, max(map(sub, ends, starts)))
        return ids

    def _insert_or_replace(self, conn: Connection, key: str, bucket: BucketRow,
                           events: NewEvents, data_ids: dict[bytes, int]) -> list[int]:
        e = t.events.c
        given_ids = [ident for ident in events.idents if ident is not None]
        owner: dict[int, int] = {}
        for i in range(0, len(given_ids), CHUNK):
            chunk = given_ids[i : i + CHUNK]
            for row in conn.execute(select(e.id, e.bucket_id).where(e.id.in_(chunk))):
                owner[row.id] = row.bucket_id
        ids: list[Any] = [None] * len(events.starts)
        params: list[int] = []
        insert_positions: list[int] = []
        replaces: list[dict[str, int]] = []
        for position, (ident, start, end, text) in enumerate(zip(*events)):
            if ident is not None and ident in owner:
                if owner[ident] != bucket.id:
                    raise InvalidInput(f"event {ident} belongs to another bucket")
                replaces.append({"eid": ident, "s": start, "e": end, "d": data_ids[text]})
                ids[position] = ident
            else:
                params += (bucket.id, start, end, data_ids[text])
                insert_positions.append(position)
        if replaces:
            conn.execute(_REPLACE, replaces)
            self._changed(key)  # the replaced events' old times are not known here
        elif params:
            self._changed(key, min(params[1::4]), max(params[2::4]))
        for position, ident in zip(insert_positions, self._insert_event_rows(conn, params)):
            ids[position] = ident
        return ids

    def insert_events(self, key: str, new_events: Sequence[Event]) -> list[Event]:
        """``insert_batch`` for Event objects; returns the stored events with their ids."""
        batch = [(ev.id, ev.start, ev.start + ev.duration, canonical_json(ev.data))
                 for ev in new_events]
        ids = self.insert_batch(key, batch)
        return [Event(ident, ev.start, ev.duration, ev.data) for ident, ev in zip(ids, new_events)]

    def delete_event(self, key: str, event_id: int) -> bool:
        """Delete one event; forget its data if no other event uses it."""
        e = t.events.c
        d = t.event_data
        with self._write() as conn:
            bucket = self._require_bucket(conn, key)
            deleted = conn.execute(
                delete(t.events)
                .where(e.id == event_id, e.bucket_id == bucket.id)
                .returning(e.data_id, e.starttime, e.endtime)
            ).first()
            if deleted is None:
                return False
            data_id = deleted.data_id
            self._changed(key, deleted.starttime, deleted.endtime)
            gone = conn.execute(
                delete(d)
                .where(d.c.id == data_id, ~exists().where(e.data_id == data_id))
                .returning(d.c.hash)
            ).scalar()
            if gone is not None:
                self._data_columns.forget([data_id])
                self._text_by_id.pop(data_id)
                self._id_by_hash.pop(bytes(gone))
            return True

    def import_events(self, key: str, incoming: Sequence[Event]) -> int:
        """Add events to a bucket, skipping any equal (start, end, data) to one it has.

        Returns how many were added. Importing the same export twice adds nothing.
        """
        if not incoming:
            return 0
        canon = [(text, data_hash(text)) for text in map(canonical_json, (ev.data for ev in incoming))]
        e = t.events.c
        with self._write() as conn:
            bucket = self._require_bucket(conn, key)
            data_ids = self._data_ids(conn, canon)
            lo = min(ev.start for ev in incoming)
            hi = max(ev.start for ev in incoming)
            existing = {
                tuple(row)
                for row in conn.execute(
                    select(e.starttime, e.endtime, e.data_id).where(
                        e.bucket_id == bucket.id, e.starttime >= lo, e.starttime <= hi
                    )
                )
            }
            params: list[int] = []
            for ev, data_id in zip(incoming, data_ids):
                signature = (ev.start, ev.start + ev.duration, data_id)
                if signature in existing:
                    continue
                existing.add(signature)
                params += (bucket.id, ev.start, signature[1], data_id)
            if params:
                self._insert_event_rows(conn, params)
                self._bump_max_duration(conn, bucket, max(ev.duration for ev in incoming))
                self._changed(key, min(params[1::4]), max(params[2::4]))
            return len(params) // 4
