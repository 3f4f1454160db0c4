"""Fingerprints of data values, for grouping events without building the values.

Shared by the store (which fingerprints long strings from their bytes on disk) and
the query engine (which groups by them); ``freeze`` is the grouping rule for lists and
dicts everywhere.

``merge_events_by_keys`` groups a year of browser events by URL or title: 100,000
distinct strings, which the store keeps on disk (``hourwise.store.data_columns``).
Decoding them all and counting them in a dict costs tens of megabytes at once; their
fingerprints cost 16 bytes each. A string's fingerprint is its UTF-8 bytes' SipHash
(Python's ``hash``, keyed afresh by every process) and CRC-32: 96 bits, so that two
different strings among a million share one with a probability of about 10^-17. Other
values (numbers, None, lists, a missing key) are few and short: they are numbered by
Python equality (``1``, ``1.0`` and ``true`` are one group, as in ``dict`` keys and in
aw-core), the same way across every part of one grouping (``OtherValues``).
"""

from __future__ import annotations

import zlib
from array import array
from typing import Any

import numpy as np


def freeze(value: Any) -> Any:
    """A hashable stand-in for a JSON value: lists become tuples, dicts sorted pairs."""
    if isinstance(value, list):
        return tuple(freeze(item) for item in value)
    if isinstance(value, dict):
        return ("\x00dict", tuple(sorted((k, freeze(v)) for k, v in value.items())))
    return value


PRINT = np.dtype([("high", np.uint64), ("low", np.uint64)])
_M64 = (1 << 64) - 1
_OTHER = 1 << 63  # set in ``low`` of values that are not strings (a CRC is 32 bits)


def string_print(data: bytes) -> tuple[int, int]:
    """The fingerprint of a string's UTF-8 bytes, as (high, low)."""
    return hash(data) & _M64, zlib.crc32(data)


class OtherValues:
    """Numbers for the values that are not strings, by Python equality."""

    def __init__(self) -> None:
        self._numbers: dict[Any, int] = {}

    def print_of(self, value: Any) -> tuple[int, int]:
        try:
            number = self._numbers.setdefault(value, len(self._numbers))
        except TypeError:  # a list or dict: by content
            number = self._numbers.setdefault(freeze(value), len(self._numbers))
        return number, _OTHER


def value_prints(values: Any, others: OtherValues) -> np.ndarray:
    """The fingerprints (``PRINT``) of some values (an object array or a list)."""
    seen: dict[int, tuple[int, int]] = {}  # by identity: repeated values are shared
    prints = PrintList()
    for value in values:
        found = seen.get(id(value))
        if found is None:
            if type(value) is str:
                found = string_print(value.encode("utf-8", "surrogatepass"))
            else:
                found = others.print_of(value)
            seen[id(value)] = found
        prints.append(found)
    return prints.array()


class PrintList:
    """Fingerprints collected one by one, 16 bytes each (not as Python tuples)."""

    def __init__(self) -> None:
        self.high = array("Q")
        self.low = array("Q")

    def append(self, found: tuple[int, int]) -> None:
        self.high.append(found[0])
        self.low.append(found[1])

    def array(self) -> np.ndarray:
        out = np.empty(len(self.high), PRINT)
        out["high"] = np.frombuffer(self.high, np.uint64) if len(self.high) else 0
        out["low"] = np.frombuffer(self.low, np.uint64) if len(self.low) else 0
        return out


def group_numbers(columns: list[np.ndarray]) -> np.ndarray:
    """For rows of fingerprints (one ``PRINT`` array per key), a number per row, equal
    for rows whose fingerprints are all equal (one sort of the rows)."""
    count = len(columns[0])
    if not count:
        return np.empty(0, np.int64)
    parts = [part for column in columns for part in (column["low"], column["high"])]
    order = np.lexsort(parts)  # the last part is the primary key
    new_group = np.zeros(count, bool)
    for part in parts:
        ranked = part[order]
        new_group[1:] |= ranked[1:] != ranked[:-1]
    del ranked
    numbers = np.empty(count, np.int64)
    numbers[order] = np.cumsum(new_group)
    return numbers
