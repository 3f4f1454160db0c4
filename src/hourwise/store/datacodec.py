"""Canonical JSON for event data, and the bounded caches around it.

Two data objects are the same when their canonical JSON (sorted keys, no spaces) is the
same; its 128-bit BLAKE2b digest is the ``event_data.hash`` key.
"""

from __future__ import annotations

import hashlib
from itertools import islice
from typing import Any, Generic, TypeVar

import orjson

from hourwise.errors import InvalidInput

K = TypeVar("K")
V = TypeVar("V")


def canonical_json(data: dict[str, Any]) -> bytes:
    """Sorted-key compact JSON for a data object; refuses values JSON cannot carry."""
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError) as exc:
        raise InvalidInput(f"event data cannot be stored: {exc}") from None


def data_hash(canonical: bytes) -> bytes:
    """The 16-byte digest that identifies a canonical data object."""
    return hashlib.blake2b(canonical, digest_size=16).digest()


class BoundedCache(Generic[K, V]):
    """A dict that forgets its oldest half when it grows past ``limit`` entries.

    Cheaper than a true LRU on the hot path (a plain dict lookup), and the values it
    holds are all re-derivable from the database.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self._items: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        return self._items.get(key)

    def __setitem__(self, key: K, value: V) -> None:
        items = self._items
        if len(items) >= self.limit and key not in items:
            for old in list(islice(items, max(1, self.limit // 2))):
                del items[old]
        items[key] = value

    def pop(self, key: K) -> None:
        self._items.pop(key, None)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
