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

from collections.abc import Iterator, Sequence
from typing import Any, Union

import numpy as np
import orjson

from hourwise.models.missing import MISSING
from hourwise.transforms.split_url import URL_KEYS, url_part_values

__all__ = ["INT", "MISSING", "DataTable", "KeyedTable", "OverlayTable", "ProjectedTable",
           "SplitUrlTable", "Table"]

INT = np.int64


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

    def classes(self) -> np.ndarray:
        cached = getattr(self, "_classes", None)
        if cached is None:
            cached = self._classes = _classes(self)
        return cached


class KeyedTable:
    """Stored data objects in columns, as the store hands them out (its
    ``DataSlice``): entry ``i`` is stored data object ``data_ids[i]``, and
    ``columns[key][i]`` (an object array per key) its value for ``key``, ``MISSING``
    where it has none. Reading a key of many entries is one gather; a dict is built
    only when an entry is asked for whole. ``memos`` (the store's ``MemoBook``) keeps
    results computed per data id, such as categories, from one query to the next.
    Equal data ids are equal data: ``canonical`` when no id appears twice."""

    __slots__ = ("_classes", "canonical", "columns", "data_ids", "made_by", "memos")

    def __init__(self, data_ids: np.ndarray, columns: dict[str, np.ndarray],
                 memos: Any = None, *, canonical: bool = True):
        self.data_ids = data_ids
        self.columns = columns
        self.memos = memos
        self.canonical = canonical
        self.made_by = ""
        self._classes: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.data_ids)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return {key: value for key, column in self.columns.items()
                if (value := column[index]) is not MISSING}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self[index] for index in range(len(self.data_ids)))

    def values(self, key: str, refs: Sequence[int]) -> list[Any]:
        column = self.columns.get(key)
        if column is None:
            return [MISSING] * len(refs)
        return column[np.asarray(refs, np.intp)].tolist()

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
        keys = sorted({key for t in tables for key in t.columns})
        columns = {}
        for key in keys:
            parts = []
            for t in tables:
                column = t.columns.get(key)
                if column is None:
                    column = np.full(len(t.data_ids), MISSING, object)
                parts.append(column)
            columns[key] = np.concatenate(parts)
        distinct = len(np.unique(data_ids)) == len(data_ids)
        return cls(data_ids, columns, tables[0].memos, canonical=distinct)


class OverlayTable:
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
        return (self[index] for index in range(len(self.overlays)))

    def values(self, key: str, refs: Sequence[int]) -> list[Any]:
        if key not in self.keys:
            return self.base.values(key, _at(self.base_refs, refs))
        overlays = self.overlays
        return _or_base(self, key, refs, [overlays[ref].get(key, MISSING) for ref in refs])

    def classes(self) -> np.ndarray:
        if self._classes is None:
            self._classes = _classes(self)
        return self._classes


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


class SplitUrlTable:
    """Entries of ``base`` (at ``base_refs``) with the parts of their string ``url``
    added (``hourwise.transforms.split_url.url_parts``); ``urls[i]`` is entry ``i``'s
    URL, or None when it has no string one. A part is computed for every entry when
    first asked for, and kept: the web UI groups by ``$domain`` only, so the other
    five parts of a year of URLs are never built."""

    __slots__ = ("_classes", "_parts", "base", "base_refs", "canonical", "made_by", "urls")

    keys = frozenset(URL_KEYS)

    def __init__(self, base: Table, base_refs: np.ndarray, urls: list[str | None], *,
                 made_by: str = ""):
        self.base = base
        self.base_refs = base_refs
        self.urls = urls
        self.canonical = base.canonical
        self.made_by = made_by
        self._classes: np.ndarray | None = None
        self._parts: dict[str, list[Any]] = {}

    def __len__(self) -> int:
        return len(self.urls)

    def __getitem__(self, index: int) -> dict[str, Any]:
        data = self.base[int(self.base_refs[index])]
        url = self.urls[index]
        parts = None if url is None else url_part_values(url)
        return data if parts is None else {**data, **dict(zip(URL_KEYS, parts))}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self[index] for index in range(len(self.urls)))

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
                if len(todo):
                    urls = self.urls
                    computed = _url_part(key, [urls[i] for i in todo.tolist()])
                    codes[todo] = memo.remember(data_ids[todo], computed)
                values = memo.values
                found = [values[code] for code in codes.tolist()]
            else:
                found = _url_part(key, self.urls)
            self._parts[key] = found
        return found

    def values(self, key: str, refs: Sequence[int]) -> list[Any]:
        if key not in self.keys:
            return self.base.values(key, _at(self.base_refs, refs))
        part = self._part(key)
        return _or_base(self, key, refs, [part[ref] for ref in refs])

    def classes(self) -> np.ndarray:
        if self._classes is None:
            self._classes = _classes(self)
        return self._classes


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
        data = self.base[self.base_refs[index]]
        return {key: data[key] for key in self.keys if key in data}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self[index] for index in range(len(self.base_refs)))

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
