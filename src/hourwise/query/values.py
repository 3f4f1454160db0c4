"""Run-time values of query2 and how they are checked and written out.

Values are plain Python: str, int, float, bool, None, list, dict, and ``EventList`` (a
list of ``Event`` that functions produced, so it needs no per-item type check).
"""

from __future__ import annotations

from typing import Any

import orjson

from hourwise.models import Event


class EventList(list):
    """A list of events built by a query function (never changed after it is built)."""

    __slots__ = ()


def type_name(value: Any) -> str:
    """How a value's type is named in error messages."""
    if isinstance(value, EventList):
        return "a list of events"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a dict"
    if isinstance(value, Event):
        return "an event"
    return type(value).__name__


def is_event_list(value: Any) -> bool:
    if isinstance(value, EventList):
        return True
    if not isinstance(value, list):
        return False
    return all(type(item) is Event for item in value)


def _default(value: Any) -> Any:
    if isinstance(value, Event):
        return value.to_json()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(value: Any) -> bytes:
    """JSON bytes for a query result (events in the ActivityWatch wire form)."""
    return orjson.dumps(value, default=_default)
