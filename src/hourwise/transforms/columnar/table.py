"""The data side of an ``EventFrame``: a table of distinct data objects.

A ``DataTable`` is a list of dicts; a ``KeyedTable`` is stored data in columns, one per
key, as the store reads it; an ``OverlayTable`` is another table's entries with a few
keys added (``split_url_events``' URL parts, ``categorize``'s ``$category``), stored as
one shared dict of added keys per distinct value, so adding keys to a year of browser
data costs a reference per entry rather than a new dict; a ``ProjectedTable`` is
another table's entries cut down to some keys. Each answers ``values(key, refs)`` (one key of many entries, without building dicts)
and ``table[i]`` (the whole data object, built when asked).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Union

import numpy as np
import orjson

from hourwise.models.columns import KeyedColumns
from hourwise.models.missing import MISSING
from hourwise.models.value_prints import PRINT, OtherValues, group_numbers, value_prints
from hourwise.transforms.split_url import URL_KEYS, url_part_values

__all__ = ["INT", "MISSING", "DataTable", "KeyedTable", "OverlayTable", "ProjectedTable",
           "SplitUrlTable", "Table"]

INT = np.int64
# Entries from which KeyedTable.value_codes groups by fingerprint (a year of browser
# data has 100,000; a day, a thousand)
FINGERPRINT_FROM = 20_000


def _classes(table: Table) -> np.ndarray:
    """For each entry, the index of the first entry with the same canonical JSON."""
    if table.canonical:
        return np.arange(len(table), dtype=INT)
    first: dict[bytes, int] = {}
    dumps, option = orjson.dumps, orjson.OPT_SORT_KEYS
    return np.fromiter(
        (first.setdefault(dumps(data, option=option), index) for index, data in enumerate(table)),
        INT, len(table))


class DataTable(list):
    """The distinct data objects a frame's refs point into (a list; never changed).

    ``classes()`` numbers the entries so that entries with the same canonical JSON
    share a number: that is when two events "have the same data" for ``flood``.
    ``canonical`` marks a table whose entries are already distinct that way (the
    store's: one entry per stored data object). ``made_by`` names the rewrite that
    built the table, if any.
    """

    __slots__ = ("_classes", "canonical", "made_by")

    def __init__(self, items: Any = (), *, canonical: bool = False, made_by: str = ""):
        super().__init__(items)
        self.canonical = canonical
        self.made_by = made_by

    def values(self, key: str, refs: Sequence[int]) -> list[Any]:
        """``data[key]`` of the entries at ``refs`` (``MISSING`` where absent)."""
        return [self[ref].get(key, MISSING) for ref in refs]

    def rows(self, refs: Sequence[int]) -> list[dict[str, Any]]:
        """The entries at ``refs`` (as ``table[ref]`` each, read together)."""
        return [self[ref] for ref in refs]

    def classes(self) -> np.ndarray:
        cached = getattr(self, "_classes", None)
        if cached is None:
            cached = self._classes = _classes(self)
        return cached


class ArrayColumns(dict):
    """Columns given as object arrays by key, with the ``take`` of the store's
    ``StoredColumns``."""

    def take(self, key: str, positions: Any) -> np.ndarray:
        column = self[key]
        return column if positions is None else column[np.asarray(positions, np.intp)]

    def prints(self, key: str, positions: Any, others: OtherValues) -> np.ndarray:
        return value_prints(self.take(key, positions), others)


class JoinedColumns(KeyedColumns):
    """The columns of several tables one after another, gathered when asked."""

    def __init__(self, parts: Sequence[Any], lengths: Sequence[int]):
        self._parts = list(parts)
        self._ends = np.cumsum(lengths)
        self._keys = sorted({key for part in parts for key in part})

    def take(self, key: str, positions: Any) -> np.ndarray:
        ends = self._ends
        total = int(ends[-1]) if len(ends) else 0
        positions = (np.arange(total, dtype=np.intp) if positions is None
                     else np.asarray(positions, np.intp))
        out = np.full(len(positions), MISSING, object)
        return self._fill(out, key, positions, lambda part, at: part.take(key, at))

    def prints(self, key: str, positions: Any, others: OtherValues) -> np.ndarray:
        positions = np.asarray(positions, np.intp)
        out = np.empty(len(positions), PRINT)
        out[:] = others.print_of(MISSING)
        return self._fill(out, key, positions, lambda part, at: part.prints(key, at, others))

    def _fill(self, out: np.ndarray, key: str, positions: np.ndarray,
              read: Callable[[Any, np.ndarray], np.ndarray]) -> np.ndarray:
        """``out`` with each position that falls in a part holding ``key`` set to what
        ``read`` gives for it (positions counted within that part)."""
        ends = self._ends
        part_of = np.searchsorted(ends, positions, "right")
        for number, part in enumerate(self._parts):
            if key in part:
                at = np.flatnonzero(part_of == number)
                if len(at):
                    first = int(ends[number - 1]) if number else 0
                    out[at] = read(part, positions[at] - first)
        return out


class KeyedTable:
    """Stored data objects in columns, as the store hands them out (its
    ``DataSlice``): entry ``i`` is stored data object ``data_ids[i]``, and
    ``columns[key][i]`` its value for ``key``, ``MISSING`` where it has none.
    ``columns`` gathers on demand (``take``): reading a key of many entries is one
    gather, a dict is built only when an entry is asked for whole, and keys no
    function asks for are never read. ``memos`` (the store's ``MemoBook``) keeps
    results computed per data id, such as categories, from one query to the next.
    Equal data ids are equal data: ``canonical`` when no id appears twice."""

    __slots__ = ("_classes", "canonical", "columns", "data_ids", "made_by", "memos")

    def __init__(self, data_ids: np.ndarray, columns: Any,
                 memos: Any = None, *, canonical: bool = True):
        self.data_ids = data_ids
        self.columns = columns if hasattr(columns, "take") else ArrayColumns(columns)
        self.memos = memos
        self.canonical = canonical
        self.made_by = ""
        self._classes: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.data_ids)

    def __getitem__(self, index: int) -> dict[str, Any]:
        columns = self.columns
        return {key: value for key in columns
                if (value := columns.take(key, [index])[0]) is not MISSING}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows(range(len(self.data_ids))))

    def rows(self, refs: Sequence[int]) -> list[dict[str, Any]]:
        columns = [(key, self.columns.take(key, refs).tolist()) for key in self.columns]
        return [{key: value for key, column in columns if (value := column[i]) is not MISSING}
                for i in range(len(refs))]

    def values(self, key: str, refs: Sequence[int]) -> list[Any]:
        if key not in self.columns:
            return [MISSING] * len(refs)
        return self.columns.take(key, refs).tolist()

    def value_codes(self, keys: Sequence[str], refs: Any) -> np.ndarray | None:
        """For the entries at ``refs``, numbers equal where the values of ``keys`` are
        equal (by fingerprint, ``hourwise.models.value_prints``), without building the
        values; None where this cannot stand in for grouping by value: several keys
        and some entry lacks one (a missing key then drops out of the group's tuple),
        or too few entries for their values' memory to matter (the values are then
        quicker to group)."""
        if len(refs) < FINGERPRINT_FROM:
            return None
        others = OtherValues()
        prints = []
        missing = np.array([others.print_of(MISSING)], PRINT)[0]
        for key in keys:
            if key in self.columns:
                found = self.columns.prints(key, refs, others)
            else:
                found = np.full(len(refs), missing, PRINT)
            if len(keys) > 1 and bool((found == missing).any()):
                return None
            prints.append(found)
        return group_numbers(prints)

    def classes(self) -> np.ndarray:
        if self._classes is None:
            if self.canonical:
                self._classes = np.arange(len(self.data_ids), dtype=INT)
            else:  # the first entry with each data id
                _, first, inverse = np.unique(self.data_ids, return_index=True,
                                              return_inverse=True)
                self._classes = first.astype(INT)[inverse]
        return self._classes

    @classmethod
    def joined(cls, tables: Sequence[KeyedTable]) -> KeyedTable:
        """The entries of ``tables`` one after another."""
        data_ids = np.concatenate([t.data_ids for t in tables])
        columns = JoinedColumns([t.columns for t in tables], [len(t) for t in tables])
        distinct = len(np.unique(data_ids)) == len(data_ids)
        return cls(data_ids, columns, tables[0].memos, canonical=distinct)


class _AddingTable:
    """What the tables that add keys to a base table's entries (``OverlayTable``,
    ``SplitUrlTable``: ``base``, ``base_refs``, the added ``keys``) share."""

    __slots__ = ()
    base: Table
    base_refs: np.ndarray
    keys: frozenset[str]
    _classes: np.ndarray | None

    def value_codes(self, keys: Sequence[str], refs: Any) -> np.ndarray | None:
        """The base's ``value_codes``, for keys this table does not add (else None)."""
        finder = getattr(self.base, "value_codes", None)
        if finder is None or any(key in self.keys for key in keys):
            return None
        return finder(keys, self.base_refs[np.asarray(refs, np.intp)])

    def classes(self) -> np.ndarray:
        if self._classes is None:
            self._classes = _classes(self)
        return self._classes


class OverlayTable(_AddingTable):
    """Entries of ``base`` (at ``base_refs``) each with the keys of one overlay dict
    added: entry ``i`` is ``{**base[base_refs[i]], **overlays[i]}``. ``keys`` are the
    keys any overlay may set. Equal-JSON entries stay distinct when the base's are."""

    __slots__ = ("_classes", "base", "base_refs", "canonical", "keys", "made_by", "overlays")

    def __init__(self, base: Table, base_refs: np.ndarray, overlays: list[dict[str, Any]],
                 keys: frozenset[str], *, made_by: str = ""):
        self.base = base
        self.base_refs = base_refs
        self.overlays = overlays
        self.keys = keys
        self.canonical = base.canonical
        self.made_by = made_by
        self._classes: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.overlays)

    def __getitem__(self, index: int) -> dict[str, Any]:
        data = self.base[self.base_refs[index]]
        overlay = self.overlays[index]
        return {**data, **overlay} if overlay else data

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows(range(len(self.overlays))))

    def rows(self, refs: Sequence[int]) -> list[dict[str, Any]]:
        overlays = self.overlays
        return [{**data, **overlay} if (overlay := overlays[ref]) else data
                for ref, data in zip(refs, self.base.rows(_at(self.base_refs, refs)))]

    def values(self, key: str, refs: Sequence[int]) -> list[Any]:
        if key not in self.keys:
            return self.base.values(key, _at(self.base_refs, refs))
        overlays = self.overlays
        return _or_base(self, key, refs, [overlays[ref].get(key, MISSING) for ref in refs])


