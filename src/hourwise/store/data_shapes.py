"""Decoded data objects of one shape (one tuple of keys) in columns, and the view of
them a query reads (``StoredColumns``), for ``hourwise.store.data_columns``.

Long strings, and strings a read has only a few times, are not kept in the columns but
written to the store's spill file (``hourwise.store.spill``) and read back, or
fingerprinted from their bytes (``hourwise.models.value_prints``), when a function asks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from hourwise.models.columns import KeyedColumns
from hourwise.models.missing import MISSING
from hourwise.models.value_prints import (
    PRINT,
    OtherValues,
    PrintList,
    string_print,
    value_prints,
)
from hourwise.store.spill import SpillFile


class ShapeView(NamedTuple):
    """A ``Shape``'s arrays as a slice found them (rows are only ever appended)."""

    keys: tuple[str, ...]
    columns: list[np.ndarray]
    spilled: list[np.ndarray | None]
    spill: SpillFile | None

    def take(self, key: str, rows: np.ndarray) -> np.ndarray:
        j = self.keys.index(key)
        out = self.columns[j][rows]
        where = self.spilled[j]
        if where is not None and self.spill is not None:
            found = where[rows]
            at = np.flatnonzero(found >= 0)
            if len(at):
                out[at] = _read_spilled(self.spill, found[at], _decoded)
        return out

    def prints(self, key: str, rows: np.ndarray, others: OtherValues) -> np.ndarray:
        """Fingerprints of the values (``hourwise.models.value_prints``); long strings
        are fingerprinted from their bytes in the spill file, never decoded."""
        j = self.keys.index(key)
        values = self.columns[j][rows]
        where = self.spilled[j]
        at = np.empty(0, np.intp)
        if where is not None and self.spill is not None:
            found = where[rows]
            at = np.flatnonzero(found >= 0)
        if not len(at):
            return value_prints(values, others)
        out = np.empty(len(rows), PRINT)
        inline = np.ones(len(rows), bool)
        inline[at] = False
        out[inline] = value_prints(values[inline], others)
        out[at] = _spilled_prints(self.spill, found[at])
        return out


class StoredColumns(KeyedColumns):
    """A ``DataSlice``'s columns: ``self[key]`` (or ``take(key, positions)``, some of
    its entries) gathers the values from the store's shapes when asked, reading long
    strings back from the spill file. Nothing is kept: a query that never looks at
    titles never has a year of them in memory."""

    __slots__ = ("_rows", "_shape_of", "_views")

    def __init__(self, keys: list[str], shape_of: np.ndarray, rows: np.ndarray,
                 views: dict[int, ShapeView]):
        self._keys = keys
        self._shape_of = shape_of
        self._rows = rows
        self._views = views

    def take(self, key: str, positions: Any) -> np.ndarray:
        """The values of ``key`` at ``positions`` (all when None), ``MISSING`` where
        an object has no such key."""
        if positions is None:
            shape_of, rows = self._shape_of, self._rows
        else:
            positions = np.asarray(positions, np.intp)
            shape_of, rows = self._shape_of[positions], self._rows[positions]
        views = self._views
        if len(views) == 1:  # the usual case: one bucket's data all have the same keys
            view = next(iter(views.values()))
            if key in view.keys:
                return view.take(key, rows)
            return np.full(len(rows), MISSING, object)
        out = np.full(len(rows), MISSING, object)
        for number, view in views.items():
            if key in view.keys:
                mask = shape_of == number
                if mask.any():
                    out[mask] = view.take(key, rows[mask])
        return out

    def prints(self, key: str, positions: Any, others: OtherValues) -> np.ndarray:
        """Fingerprints of ``take(key, positions)``, without building long strings."""
        positions = np.asarray(positions, np.intp)
        shape_of, rows = self._shape_of[positions], self._rows[positions]
        out = np.empty(len(rows), PRINT)
        out[:] = others.print_of(MISSING)
        for number, view in self._views.items():
            if key in view.keys:
                mask = shape_of == number
                if mask.any():
                    out[mask] = view.prints(key, rows[mask], others)
        return out


