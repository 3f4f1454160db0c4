"""Stored event data, decoded once and kept in columns.

Each distinct data object is stored once (``event_data``) and read by many events; the
store keeps the ones it has read decoded, so that reads do not decode them again. A
year of desktop activity holds about 200,000 distinct data objects. As dicts they cost
about 400 bytes each (80 MB for the year); kept here as one row of their *shape* (the
tuple of their keys), with one column of values per key, they cost their values plus a
pointer per key. Reads of many events (the query engine's) then take the columns they
need with one gather per key, and never build a dict per data object.

``DataColumns`` also keeps *memos*: values computed from a data object by some fixed
function (``categorize``'s category for one rule set), by data id, forgotten together
with the data.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from typing import Any, NamedTuple

import numpy as np
import orjson

from hourwise.models.missing import MISSING

ID = np.int64
MAX_MEMOS = 8  # rule sets and URL parts remembered (then all forgotten at once)


class IdMemo:
    """Values by data id (``-1``: not known), each distinct value stored once: values
    that are the same object (``by_value=False``, for shared lists such as
    categories) or equal (``by_value=True``, for strings)."""

    def __init__(self, by_value: bool = False) -> None:
        self._lock = threading.Lock()
        self._codes = np.full(0, -1, np.int32)
        self.values: list[Any] = []
        self._by_value = by_value
        self._code_of: dict[Any, int] = {}

    def lookup(self, ids: np.ndarray) -> np.ndarray:
        """The code of each id's value (an index into ``values``), ``-1`` if unknown."""
        with self._lock:
            codes = self._codes
            found = np.full(len(ids), -1, np.int32)
            inside = ids < len(codes)
            found[inside] = codes[ids[inside]]
            return found

    def remember(self, ids: np.ndarray, values: list[Any]) -> np.ndarray:
        """Record ``values[i]`` as the value of ``ids[i]``; returns their codes."""
        with self._lock:
            codes = [self._code(value) for value in values]
            if len(ids):
                self._grow(int(ids.max()) + 1)
                self._codes[ids] = codes
            return np.array(codes, np.int32)

    def _code(self, value: Any) -> int:
        key = value if self._by_value else id(value)
        code = self._code_of.get(key)
        if code is None:
            code = self._code_of[key] = len(self.values)
            self.values.append(value)
        return code

    def _grow(self, size: int) -> None:
        if size > len(self._codes):
            grown = np.full(max(size, 2 * len(self._codes)), -1, np.int32)
            grown[: len(self._codes)] = self._codes
            self._codes = grown

    def forget(self, ids: np.ndarray) -> None:
        with self._lock:
            self._codes[ids[ids < len(self._codes)]] = -1


