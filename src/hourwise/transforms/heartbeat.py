"""The heartbeat merge rule shared by the server and the watchers' client-side pre-merge.

A heartbeat H extends the last event L when both carry equal data and H begins no
earlier than L and no later than ``pulsetime`` after L ends::

    L  |==========|        (pulsetime)
    H        |=====|  ->   |=============|   merged: L's start and id, H's end
    H                    |==| (gap > pulsetime) -> no merge, H becomes a new event

The merged event never gets shorter than L: a heartbeat that ends inside L changes
nothing. A heartbeat older than L never merges (it becomes its own event).
"""

from __future__ import annotations

from collections.abc import Iterable

from hourwise.models import Event


def merge_heartbeat(
    last: Event, heartbeat: Event, pulsetime: int, *, same_data: bool | None = None
) -> Event | None:
    """The event ``last`` becomes when ``heartbeat`` merges into it, or None.

    ``pulsetime`` is in microseconds. ``same_data`` lets a caller that compared data
    hashes skip the deep comparison. Times are inclusive at both ends, as in
    ActivityWatch: a heartbeat exactly ``pulsetime`` after L's end still merges.
    """
    if same_data is None:
        same_data = last.data == heartbeat.data
    if not same_data or last.duration < 0:
        return None
    if not last.start <= heartbeat.start <= last.end + pulsetime:
        return None
    duration = max(last.duration, heartbeat.start - last.start + heartbeat.duration)
    return Event(last.id, last.start, duration, last.data)


def reduce_heartbeats(heartbeats: Iterable[Event], pulsetime: int) -> list[Event]:
    """Fold a sequence of heartbeats into events, left to right, with the merge rule."""
    out: list[Event] = []
    for heartbeat in heartbeats:
        merged = merge_heartbeat(out[-1], heartbeat, pulsetime) if out else None
        if merged is None:
            out.append(Event(heartbeat.id, heartbeat.start, heartbeat.duration, heartbeat.data))
        else:
            out[-1] = merged
    return out
