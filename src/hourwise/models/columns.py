"""``KeyedColumns``: a mapping of data keys to value columns that are gathered when asked.

The store's ``StoredColumns`` (``hourwise.store.data_shapes``) and the query engine's
``JoinedColumns`` (``hourwise.transforms.columnar.table``) both answer
``take(key, positions)``; this base makes each a read-only mapping over its keys.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np


class KeyedColumns(Mapping[str, np.ndarray]):
    """Keys ``_keys``; ``self[key]`` is ``take(key, None)``, the whole column."""

    __slots__ = ("_keys",)
    _keys: list[str]

    def take(self, key: str, positions: Any) -> np.ndarray:
        raise NotImplementedError

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self._keys:
            raise KeyError(key)
        return self.take(key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys
