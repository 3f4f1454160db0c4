"""The store's heartbeat path: read the last event, lengthen it, or fold a heartbeat in.

A mixin of ``Store``: it shares the store's engine, write lock and caches.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from hourwise.models import Event
from hourwise.store import schema as t

# Built once: a merged heartbeat is one UPDATE, and constructing SQLAlchemy statements
# per call costs more than executing them.
_SET_END = (
    update(t.events)
    .where(t.events.c.id == bindparam("event_id"), t.events.c.bucket_id == bindparam("bucket"))
    .values(endtime=bindparam("end"))
)
_INSERT_ONE = (
    insert(t.events)
    .values(
        bucket_id=bindparam("bucket"),
        starttime=bindparam("start"),
        endtime=bindparam("end"),
        data_id=bindparam("data_id"),
    )
    .returning(t.events.c.id)
)


_SET_END_SQL = "UPDATE events SET endtime = ? WHERE id = ? AND bucket_id = ?"
_BUMP_SQL = "UPDATE buckets SET max_duration = ? WHERE id = ? AND max_duration < ?"


def _autocommit_update(raw: Any, end: int, event_id: int, bucket_id: int) -> int:
    """One UPDATE of an event's end as its own transaction; the rows it changed.

    In autocommit mode SQLite commits the statement as it completes: the same durable
    commit as BEGIN, UPDATE, COMMIT, but one prepared statement (cached by the driver)
    instead of three, two of which the driver prepares afresh every time. The write
    lock is held and no transaction is open, so nobody else sees the mode change.
    """
    level = raw.isolation_level
    raw.isolation_level = None
    try:
        return raw.execute(_SET_END_SQL, (end, event_id, bucket_id)).rowcount
    finally:
        raw.isolation_level = level


def _update_and_bump(raw: Any, bucket: Any, end: int, event_id: int, duration: int) -> int:
    """An event's new end and, if it is now the bucket's longest, the bucket's
    ``max_duration``, in one transaction; the event rows changed."""
    try:
        changed = raw.execute(_SET_END_SQL, (end, event_id, bucket.id)).rowcount
        if changed and duration > bucket.max_duration:
            raw.execute(_BUMP_SQL, (duration, bucket.id, duration))
            raw.commit()
            bucket.max_duration = duration
        else:
            raw.commit()
    except BaseException:
        raw.rollback()
        raise
    return changed


class HeartbeatWrites:
    def last_event(self, key: str) -> tuple[Event, bytes] | None:
        """The bucket's newest event (by start, then id) and its data hash."""
        e = t.events.c
        d = t.event_data.c
        with self.engine.connect() as conn:
            bucket = self._require_bucket(conn, key)
            row = conn.execute(
                select(e.id, e.starttime, e.endtime, e.data_id, d.hash)
                .join_from(t.events, t.event_data, e.data_id == d.id)
                .where(e.bucket_id == bucket.id)
                .order_by(e.starttime.desc(), e.id.desc())
                .limit(1)
            ).first()
            if row is None:
                return None
            data = self._load_data(conn, [row.data_id])[row.data_id]
            return Event(row.id, row.starttime, row.endtime - row.starttime, data), bytes(row.hash)

    def insert_heartbeat(self, key: str, ev: Event, canonical: bytes, digest: bytes) -> Event:
        """Insert one event whose canonical data and hash the caller already computed."""
        if self.dialect == "sqlite":
            bucket = self._buckets.get((self.user_id, key))
            data_id = self._id_by_hash.get(digest)
            if bucket is not None and data_id is not None:
                ident = self._sqlite_insert(bucket, key, ev, data_id)
                return Event(ident, ev.start, ev.duration, ev.data)
        with self._write() as conn:
            bucket = self._require_bucket(conn, key)
            (data_id,) = self._data_ids(conn, [(canonical, digest)])
            ident = conn.execute(
                _INSERT_ONE,
                {"bucket": bucket.id, "start": ev.start, "end": ev.end, "data_id": data_id},
            ).scalar_one()
            self._bump_max_duration(conn, bucket, ev.duration)
            self._changed(key, ev.start, ev.end)
        return Event(ident, ev.start, ev.duration, ev.data)

    def set_event_duration(self, key: str, event_id: int, start: int, duration: int) -> bool:
        """Lengthen (or shorten) a stored event in place; False if it no longer exists."""
        if self.dialect == "sqlite":
            bucket = self._buckets.get((self.user_id, key))
            if bucket is not None:
                return self._sqlite_set_end(bucket, key, event_id, start, duration)
        with self._write() as conn:
            bucket = self._require_bucket(conn, key)
            changed = conn.execute(
                _SET_END, {"event_id": event_id, "bucket": bucket.id, "end": start + duration}
            ).rowcount
            if changed:
                self._bump_max_duration(conn, bucket, duration)
                # heartbeats only lengthen events, so [start, new end] covers the change
                self._changed(key, start, start + duration)
            return bool(changed)

    _raw_for: tuple[Any, Any] | None = None  # (writer Connection, its DBAPI connection)

    def _raw_writer(self) -> Any:
        """The SQLite writer's DBAPI connection (the caller holds the write lock)."""
        writer = self._writer
        if writer is None or writer.closed or writer.invalidated:
            writer = self._writer = self.engine.connect()
        # A Connection keeps its DBAPI connection until it is closed or invalidated (both
        # checked above, and then it is replaced): looked up through the pool's proxies
        # once per writer, not once per heartbeat.
        raw_for = self._raw_for
        if raw_for is not None and raw_for[0] is writer:
            return raw_for[1]
        raw = writer.connection.driver_connection
        self._raw_for = (writer, raw)
        return raw

    def _sqlite_set_end(self, bucket, key: str, event_id: int, start: int, duration: int) -> bool:
        # The merged-heartbeat write, once a second per watcher: fixed SQL on the writer's
        # DBAPI connection, under the same lock, without SQLAlchemy's per-call statement
        # and transaction machinery. Listeners are told after the commit, as in _write.
        end = start + duration
        with self._write_lock:
            raw = self._raw_writer()
            if duration <= bucket.max_duration and not raw.in_transaction:
                changed = _autocommit_update(raw, end, event_id, bucket.id)
            else:
                changed = _update_and_bump(raw, bucket, end, event_id, duration)
            if changed:
                # heartbeats only lengthen events, so [start, new end] covers the change
                for listener in self._listeners:
                    listener(self.user_id, key, start, end)
            return bool(changed)

    def _sqlite_insert(self, bucket, key: str, ev: Event, data_id: int) -> int:
        # A heartbeat that starts a new event, with data stored before (one heartbeat in
        # ten or so): fixed SQL on the writer's DBAPI connection, as _sqlite_set_end.
        with self._write_lock:
            raw = self._raw_writer()
            try:
                ident = raw.execute(
                    "INSERT INTO events (bucket_id, starttime, endtime, data_id) "
                    "VALUES (?, ?, ?, ?)",
                    (bucket.id, ev.start, ev.end, data_id),
                ).lastrowid
                if ev.duration > bucket.max_duration:
                    raw.execute(_BUMP_SQL, (ev.duration, bucket.id, ev.duration))
                raw.commit()
            except BaseException:
                raw.rollback()
                raise
            if ev.duration > bucket.max_duration:
                bucket.max_duration = ev.duration
            for listener in self._listeners:
                listener(self.user_id, key, ev.start, ev.end)
            return ident

    def fold_heartbeat(
        self, key: str, ev: Event, canonical: bytes, digest: bytes, pulsetime: int
    ) -> Event:
        """Put an out-of-order heartbeat where in-order delivery would have put it.

        Every event with the same data that the heartbeat reaches within ``pulsetime``
        (before or after it) is merged with it into one event, which keeps the earliest
        event's id; with none, the heartbeat is stored as a new event. So a heartbeat
        that arrives late never doubles time that is already recorded.
        """
        e = t.events.c
        with self._write() as conn:
            bucket = self._require_bucket(conn, key)
            (data_id,) = self._data_ids(conn, [(canonical, digest)])
            low, high = ev.start - pulsetime, ev.end + pulsetime
            rows = conn.execute(
                select(e.id, e.starttime, e.endtime)
                .where(
                    e.bucket_id == bucket.id,
                    e.data_id == data_id,
                    e.starttime <= high,
                    e.endtime >= low,
                    e.starttime >= low - bucket.max_duration,
                )
                .order_by(e.starttime, e.id)
            ).all()
            if not rows:
                ident = conn.execute(
                    insert(t.events)
                    .values(bucket_id=bucket.id, starttime=ev.start, endtime=ev.end,
                            data_id=data_id)
                    .returning(e.id)
                ).scalar_one()
                self._bump_max_duration(conn, bucket, ev.duration)
                self._changed(key, ev.start, ev.end)
                return Event(ident, ev.start, ev.duration, ev.data)
            start = min(ev.start, rows[0].starttime)
            end = max(ev.end, *(row.endtime for row in rows))
            keep = rows[0].id
            conn.execute(
                update(t.events).where(e.id == keep).values(starttime=start, endtime=end)
            )
            absorbed = [row.id for row in rows[1:]]
            if absorbed:
                conn.execute(delete(t.events).where(e.id.in_(absorbed)))
            self._bump_max_duration(conn, bucket, end - start)
            self._changed(key, start, end)
            return Event(keep, start, end - start, ev.data)
