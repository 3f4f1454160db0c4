"""Keep or drop events by the value of one data key.

Each predicate runs once per distinct data object or string, not once per event:
events read from the store share their data dicts, and regexes are memoised per value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from hourwise.models import Event


class _Membership:
    """``value in values`` with Python's equality, hashed where the values allow it."""

    def __init__(self, values: Iterable[Any]):
        self.hashed: set[Any] = set()
        self.unhashable: list[Any] = []
        for value in values:
            try:
                self.hashed.add(value)
            except TypeError:
                self.unhashable.append(value)

    def __contains__(self, value: Any) -> bool:
        try:
            if value in self.hashed:
                return True
        except TypeError:
            pass
        return value in self.unhashable if self.unhashable else False


def _matching(events: Sequence[Event], key: str, values: Sequence[Any]) -> list[bool]:
    members = _Membership(values)
    memo: dict[int, bool] = {}
    out: list[bool] = []
    for event in events:
        data = event.data
        hit = memo.get(id(data))
        if hit is None:
            hit = memo[id(data)] = key in data and data[key] in members
        out.append(hit)
    return out


def filter_keyvals(events: Sequence[Event], key: str, values: Sequence[Any]) -> list[Event]:
    """Events whose ``data[key]`` equals one of ``values`` (Python equality: 1 == 1.0).

    Events without ``key`` are dropped. Order is kept.
    """
    return [event for event, hit in zip(events, _matching(events, key, values)) if hit]


def exclude_keyvals(events: Sequence[Event], key: str, values: Sequence[Any]) -> list[Event]:
    """The events ``filter_keyvals`` would drop: those without ``key`` are kept."""
    return [event for event, hit in zip(events, _matching(events, key, values)) if not hit]


def filter_keyvals_regex(events: Sequence[Event], key: str, pattern: re.Pattern[str]) -> list[Event]:
    """Events whose ``data[key]`` is a string the regex matches anywhere (a search).

    Non-string values never match (aw-core raises on them instead).
    """
    search = pattern.search
    by_value: dict[str, bool] = {}
    by_data: dict[int, bool] = {}
    out: list[Event] = []
    for event in events:
        data = event.data
        hit = by_data.get(id(data))
        if hit is None:
            value = data.get(key)
            if isinstance(value, str):
                hit = by_value.get(value)
                if hit is None:
                    hit = by_value[value] = search(value) is not None
            else:
                hit = False
            by_data[id(data)] = hit
        if hit:
            out.append(event)
    return out
