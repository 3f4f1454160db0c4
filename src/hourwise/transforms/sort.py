"""Ordering, slicing and totals of event lists."""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

from hourwise.models import Event

_start = attrgetter("start")  # C-level sort keys
_duration = attrgetter("duration")


def sort_by_timestamp(events: Sequence[Event]) -> list[Event]:
    """Oldest first; events with equal starts keep their order (stable)."""
    return sorted(events, key=_start)


def sort_by_duration(events: Sequence[Event]) -> list[Event]:
    """Longest first; events with equal durations keep their order (stable)."""
    return sorted(events, key=_duration, reverse=True)


def limit_events(events: Sequence[Event], count: int) -> list[Event]:
    """The first ``count`` events (Python slicing: a negative count drops from the end)."""
    return list(events[:count])


def sum_durations(events: Sequence[Event]) -> int:
    """Total duration in microseconds."""
    return sum(map(_duration, events))


def concat(*lists: Sequence[Event]) -> list[Event]:
    """The lists one after another, order kept."""
    out: list[Event] = []
    for events in lists:
        out.extend(events)
    return out
