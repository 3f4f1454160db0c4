"""Grouping events by data values: ``merge_events_by_keys`` and ``chunk_events_by_key``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hourwise.models import Event
from hourwise.models.value_prints import freeze

_MISSING = object()  # the group of events without the (single) key


def _group_key(data: dict[str, Any], keys: Sequence[str]) -> tuple:
    key: list[Any] = []
    for name in keys:
        if name in data:
            value = data[name]
            if isinstance(value, (list, dict)):
                value = freeze(value)
            key.append(value)
    return tuple(key)


def merge_events_by_keys(events: Sequence[Event], keys: Sequence[str]) -> list[Event]:
    """One event per distinct combination of the values of ``keys``, durations summed.

    Each result starts when the first event of its group (in input order) starts and
    carries only the grouped keys. As in aw-core, an event lacking some keys is grouped
    by the values of the keys it has, and ``keys=[]`` returns the input unchanged.
    List values (such as ``$category``) group by their contents.
    """
    if not keys:
        return list(events)
    # Events share their data objects (the store decodes each distinct one once): sum
    # per data object in one pass over the events, then combine objects into groups.
    totals: dict[int, int] = {}
    firsts: dict[int, Event] = {}  # in order of first appearance
    for event in events:
        ident = id(event.data)
        total = totals.get(ident)
        if total is None:
            totals[ident] = event.duration
            firsts[ident] = event
        else:
            totals[ident] = total + event.duration
    group_total: dict[Any, int] = {}
    group_first: dict[Any, Event] = {}
    single = keys[0] if len(keys) == 1 else None
    for ident, first in firsts.items():
        data = first.data
        if single is not None:
            # one key: the value itself stands for the 1-tuple (same equality)
            group = data.get(single, _MISSING)
            if isinstance(group, (list, dict)):
                group = freeze(group)
        else:
            group = _group_key(data, keys)
        known = group_total.get(group)
        if known is None:
            group_total[group] = totals[ident]
            group_first[group] = first
        else:
            group_total[group] = known + totals[ident]
    out: list[Event] = []
    for group, first in group_first.items():
        data = first.data
        out.append(Event(None, first.start, group_total[group], {k: data[k] for k in keys if k in data}))
    return out


def chunk_events_by_key(events: Sequence[Event], key: str, pulsetime: int = 5_000_000) -> list[Event]:
    """Merge runs of neighbouring events with the same ``data[key]``.

    A run continues while the value stays the same and the gap since the previous event
    (in input order) is under ``pulsetime`` µs. Each result has data
    ``{key: value, "subevents": [the merged events]}`` and the summed duration. As in
    aw-core, chunking stops at the first event that lacks ``key``.
    """
    out: list[Event] = []
    previous: Event | None = None
    current: Event | None = None
    for event in events:
        data = event.data
        if key not in data:
            break
        value = data[key]
        if (
            current is not None
            and previous is not None
            and current.data[key] == value
            and event.start - (previous.start + previous.duration) < pulsetime
        ):
            current.duration += event.duration
            current.data["subevents"].append(event)
        else:
            current = Event(None, event.start, event.duration, {key: value, "subevents": [event]})
            out.append(current)
        previous = event
    return out
