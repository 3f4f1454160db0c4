"""Stored event data, decoded once and kept in columns.

Each distinct data object is stored once (``event_data``) and read by many events; the
store keeps the ones it has read decoded, so that reads do not decode them again. A
year of desktop activity holds about 200,000 distinct data objects. As dicts they cost
about 400 bytes each (80 MB for the year); kept here as one row of their *shape* (the
tuple of their keys), with one column of values per key, they cost their values plus a
pointer per key. Reads of many events (the query engine's) then take the columns they
need with one gather per key, and never build a dict per data object.

The rows and columns of each shape are in ``hourwise.store.data_shapes`` (long strings
go to disk there); ``DataColumns`` also keeps *memos* (``hourwise.store.data_memos``):
values computed from a data object by some fixed function, by data id, forgotten
together with the data.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

import numpy as np
import orjson

from hourwise.models.missing import MISSING
from hourwise.store.data_memos import MemoBook
from hourwise.store.data_shapes import Shape, StoredColumns
from hourwise.store.spill import SpillFile

ID = np.int64


class DataSlice(NamedTuple):
    """Some stored data objects in columns: ``columns[key][i]`` is the value of ``key``
    in data object ``ids[i]``, ``MISSING`` where it has no such key. ``ids`` are
    distinct and ascending; ``columns`` maps keys, in sorted order (the order of a
    stored object's keys), to object arrays, read when asked (``StoredColumns``)."""

    ids: np.ndarray
    columns: StoredColumns
    memos: MemoBook

    def dict_at(self, index: int) -> dict[str, Any]:
        """Data object ``ids[index]`` as a dict."""
        columns = self.columns
        return {key: value for key in columns
                if (value := columns.take(key, [index])[0]) is not MISSING}


DECODE_BATCH = 16384  # stored objects decoded at once


class DataColumns:
    """Decoded data objects by id, as rows of per-shape columns (module docstring).

    Holds at most ``limit`` objects: adding more starts afresh (one read may still
    hold more than the limit while it runs). Thread-safe.
    """

    def __init__(self, limit: int, *, spill_dir: str | None = None, spill: bool = True):
        self.limit = limit
        self.memos = MemoBook()
        self._spill_dir = spill_dir
        self._spilling = spill
        self._lock = threading.Lock()
        self._forgotten = 0  # bumped by every forget: a read that raced one reads again
        self._start_afresh()

    def _start_afresh(self) -> None:
        # A new spill file: the old one closes when no slice reads from it any more.
        self._spill = SpillFile(self._spill_dir) if self._spilling else None
        self._shape_of = np.full(0, -1, np.int32)
        self._row_of = np.zeros(0, np.int32)
        self._shapes: list[Shape] = []
        self._shape_number: dict[tuple[str, ...], int] = {}
        self._held = 0

    def __len__(self) -> int:
        return self._held

    def _unknown(self, ids: np.ndarray) -> np.ndarray:
        shape_of = self._shape_of
        known = np.zeros(len(ids), bool)
        inside = ids < len(shape_of)
        known[inside] = shape_of[ids[inside]] >= 0
        return ids[~known]

    def slice(self, ids: np.ndarray,
              fetch: Callable[[list[int]], Iterable[tuple[int, str | bytes]]]) -> DataSlice:
        """The data objects ``ids`` (distinct, ascending) in columns; ``fetch(ids)``
        yields (id, JSON text) of those not held yet. Ids it does not yield are
        treated as empty objects (the store never refers to missing data)."""
        ids = np.asarray(ids, ID)
        for _attempt in range(4):
            with self._lock:
                unknown = self._unknown(ids)
                if not len(unknown):
                    return self._gather(ids)
                forgotten = self._forgotten
                self._make_room(len(unknown), len(ids))
            # Decoded and added a batch at a time: a year of data is never all decoded
            # objects at once.
            for decoded in _decode(fetch(unknown.tolist()), unknown):
                with self._lock:
                    if self._forgotten != forgotten:  # a delete raced the fetch
                        break
                    self._add(decoded)
            with self._lock:
                if not len(self._unknown(ids)):
                    return self._gather(ids)
        # Concurrent reads of more than the limit kept pushing each other's data out,
        # or deletes kept racing: read this one on its own.
        private = DataColumns(len(ids), spill_dir=self._spill_dir, spill=self._spilling)
        private.memos = self.memos
        return private.slice(ids, fetch)

    def dicts(self, ids: Iterable[int],
              fetch: Callable[[list[int]], Iterable[tuple[int, str | bytes]]]
              ) -> dict[int, dict[str, Any]]:
        """The data objects ``ids`` as dicts, by id (one dict per distinct id)."""
        wanted = np.unique(np.fromiter(ids, ID))
        found = self.slice(wanted, fetch)
        columns = [(key, found.columns[key]) for key in found.columns]
        return {ident: {key: value for key, column in columns
                        if (value := column[i]) is not MISSING}
                for i, ident in enumerate(wanted.tolist())}

    def forget(self, ids: Iterable[int]) -> None:
        """Forget data objects (deleted from the database; their ids may be reused)."""
        ids = np.fromiter(ids, ID)
        with self._lock:
            self._forgotten += 1
            shape_of = self._shape_of
            shape_of[ids[ids < len(shape_of)]] = -1
        self.memos.forget(ids)

    def clear(self) -> None:
        with self._lock:
            self._forgotten += 1
            self._start_afresh()
        self.memos.clear()

    def close(self) -> None:
        """Forget everything and close the spill file now (not when collected)."""
        spill = self._spill
        self.clear()
        if spill is not None:
            spill.close()

    def _make_room(self, count: int, wanted: int) -> None:
        """Start afresh if ``count`` more objects, for a read of ``wanted`` in all,
        would go over the limit (memos stay: data ids keep their meaning); the read
        then fetches again what it had. A read of more than the limit is held whole
        (nothing else) until the next read pushes it out."""
        held_for_others = self._held - (wanted - count)  # held, not used by this read
        if self._held + count > self.limit and (wanted <= self.limit or held_for_others > 0):
            self._start_afresh()

    def _add(self, decoded: dict[tuple[str, ...], tuple[list[int], list[list[Any]]]]) -> None:
        """Hold newly decoded objects."""
        count = sum(len(found) for found, _ in decoded.values())
        if not count:
            return
        top = max(max(found) for found, _ in decoded.values()) + 1
        if top > len(self._shape_of):
            size = max(top, 2 * len(self._shape_of))
            shape_of = np.full(size, -1, np.int32)
            shape_of[: len(self._shape_of)] = self._shape_of
            row_of = np.zeros(size, np.int32)
            row_of[: len(self._row_of)] = self._row_of
            self._shape_of, self._row_of = shape_of, row_of
        for keys, (found, values) in decoded.items():
            number = self._shape_number.get(keys)
            if number is None:
                number = self._shape_number[keys] = len(self._shapes)
                self._shapes.append(Shape(keys, self._spill))
            first = self._shapes[number].extend(values, len(found))
            where = np.array(found, ID)
            self._shape_of[where] = number
            self._row_of[where] = np.arange(first, first + len(found), dtype=np.int32)
        self._held += count

    def _gather(self, ids: np.ndarray) -> DataSlice:
        shape_of = self._shape_of[ids]
        rows = self._row_of[ids]
        present = np.unique(shape_of).tolist()
        views = {number: self._shapes[number].view() for number in present}
        keys = sorted({key for view in views.values() for key in view.keys})
        return DataSlice(ids, StoredColumns(keys, shape_of, rows, views), self.memos)


def _decode(pairs: Iterable[tuple[int, str | bytes]], wanted: np.ndarray,
            batch: int | None = None
            ) -> Iterator[dict[tuple[str, ...], tuple[list[int], list[list[Any]]]]]:
    """Decoded objects grouped by shape, ``batch`` objects at a time: keys -> (ids,
    one list of values per key); last, the ``wanted`` ids ``pairs`` did not have, as
    empty objects. Equal short strings within one batch are kept once (an app name
    repeats in thousands of objects; long ones, titles and URLs, rarely repeat)."""
    batch = batch or DECODE_BATCH
    shapes: dict[tuple[str, ...], tuple[list[int], list[list[Any]]]] = {}
    strings: dict[str, str] = {}
    seen: list[np.ndarray] = []
    size = 0
    loads = orjson.loads
    for ident, text in pairs:
        data = loads(text)
        keys = tuple(data)
        entry = shapes.get(keys)
        if entry is None:
            entry = shapes[keys] = ([], [[] for _ in keys])
        entry[0].append(ident)
        for column, value in zip(entry[1], data.values()):
            if type(value) is str and len(value) <= 48:
                value = strings.setdefault(value, value)
            column.append(value)
        size += 1
        if size == batch:
            seen += [np.array(found, ID) for found, _ in shapes.values()]
            yield shapes
            shapes, strings, size = {}, {}, 0
    seen += [np.array(found, ID) for found, _ in shapes.values()]
    missing = np.setdiff1d(wanted, np.concatenate(seen)) if seen else wanted
    if len(missing):
        entry = shapes.setdefault((), ([], []))
        entry[0].extend(missing.tolist())
    if shapes:
        yield shapes