def _at(base_refs: np.ndarray, refs: Sequence[int]) -> list[int]:
    return base_refs[np.asarray(refs, np.intp)].tolist()


def _or_base(table: Any, key: str, refs: Sequence[int], found: list[Any]) -> list[Any]:
    """``found`` (a table's added values at ``refs``), with the base entry's own value
    wherever nothing was added."""
    if any(value is MISSING for value in found):
        base = table.base.values(key, _at(table.base_refs, refs))
        found = [b if v is MISSING else v for v, b in zip(found, base)]
    return found


_REPEATING_PARTS = frozenset(["$protocol", "$domain"])
_URLS_AT_ONCE = 16384


def _url_part(key: str, urls: Sequence[str | None]) -> list[Any]:
    """Part ``key`` of each URL (``MISSING`` for None or an unparseable URL)."""
    position = URL_KEYS.index(key)
    same: dict[str, str] = {}  # one string per distinct value (domains repeat)
    found = []
    for url in urls:
        parts = None if url is None else url_part_values(url)
        if parts is None:
            found.append(MISSING)
        else:
            value = parts[position]
            found.append(same.setdefault(value, value))
    return found


class SplitUrlTable(_AddingTable):
    """Entries of ``base`` (at ``base_refs``) with the parts of their string ``url``
    added (``hourwise.transforms.split_url.url_parts``). A part is computed for every
    entry when first asked for, and kept: the web UI groups by ``$domain`` only, so the
    other five parts of a year of URLs are never built, and where the domains are
    remembered by data id the URLs are not even read."""

    __slots__ = ("_classes", "_parts", "base", "base_refs", "canonical", "made_by")

    keys = frozenset(URL_KEYS)

    def __init__(self, base: Table, base_refs: np.ndarray, *, made_by: str = ""):
        self.base = base
        self.base_refs = base_refs
        self.canonical = base.canonical
        self.made_by = made_by
        self._classes: np.ndarray | None = None
        self._parts: dict[str, list[Any]] = {}

    def __len__(self) -> int:
        return len(self.base_refs)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return _with_url_parts(self.base[int(self.base_refs[index])])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows(range(len(self.base_refs))))

    def rows(self, refs: Sequence[int]) -> list[dict[str, Any]]:
        return [_with_url_parts(data) for data in self.base.rows(_at(self.base_refs, refs))]

    def _urls(self, positions: Any) -> list[str | None]:
        """The string URL of the entries at ``positions`` (None where there is none)."""
        return [url if isinstance(url, str) else None
                for url in self.base.values("url", _at(self.base_refs, positions))]

    def _part(self, key: str) -> list[Any]:
        found = self._parts.get(key)
        if found is None:
            memos = getattr(self.base, "memos", None)
            if memos is not None and key in _REPEATING_PARTS:
                # Stored data: remembered by data id from one query to the next (the
                # parts that repeat; a URL's own path would cost a string per URL).
                memo = memos.memo(("url part", key), by_value=True)
                data_ids = self.base.data_ids[self.base_refs]
                codes = memo.lookup(data_ids)
                todo = np.flatnonzero(codes < 0)
                for lo in range(0, len(todo), _URLS_AT_ONCE):  # a year of URLs: in slices
                    some = todo[lo : lo + _URLS_AT_ONCE]
                    computed = _url_part(key, self._urls(some))
                    codes[some] = memo.remember(data_ids[some], computed)
                values = memo.values
                found = [values[code] for code in codes.tolist()]
            else:
                found = _url_part(key, self._urls(np.arange(len(self.base_refs))))
            self._parts[key] = found
        return found

    def values(self, key: str, refs: Sequence[int]) -> list[Any]:
        if key not in self.keys:
            return self.base.values(key, _at(self.base_refs, refs))
        part = self._part(key)
        return _or_base(self, key, refs, [part[ref] for ref in refs])


