"""The store: every read and write of buckets, events and settings, on SQLite or PostgreSQL.

One class serves both databases through SQLAlchemy Core. Writes go through one lock
per store, as in aw-server-rust's single writer: SQLite allows one writer anyway, and
it keeps the data-deduplication caches consistent on PostgreSQL too. Reads run
concurrently (WAL on SQLite).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, delete, exists, func, insert, inspect, select, text, update

from hourwise.errors import NotFound
from hourwise.models import Bucket
from hourwise.store import schema as t
from hourwise.store.accounts import AccountRecords
from hourwise.store.data_columns import DataColumns
from hourwise.store.datacodec import BoundedCache, canonical_json
from hourwise.store.engine import build_engine, normalise_url, spill_directory
from hourwise.store.event_data import EventData
from hourwise.store.event_reads import EventReads
from hourwise.store.event_writes import EventWrites
from hourwise.store.heartbeat_writes import HeartbeatWrites
from hourwise.store.revisions import newest_revision
from hourwise.store.oauth import OAuthRecords


@dataclass
class BucketRow:
    """What the store keeps in memory about a bucket to route reads and writes."""

    id: int
    max_duration: int


class Store(EventReads, EventWrites, EventData, HeartbeatWrites, AccountRecords, OAuthRecords):
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
        # hashes of data rows inserted by the current write transaction: forgotten from
        # the digest cache if it rolls back (their rowids would be reused)
        self._new_data: list[bytes] = []
        self._buckets: dict[tuple[int, str], BucketRow] = {}
        self._data_columns = DataColumns(data_cache_size, spill_dir=spill_directory(self.engine))
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
                self._new_data.clear()
            except BaseException:
                self._changes.clear()
                for digest in self._new_data:
                    self._id_by_hash.pop(digest)
                self._new_data.clear()
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
        """Bring the schema to the newest migration (idempotent).

        A database already at the newest revision is left alone without loading
        Alembic: it and the migration scripts would stay in every server's memory
        (about 10 MB) for nothing."""
        if self._schema_revision() == newest_revision():
            return
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        with self._write() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def _schema_revision(self) -> str | None:
        """The database's Alembic revision (None: a new database)."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def close(self) -> None:
        with self._write_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        self._data_columns.close()
        cache = self._known_column_cache()
        if cache is not None:
            cache.close()
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
            self._data_columns.clear()
            self._text_by_id.clear()
            self._id_by_hash.clear()

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