class Shape:
    """Data objects with one tuple of keys: one growing object array per key. Long
    strings (titles, URLs) go to the spill file: ``spilled[j]`` then holds, per row,
    where its value of key ``j`` is (``_place``), or -1 where it is in ``columns[j]``."""

    __slots__ = ("columns", "keys", "size", "spill", "spilled")

    def __init__(self, keys: tuple[str, ...], spill: SpillFile | None):
        self.keys = keys
        self.columns = [np.empty(16, object) for _ in keys]
        self.spilled: list[np.ndarray | None] = [None for _ in keys]
        self.spill = spill
        self.size = 0

    def view(self) -> ShapeView:
        return ShapeView(self.keys, list(self.columns), list(self.spilled), self.spill)

    def extend(self, values: list[list[Any]], count: int) -> int:
        """Append ``count`` rows given as one list of values per key (in ``keys``
        order; the lists are used up); returns the first one's row number."""
        first = self.size
        capacity = len(self.columns[0]) if self.columns else 0
        if self.columns and first + count > capacity:
            # a quarter more each time: a year of data is held with little to spare
            capacity = max(first + count, capacity + capacity // 4)
            for j, column in enumerate(self.columns):
                grown = np.empty(capacity, object)
                grown[:first] = column[:first]
                self.columns[j] = grown
                where = self.spilled[j]
                if where is not None:
                    self.spilled[j] = np.full(capacity, -1, np.int64)
                    self.spilled[j][:first] = where[:first]
        for j, column in enumerate(self.columns):
            if self.spill is not None:
                self._spill_long(j, values[j], first, capacity)
            # fromiter keeps list and dict values whole (slice assignment would unpack them)
            column[first : first + count] = np.fromiter(values[j], object, count)
        self.size += count
        return first

    def _spill_long(self, j: int, values: list[Any], first: int, capacity: int) -> None:
        """Write the long strings among ``values`` to the spill file, leaving None."""
        # Long strings, and strings of some length this read has only a few times: kept
        # here, their objects would stay scattered among the read's short-lived ones
        # and keep the memory those used from going back to the system.
        seen = Counter(value for value in values
                       if type(value) is str and SHORT_LENGTH < len(value) <= SPILL_LENGTH)
        long = [i for i, value in enumerate(values)
                if type(value) is str and (len(value) > SPILL_LENGTH
                                           or 0 < seen[value] < COMMON_COUNT)]
        if not long:
            return
        encoded = [values[i].encode("utf-8", "surrogatepass") for i in long]
        offset = self.spill.put(b"".join(encoded))  # type: ignore[union-attr]
        if offset is None:
            return  # kept in memory
        sizes = np.fromiter(map(len, encoded), np.int64, len(encoded))
        starts = np.cumsum(sizes) - sizes + offset
        where = self.spilled[j]
        if where is None:
            where = self.spilled[j] = np.full(capacity, -1, np.int64)
        where[np.array(long, np.intp) + first] = _place(starts, sizes)
        for i in long:
            values[i] = None


_SIZE_BITS = 24  # a spilled string is at most 16 MiB (the request body limit is lower)


def _place(offsets: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Offset and size of spilled strings in one int64 each."""
    return (offsets << _SIZE_BITS) | sizes


def _decoded(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def _spilled_prints(spill: SpillFile, places: np.ndarray) -> np.ndarray:
    """The fingerprints of the strings at ``places``, from their bytes."""
    order = np.argsort(places >> _SIZE_BITS, kind="stable")
    prints = PrintList()
    _read_spilled(spill, places[order], string_print, prints)
    out = np.empty(len(places), PRINT)
    out[order] = prints.array()
    return out


def _read_spilled(spill: SpillFile, places: np.ndarray, convert: Callable[[bytes], Any],
                  into: Any = None) -> list[Any]:
    """``convert(bytes)`` of the strings at ``places`` (see ``_place``), reading nearby
    ones together; appended to ``into`` if given (``places`` then in file order)."""
    offsets = places >> _SIZE_BITS
    sizes = places & ((1 << _SIZE_BITS) - 1)
    order = np.argsort(offsets, kind="stable")
    found: list[Any] = [None] * len(places) if into is None else []
    starts = offsets[order].tolist()
    ends = (offsets[order] + sizes[order]).tolist()
    positions = order.tolist()
    i = 0
    while i < len(positions):
        low = starts[i]
        j = i + 1
        while j < len(positions) and ends[j] - low <= _READ_SPAN:
            j += 1
        high = max(ends[i:j])
        data = spill.read(low, high - low)
        if into is not None:
            for k in range(i, j):
                into.append(convert(data[starts[k] - low : ends[k] - low]))
        else:
            for k in range(i, j):
                found[positions[k]] = convert(data[starts[k] - low : ends[k] - low])
        i = j
    return found


SPILL_LENGTH = 48  # strings longer than this are spilled (titles, URLs; not app names)
SHORT_LENGTH = 8  # ... and strings longer than this that a read has fewer than
COMMON_COUNT = 32  # this many times (app names and states stay)
_READ_SPAN = 1 << 20  # bytes of spill file read at once
