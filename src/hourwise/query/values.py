"""Run-time values of query2 and how they are checked and written out.

Values are plain Python: str, int, float, bool, None, list, dict, and event lists.
Query functions build ``EventFrame``s (events in columns); an ``EventList`` (a list of
``Event`` a function produced, so it needs no per-item type check) is the form functions
without a columnar implementation work on, and what ``materialize`` hands to Python
callers.
"""

from __future__ import annotations

from typing import Any

import orjson

from hourwise.models import Event
from hourwise.transforms.columnar.frame import EventFrame


class EventList(list):
    """A list of events built by a query function (never changed after it is built)."""

    __slots__ = ()


def type_name(value: Any) -> str:
    """How a value's type is named in error messages."""
    if isinstance(value, (EventList, EventFrame)):
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
    if isinstance(value, (EventList, EventFrame)):
        return True
    if not isinstance(value, list):
        return False
    return all(type(item) is Event for item in value)


def as_frame(value: list | EventFrame) -> EventFrame:
    """An event-list value in columns."""
    return value if type(value) is EventFrame else EventFrame.from_events(value)


def as_events(value: list | EventFrame) -> list[Event]:
    """An event-list value as ``Event`` objects."""
    return EventList(value.to_events()) if type(value) is EventFrame else value


def materialize(value: Any) -> Any:
    """``value`` with every ``EventFrame`` in it turned into an ``EventList``."""
    if type(value) is EventFrame:
        return EventList(value.to_events())
    if type(value) is list:
        return [materialize(item) for item in value]
    if type(value) is dict:
        return {key: materialize(item) for key, item in value.items()}
    return value


def _default(value: Any) -> Any:
    if isinstance(value, EventFrame):
        return value.to_json()
    if isinstance(value, Event):
        return value.to_json()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(value: Any) -> bytes:
    """JSON bytes for a query result (events in the ActivityWatch wire form)."""
    return orjson.dumps(value, default=_default)