class MemoBook:
    """The memos of one store's data, by what they memoise (e.g. a rule set)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._memos: dict[Hashable, IdMemo] = {}

    def memo(self, key: Hashable, *, by_value: bool = False) -> IdMemo:
        """The memo for ``key`` (see ``IdMemo`` for ``by_value``)."""
        with self._lock:
            found = self._memos.get(key)
            if found is None:
                if len(self._memos) >= MAX_MEMOS:
                    self._memos.clear()
                found = self._memos[key] = IdMemo(by_value)
            return found

    def forget(self, ids: np.ndarray) -> None:
        with self._lock:
            memos = list(self._memos.values())
        for memo in memos:
            memo.forget(ids)

    def clear(self) -> None:
        with self._lock:
            self._memos.clear()


class DataSlice(NamedTuple):
    """Some stored data objects in columns: ``columns[key][i]`` is the value of ``key``
    in data object ``ids[i]``, ``MISSING`` where it has no such key. ``ids`` are
    distinct and ascending; ``columns`` are object arrays, keys in sorted order (the
    order of a stored object's keys)."""

    ids: np.ndarray
    columns: dict[str, np.ndarray]
    memos: MemoBook

    def dict_at(self, index: int) -> dict[str, Any]:
        """Data object ``ids[index]`` as a dict."""
        return {key: value for key, column in self.columns.items()
                if (value := column[index]) is not MISSING}


class _Shape:
    """Data objects with one tuple of keys: one growing object array per key."""

    __slots__ = ("columns", "keys", "size")

    def __init__(self, keys: tuple[str, ...]):
        self.keys = keys
        self.columns = [np.empty(16, object) for _ in keys]
        self.size = 0

    def extend(self, values: list[list[Any]], count: int) -> int:
        """Append ``count`` rows given as one list of values per key (in ``keys``
        order); returns the first one's row number."""
        first = self.size
        capacity = len(self.columns[0]) if self.columns else 0
        if self.columns and first + count > capacity:
            capacity = max(first + count, 2 * capacity)
            for j, column in enumerate(self.columns):
                grown = np.empty(capacity, object)
                grown[:first] = column[:first]
                self.columns[j] = grown
        for j, column in enumerate(self.columns):
            # fromiter keeps list and dict values whole (slice assignment would unpack them)
            column[first : first + count] = np.fromiter(
                values[j], object, count)
        self.size += count
        return first


class DataColumns:
    """Decoded data objects by id, as rows of per-shape columns (module docstring).

    Holds at most ``limit`` objects: adding more starts afresh (one read may still
    hold more than the limit while it runs). Thread-safe.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self.memos = MemoBook()
        self._lock = threading.Lock()
        self._forgotten = 0  # bumped by every forget: a read that raced one reads again
        self._start_afresh()

    def _start_afresh(self) -> None:
        self._shape_of = np.full(0, -1, np.int32)
        self._row_of = np.zeros(0, np.int32)
        self._shapes: list[_Shape] = []
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
            decoded = _decode(fetch(unknown.tolist()), unknown)
            with self._lock:
                if self._forgotten == forgotten:  # no delete raced the fetch
                    self._add(decoded, len(ids))
                    if not len(self._unknown(ids)):
                        return self._gather(ids)
        # Concurrent reads of more than the limit kept pushing each other's data out,
        # or deletes kept racing: read this one on its own.
        private = DataColumns(len(ids))
        private.memos = self.memos
        return private.slice(ids, fetch)

    def dicts(self, ids: Iterable[int],
              fetch: Callable[[list[int]], Iterable[tuple[int, str | bytes]]]
              ) -> dict[int, dict[str, Any]]:
        """The data objects ``ids`` as dicts, by id (one dict per distinct id)."""
        wanted = np.unique(np.fromiter(ids, ID))
        found = self.slice(wanted, fetch)
        return {ident: found.dict_at(i) for i, ident in enumerate(wanted.tolist())}

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

    def _add(self, decoded: dict[tuple[str, ...], tuple[list[int], list[list[Any]]]],
             wanted: int) -> None:
        """Hold newly decoded objects, for a read of ``wanted`` objects in all."""
        count = sum(len(found) for found, _ in decoded.values())
        if not count:
            return
        held_for_others = self._held - (wanted - count)  # held, not used by this read
        if self._held + count > self.limit and (wanted <= self.limit or held_for_others > 0):
            # Start afresh (memos stay: data ids keep their meaning); the read then
            # fetches again what it had. A read of more than the limit is held whole
            # (nothing else) until the next read pushes it out.
            self._start_afresh()
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
                self._shapes.append(_Shape(keys))
            first = self._shapes[number].extend(values, len(found))
            where = np.array(found, ID)
            self._shape_of[where] = number
            self._row_of[where] = np.arange(first, first + len(found), dtype=np.int32)
        self._held += count

    def _gather(self, ids: np.ndarray) -> DataSlice:
        shapes = self._shape_of[ids]
        rows = self._row_of[ids]
        present = np.unique(shapes).tolist()
        keys = sorted({key for number in present for key in self._shapes[number].keys})
        columns: dict[str, np.ndarray] = {}
        if len(present) == 1:  # the usual case: one bucket's data all have the same keys
            shape = self._shapes[present[0]]
            for key, column in zip(shape.keys, shape.columns):
                columns[key] = column[rows]
            columns = {key: columns[key] for key in keys}
        else:
            masks = {number: shapes == number for number in present}
            for key in keys:
                out = np.full(len(ids), MISSING, object)
                for number in present:
                    shape = self._shapes[number]
                    if key in shape.keys:
                        mask = masks[number]
                        out[mask] = shape.columns[shape.keys.index(key)][rows[mask]]
                columns[key] = out
        return DataSlice(ids, columns, self.memos)


def _decode(pairs: Iterable[tuple[int, str | bytes]], wanted: np.ndarray
            ) -> dict[tuple[str, ...], tuple[list[int], list[list[Any]]]]:
    """Decoded objects grouped by shape: keys -> (ids, one list of values per key).
    Equal short strings within one read are kept once (an app name repeats in
    thousands of objects; long ones, titles and URLs, rarely repeat)."""
    shapes: dict[tuple[str, ...], tuple[list[int], list[list[Any]]]] = {}
    strings: dict[str, str] = {}
    seen: set[int] = set()
    loads = orjson.loads
    for ident, text in pairs:
        data = loads(text)
        seen.add(ident)
        keys = tuple(data)
        entry = shapes.get(keys)
        if entry is None:
            entry = shapes[keys] = ([], [[] for _ in keys])
        entry[0].append(ident)
        for column, value in zip(entry[1], data.values()):
            if type(value) is str and len(value) <= 48:
                value = strings.setdefault(value, value)
            column.append(value)
    for ident in wanted.tolist():
        if ident not in seen:
            entry = shapes.setdefault((), ([], []))
            entry[0].append(ident)
    return shapes
