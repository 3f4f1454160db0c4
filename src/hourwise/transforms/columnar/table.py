"""The data side of an ``EventFrame``: a table of distinct data objects.

Two kinds: a ``DataTable`` is a list of dicts; an ``OverlayTable`` is another table's
entries with a few keys added (``split_url_events``' URL parts, ``categorize``'s
``$category``), stored as one shared dict of added keys per distinct value, so adding
keys to a year of browser data costs a reference per entry rather than a new dict.
Either answers ``values(key, refs)`` (one key of many entries, without building dicts)
and ``table[i]`` (the whole data object, built when asked).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Union

import numpy as np
import orjson

INT = np.int64


class _Missing:
    """The value of a key an entry does not have."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


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


class OverlayTable:
    """Entries of ``base`` (at ``base_refs``) each with the keys of one overlay dict
    added: entry ``i`` is ``{**base[base_refs[i]], **overlays[i]}``. ``keys`` are the
    keys any overlay may set. Equal-JSON entries stay distinct when the base's are."""

    __slots__ = ("_classes", "base", "base_refs", "canonical", "keys", "made_by", "overlays")

    def __init__(self, base: Table, base_refs: list[int], overlays: list[dict[str, Any]],
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
            base_refs = self.base_refs
            return self.base.values(key, [base_refs[ref] for ref in refs])
        overlays = self.overlays
        found = [overlays[ref].get(key, MISSING) for ref in refs]
        if any(value is MISSING for value in found):  # not set by every overlay
            base = self.base.values(key, [self.base_refs[ref] for ref in refs])
            found = [b if v is MISSING else v for v, b in zip(found, base)]
        return found

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


Table = Union[DataTable, OverlayTable, ProjectedTable]