def _with_url_parts(data: dict[str, Any]) -> dict[str, Any]:
    url = data.get("url")
    parts = url_part_values(url) if isinstance(url, str) else None
    return data if parts is None else {**data, **dict(zip(URL_KEYS, parts))}


class ProjectedTable:
    """Entries of ``base`` (at ``base_refs``) cut down to ``keys`` (those each has):
    ``merge_events_by_keys``' groups. Built when asked, as the web UI keeps only the
    first hundred groups of many thousands. Entries are distinct (one per group)."""

    __slots__ = ("_classes", "base", "base_refs", "canonical", "keys", "made_by")

    def __init__(self, base: Table, base_refs: list[int], keys: Sequence[str]):
        self.base = base
        self.base_refs = base_refs
        self.keys = list(keys)
        self.canonical = False
        self.made_by = ""
        self._classes: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.base_refs)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self.rows([index])[0]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows(range(len(self.base_refs))))

    def rows(self, refs: Sequence[int]) -> list[dict[str, Any]]:
        """Only the kept keys are read from the base."""
        base_refs = [self.base_refs[ref] for ref in refs]
        columns = [(key, self.base.values(key, base_refs)) for key in self.keys]
        return [{key: value for key, column in columns if (value := column[i]) is not MISSING}
                for i in range(len(base_refs))]

    def values(self, key: str, refs: Sequence[int]) -> list[Any]:
        if key not in self.keys:
            return [MISSING] * len(refs)
        base_refs = self.base_refs
        return self.base.values(key, [base_refs[ref] for ref in refs])

    def classes(self) -> np.ndarray:
        if self._classes is None:
            self._classes = _classes(self)
        return self._classes


Table = Union[DataTable, KeyedTable, OverlayTable, SplitUrlTable, ProjectedTable]
