"""Memos of stored data: values computed from a data object by some fixed function
(``categorize``'s category for one rule set, a URL's domain), by data id, so a query
over data read before computes nothing again. Forgotten together with the data
(``hourwise.store.data_columns``)."""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any

import numpy as np

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
