"""The store: every read and write of buckets, events and settings, on SQLite or PostgreSQL.

One class serves both databases through SQLAlchemy Core. Writes go through one lock
per store, as in aw-server-rust's single writer: SQLite allows one writer anyway, and
it keeps the data-deduplication caches consistent on PostgreSQL too. Reads run
concurrently (WAL on SQLite).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    Connection,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)

from hourwise.errors import InvalidInput, NotFound
from hourwise.models import Bucket, Event
from hourwise.store import schema as t
from hourwise.store.accounts import AccountRecords
from hourwise.store.datacodec import BoundedCache, canonical_json, data_hash
from hourwise.store.engine import build_engine, normalise_url
from hourwise.store.event_data import CHUNK, EventData
from hourwise.store.event_reads import EventReads
from hourwise.store.heartbeat_writes import HeartbeatWrites
from hourwise.store.oauth import OAuthRecords

_BUMP_MAX_DURATION = (
    update(t.buckets)
    .where(t.buckets.c.id == bindparam("bucket"), t.buckets.c.max_duration < bindparam("longest"))
    .values(max_duration=bindparam("longest"))
)


@dataclass
class BucketRow:
    """What the store keeps in memory about a bucket to route reads and writes."""

    id: int
    max_duration: int


class Store(EventReads, EventData, HeartbeatWrites, AccountRecords, OAuthRecords):
    """Buckets, events, settings and server metadata in one SQL database."""

    def __init__(self, url: str, *, data_cache_size: int = 250_000):
        self.user_id = t.OWNER_ID
        self.url = normalise_url(url)
        self.engine = build_engine(url)
        self.dialect = self.engine.dialect.name
        self._write_lock = threading.RLock()
        self._writer: Connection | None = None
        self._listeners: list[Callable[[int, str, int | None, int | None], None]] = []
        self._changes: list[tuple[int, str, int | None, int | None]] = []
        self._buckets: dict[tuple[int, str], BucketRow] = {}
        self._data_by_id: BoundedCache[int, dict[str, Any]] = BoundedCache(data_cache_size)
        self._id_by_hash: BoundedCache[bytes, int] = BoundedCache(data_cache_size)
        self._text_by_id: BoundedCache[int, str] = BoundedCache(data_cache_size)

    # -- lifecycle -------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A transaction on the writer connection, holding the store's write lock.

        SQLite has one writer, so one connection stays open for all writes: no pool
        checkout per heartbeat. PostgreSQL writes use pooled connections.
        """
        with self._write_lock:
            try:
                if self.dialect != "sqlite":
                    with self.engine.begin() as conn:
                        yield conn
                else:
                    if self._writer is None or self._writer.closed or self._writer.invalidated:
                        self._writer = self.engine.connect()
                    with self._writer.begin():
                        yield self._writer
                # one list shared by every user's view of the store, so no reassignment
                changes = list(self._changes)
                self._changes.clear()
            except BaseException:
                self._changes.clear()
                raise
            for change in changes:
                for listener in self._listeners:
                    listener(*change)

    def add_write_listener(
        self, listener: Callable[[int, str, int | None, int | None], None]
    ) -> None:
        """Call ``listener(user_id, bucket_key, start, end)`` after every committed write.

        Bucket keys are per user (two users can each have ``aw-watcher-window_x``), so a
        cache must key its entries by user as well.
        ``start``/``end`` (microseconds) bound the time whose events changed; both are
        None when anything in the bucket may have changed (bucket created, updated or
        deleted, events replaced by id). Result caches use this to stay correct.
        """
        self._listeners.append(listener)

    def _changed(self, key: str, start: int | None = None, end: int | None = None) -> None:
        """Record a change in the current write transaction (announced after commit)."""
        self._changes.append((self.user_id, key, start, end))

    def for_user(self, user_id: int) -> "Store":
        """This store as one user sees it: their buckets and settings only.

        The view shares everything else (engine, write lock, caches, listeners), so
        views are cheap and writes from every user are still serialised together.
        """
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)
        view.user_id = user_id
        return view

    def try_write_lock(self) -> bool:
        """Take the write lock only if no other writer holds it (see ``release_write_lock``)."""
        return self._write_lock.acquire(blocking=False)

    def release_write_lock(self) -> None:
        self._write_lock.release()

    def migrate(self) -> None:
        """Bring the schema to the newest migration (idempotent)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        with self._write() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def close(self) -> None:
        with self._write_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        self.engine.dispose()

    # -- server metadata -------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(t.server_meta.c.value).where(t.server_meta.c.key == key)
            ).scalar()

    def set_meta(self, key: str, value: str) -> None:
        with self._write() as conn:
            m = t.server_meta
            if not conn.execute(update(m).where(m.c.key == key).values(value=value)).rowcount:
                conn.execute(insert(m).values(key=key, value=value))

    def set_meta_default(self, key: str, value: str) -> str:
        """Store ``value`` under ``key`` unless one is stored already; return the stored one."""
        with self._write() as conn:
            current = conn.execute(
                select(t.server_meta.c.value).where(t.server_meta.c.key == key)
            ).scalar()
            if current is not None:
                return current
            conn.execute(insert(t.server_meta).values(key=key, value=value))
            return value

    # -- buckets ---------------------------------------------------------------------

    def _bucket_row(self, conn: Connection, key: str) -> BucketRow | None:
        row = self._buckets.get((self.user_id, key))
        if row is not None:
            return row
        b = t.buckets.c
        found = conn.execute(
            select(b.id, b.max_duration).where(b.key == key, b.user_id == self.user_id)
        ).first()
        if found is None:
            return None
        row = BucketRow(found.id, found.max_duration)
        self._buckets[(self.user_id, key)] = row
        return row

    def _require_bucket(self, conn: Connection, key: str) -> BucketRow:
        row = self._bucket_row(conn, key)
        if row is None:
            raise NotFound(f"There's no bucket named {key}")
        return row

    def _bucket_from_row(self, conn: Connection, row: Any) -> Bucket:
        e = t.events.c
        span = conn.execute(
            select(
                select(func.min(e.starttime)).where(e.bucket_id == row.id).scalar_subquery(),
                select(func.max(e.endtime)).where(e.bucket_id == row.id).scalar_subquery(),
            )
        ).first()
        return Bucket(
            id=row.key,
            name=row.name,
            type=row.type,
            client=row.client,
            hostname=row.hostname,
            created=row.created,
            data=orjson.loads(row.data),
            first_start=span[0] if span else None,
            last_end=span[1] if span else None,
        )

    def list_buckets(self) -> list[Bucket]:
        """Every bucket, ordered by id, with the time span its events cover."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.buckets)
                .where(t.buckets.c.user_id == self.user_id)
                .order_by(t.buckets.c.key)
            ).all()
            return [self._bucket_from_row(conn, row) for row in rows]

    def get_bucket(self, key: str) -> Bucket | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.buckets).where(t.buckets.c.key == key, t.buckets.c.user_id == self.user_id)
            ).first()
            return self._bucket_from_row(conn, row) if row is not None else None

    def bucket_exists(self, key: str) -> bool:
        with self.engine.connect() as conn:
            return self._bucket_row(conn, key) is not None

    def create_bucket(self, bucket: Bucket) -> bool:
        """Create a bucket; False (and nothing changed) when one with that id exists."""
        data_text = canonical_json(bucket.data).decode()
        with self._write() as conn:
            if self._bucket_row(conn, bucket.id) is not None:
                return False
            conn.execute(
                insert(t.buckets).values(
                    user_id=self.user_id,
                    key=bucket.id,
                    name=bucket.name,
                    type=bucket.type,
                    client=bucket.client,
                    hostname=bucket.hostname,
                    created=bucket.created,
                    data=data_text,
                )
            )
            self._changed(bucket.id)
            return True

    def update_bucket(self, key: str, changes: dict[str, Any]) -> None:
        """Change a bucket's metadata fields (type, client, hostname, name, data)."""
        values = dict(changes)
        if "data" in values:
            values["data"] = canonical_json(values["data"]).decode()
        with self._write() as conn:
            bucket = self._require_bucket(conn, key)
            if values:
                conn.execute(update(t.buckets).where(t.buckets.c.id == bucket.id).values(**values))
                self._changed(key)

    def delete_bucket(self, key: str) -> None:
        """Delete a bucket and all its events; forget data no other event uses."""
        with self._write() as conn:
            bucket = self._require_bucket(conn, key)
            conn.execute(delete(t.events).where(t.events.c.bucket_id == bucket.id))
            conn.execute(delete(t.buckets).where(t.buckets.c.id == bucket.id))
            d = t.event_data
            conn.execute(
                delete(d).where(~exists().where(t.events.c.data_id == d.c.id))
            )
            self._buckets.pop((self.user_id, key), None)
            self._changed(key)
            self._data_by_id.clear()
            self._text_by_id.clear()
            self._id_by_hash.clear()

    # -- events: writes --------------------------------------------------------------

    def _bump_max_duration(self, conn: Connection, bucket: BucketRow, longest: int) -> None:
        if longest > bucket.max_duration:
            conn.execute(_BUMP_MAX_DURATION, {"bucket": bucket.id, "longest": longest})
            bucket.max_duration = longest

    def _insert_event_rows(self, conn: Connection, rows: list[tuple[int, int, int, int]]) -> list[int]:
        """Insert (bucket_id, starttime, endtime, data_id) rows in one batch and return
        their ids, in order.

        On SQLite a plain executemany is several times faster than INSERT ... RETURNING
        (which SQLAlchemy must run row by row to keep the order). The ids are then
        consecutive and end at last_insert_rowid(): the table is AUTOINCREMENT and the
        store's write lock makes this the only writer.
        """
        if self.dialect != "sqlite":
            names = ("bucket_id", "starttime", "endtime", "data_id")
            result = conn.execute(
                insert(t.events).returning(t.events.c.id, sort_by_parameter_order=True),
                [dict(zip(names, row)) for row in rows],
            )
            return [row.id for row in result]
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.executemany(
                # positional parameters: sqlite3 reads tuples faster than dicts
                "INSERT INTO events (bucket_id, starttime, endtime, data_id) VALUES (?, ?, ?, ?)",
                rows,
            )
            last = cursor.execute("SELECT last_insert_rowid()").fetchone()[0]
        finally:
            cursor.close()
        return list(range(last - len(rows) + 1, last + 1))

    def insert_events(self, key: str, new_events: Sequence[Event]) -> list[Event]:
        """Insert events; one carrying the id of an event in this bucket replaces it.

        An id that names no event is ignored and the event is inserted under a new id;
        an id that names an event of another bucket is refused. All or nothing: one bad
        event leaves the bucket unchanged. Returns the stored events with their ids.
        """
        canon = [(text, data_hash(text)) for text in map(canonical_json, (ev.data for ev in new_events))]
        e = t.events.c
        with self._write() as conn:
            bucket = self._require_bucket(conn, key)
            data_ids = self._data_ids(conn, canon)
            given_ids = [ev.id for ev in new_events if ev.id is not None]
            owner: dict[int, int] = {}
            for i in range(0, len(given_ids), CHUNK):
                chunk = given_ids[i : i + CHUNK]
                for row in conn.execute(select(e.id, e.bucket_id).where(e.id.in_(chunk))):
                    owner[row.id] = row.bucket_id
            inserts: list[tuple[int, int, int, int]] = []
            insert_positions: list[int] = []
            replaces: list[dict[str, int]] = []
            stored: list[Event] = []
            for position, (ev, data_id) in enumerate(zip(new_events, data_ids)):
                stored.append(Event(ev.id, ev.start, ev.duration, ev.data))
                if ev.id is not None and ev.id in owner:
                    if owner[ev.id] != bucket.id:
                        raise InvalidInput(f"event {ev.id} belongs to another bucket")
                    replaces.append(
                        {"eid": ev.id, "s": ev.start, "e": ev.start + ev.duration, "d": data_id}
                    )
                    continue
                inserts.append((bucket.id, ev.start, ev.start + ev.duration, data_id))
                insert_positions.append(position)
            if replaces:
                conn.execute(
                    update(t.events)
                    .where(t.events.c.id == bindparam("eid"))
                    .values(starttime=bindparam("s"), endtime=bindparam("e"), data_id=bindparam("d")),
                    replaces,
                )
            if inserts:
                for position, ident in zip(insert_positions, self._insert_event_rows(conn, inserts)):
                    stored[position].id = ident
            if new_events:
                self._bump_max_duration(conn, bucket, max(ev.duration for ev in new_events))
            if replaces:
                self._changed(key)  # the replaced events' old times are not known here
            elif inserts:
                self._changed(key, min(r[1] for r in inserts), max(r[2] for r in inserts))
        return stored

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
                self._data_by_id.pop(data_id)
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
            rows = []
            for ev, data_id in zip(incoming, data_ids):
                signature = (ev.start, ev.start + ev.duration, data_id)
                if signature in existing:
                    continue
                existing.add(signature)
                rows.append((bucket.id, ev.start, signature[1], data_id))
            if rows:
                self._insert_event_rows(conn, rows)
                self._bump_max_duration(conn, bucket, max(ev.duration for ev in incoming))
                self._changed(key, min(r[1] for r in rows), max(r[2] for r in rows))
            return len(rows)

    # -- settings --------------------------------------------------------------------

    def list_settings(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.settings.c.key, t.settings.c.value).where(
                    t.settings.c.user_id == self.user_id
                )
            ).all()
        return {row.key: orjson.loads(row.value) for row in rows}

    def get_setting(self, key: str) -> tuple[bool, Any]:
        """(found, value) for a settings key."""
        with self.engine.connect() as conn:
            text = conn.execute(
                select(t.settings.c.value).where(
                    t.settings.c.key == key, t.settings.c.user_id == self.user_id
                )
            ).scalar()
        return (False, None) if text is None else (True, orjson.loads(text))

    def set_setting(self, key: str, value: Any) -> None:
        text = canonical_json(value).decode()
        s = t.settings
        with self._write() as conn:
            changed = conn.execute(
                update(s).where(s.c.key == key, s.c.user_id == self.user_id).values(value=text)
            ).rowcount
            if not changed:
                conn.execute(insert(s).values(user_id=self.user_id, key=key, value=text))

    def delete_setting(self, key: str) -> bool:
        with self._write() as conn:
            return bool(
                conn.execute(
                    delete(t.settings).where(
                        t.settings.c.key == key, t.settings.c.user_id == self.user_id
                    )
                ).rowcount
            )
