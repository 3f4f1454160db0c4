"""Rewriting event data once per distinct data object."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hourwise.models import Event

Data = dict[str, Any]


def map_data(
    events: Sequence[Event],
    rewrite: Callable[[Data], Data],
    tick: Callable[[], None] | None = None,
) -> list[Event]:
    """The events with ``rewrite(data)`` as their data, computed once per data object.

    Equal data read from the store is one shared dict, so a year of window events holds
    only tens of thousands of distinct data objects: this is what lets ``categorize`` run
    its regexes once per window title rather than once per event. ``rewrite`` must not
    change its argument; returning it unchanged passes the event through as it is.
    ``tick`` (the query time limit's check) is called every 1024 distinct objects.
    """
    memo: dict[int, Data] = {}
    out: list[Event] = []
    append = out.append
    for event in events:
        data = event.data
        new = memo.get(id(data))
        if new is None:
            new = memo[id(data)] = rewrite(data)
            if tick is not None and not len(memo) & 1023:
                tick()
        append(event if new is data else Event(event.id, event.start, event.duration, new))
    return out
