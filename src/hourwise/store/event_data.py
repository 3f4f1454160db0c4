"""The store's event data: each distinct data object stored once, looked up by hash,
decoded once and shared. A mixin of ``Store`` (shares its caches and connections)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection, bindparam, insert, select

from hourwise.store import schema as t
from hourwise.store.bulk import insert_rows_returning
from hourwise.store.data_columns import DataSlice
from hourwise.store.datacodec import data_hash

CHUNK = 900  # ids per IN (...) list, under every backend's parameter limit
_INSERT_DATA = "INSERT INTO event_data (hash, json) VALUES"
# One statement for every read of data by id: a statement built per call with its ids in
# it stays in SQLAlchemy's statement cache with those ids (a year's worth, 200k ints).
_DATA_BY_IDS = select(t.event_data.c.id, t.event_data.c.json).where(
    t.event_data.c.id.in_(bindparam("ids", expanding=True)))


class EventData:
    def _data_ids(self, conn: Connection, canon: Sequence[tuple[bytes, bytes]]) -> list[int]:
        """The event_data id of each (canonical JSON, hash) pair, inserting new ones."""
        ids = self._ids_by_digest(conn, {digest: text for text, digest in canon})
        return [ids[digest] for _, digest in canon]

    def _data_ids_by_text(self, conn: Connection, texts: Iterable[bytes]) -> dict[bytes, int]:
        """The event_data id of each distinct canonical JSON text, inserting new ones.

        Bulk inserts repeat the same few data objects many times, so each distinct text
        is hashed once per call; the digest cache then answers most of them."""
        by_digest = {data_hash(text): text for text in dict.fromkeys(texts)}
        ids = self._ids_by_digest(conn, by_digest)
        return {text: ids[digest] for digest, text in by_digest.items()}

    def _ids_by_digest(self, conn: Connection, by_digest: dict[bytes, bytes]) -> dict[bytes, int]:
        """Ids of data objects (hash -> canonical text): from the digest cache, else
        stored (inserted when new)."""
        ids: dict[bytes, int] = {}
        missing: dict[bytes, bytes] = {}
        cached = self._id_by_hash.get
        for digest, text in by_digest.items():
            known = cached(digest)
            if known is not None:
                ids[digest] = known
            else:
                missing[digest] = text
        if missing:
            ids.update(self._store_data(conn, missing))
        return ids

    def _store_data(self, conn: Connection, missing: dict[bytes, bytes]) -> dict[bytes, int]:
        """Ids of data objects (hash -> canonical text) the digest cache did not know:
        inserted when absent, looked up when present, and remembered in the cache."""
        missing = dict(missing)
        found: dict[bytes, int] = {}
        if self.dialect == "sqlite":
            inserted = self._sqlite_data_ids(conn, missing, found)
        else:
            d = t.event_data
            hashes = list(missing)
            for i in range(0, len(hashes), CHUNK):
                chunk = hashes[i : i + CHUNK]
                for row in conn.execute(select(d.c.id, d.c.hash).where(d.c.hash.in_(chunk))):
                    found[bytes(row.hash)] = row.id
                    missing.pop(bytes(row.hash), None)
            inserted = list(missing)
            if missing:
                rows = conn.execute(
                    insert(d).returning(d.c.id, d.c.hash),
                    [{"hash": h, "json": text.decode()} for h, text in missing.items()],
                )
                for row in rows:
                    found[bytes(row.hash)] = row.id
        self._new_data.extend(inserted)
        for digest, ident in found.items():
            self._id_by_hash[digest] = ident
        return found

    @staticmethod
    def _sqlite_data_ids(
        conn: Connection, missing: dict[bytes, bytes], found: dict[bytes, int]
    ) -> list[bytes]:
        """SQLite half of ``_store_data`` on the raw cursor (bulk inserts spend their time
        here); returns the hashes it inserted. Data the cache does not know is usually
        new, so it is inserted straight away (one multi-row INSERT that skips hashes
        already stored and returns the new ids); only the skipped ones are looked up."""
        cursor = conn.connection.driver_connection.cursor()
        try:
            # Hashes are bound as bytearray: sqlite3 binds it as the same BLOB, but looks
            # for an adapter for every bytes value (raising and catching two errors).
            params: list[Any] = []
            for digest, text in missing.items():
                params += (bytearray(digest), text.decode())
            inserted = []
            for ident, digest in insert_rows_returning(
                cursor, _INSERT_DATA, 2, params, "ON CONFLICT (hash) DO NOTHING RETURNING id, hash"
            ):
                found[digest] = ident
                del missing[digest]
                inserted.append(digest)
            hashes = list(map(bytearray, missing))
            for i in range(0, len(hashes), CHUNK):
                chunk = hashes[i : i + CHUNK]
                marks = ",".join("?" * len(chunk))
                for ident, digest in cursor.execute(
                    f"SELECT id, hash FROM event_data WHERE hash IN ({marks})", chunk
                ):
                    found[digest] = ident
            return inserted
        finally:
            cursor.close()

    def _load_data(self, conn: Connection, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """Decoded data objects by id (one dict per distinct id), from the decoded-data
        columns (``hourwise.store.data_columns``), read from the database when absent."""
        return self._data_columns.dicts(ids, self._data_fetcher(conn))

    def _data_slice(self, conn: Connection, ids: np.ndarray) -> DataSlice:
        """The data objects ``ids`` (distinct, ascending) in columns."""
        return self._data_columns.slice(ids, self._data_fetcher(conn))

    @staticmethod
    def _data_fetcher(conn: Connection) -> Callable[[list[int]], Iterator[tuple[int, Any]]]:
        """(id, stored JSON) of the given data ids, read on ``conn``."""
        def fetch(wanted: list[int]) -> Iterator[tuple[int, Any]]:
            for i in range(0, len(wanted), CHUNK):
                yield from conn.execute(_DATA_BY_IDS, {"ids": wanted[i : i + CHUNK]})

        return fetch

    def _data_texts(self, conn: Connection, ids: set[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        wanted = []
        for ident in ids:
            cached = self._text_by_id.get(ident)
            if cached is None:
                wanted.append(ident)
            else:
                found[ident] = cached
        d = t.event_data
        for i in range(0, len(wanted), CHUNK):
            for ident, text in conn.execute(
                select(d.c.id, d.c.json).where(d.c.id.in_(wanted[i : i + CHUNK]))
            ):
                found[ident] = self._text_by_id[ident] = text
        return found

