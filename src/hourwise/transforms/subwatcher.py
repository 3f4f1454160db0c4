"""Enrich base events (window, AFK-filtered) with fields from a subwatcher's events."""

from __future__ import annotations

import copy
from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate

from hourwise.models import Event
from hourwise.transforms.period import intersection

CONFLICT_MODES = ("base_wins", "sub_wins")


def merge_subwatcher_fields(
    base_events: Sequence[Event],
    sub_events: Sequence[Event],
    keys: Sequence[str],
    conflict: str = "base_wins",
) -> list[Event]:
    """Split each base event where overlapping subwatcher events begin or end, and copy
    ``keys`` from the subwatcher event covering each piece::

        base    |==============|        (app=Code)
        sub        |~~~~|  |~~|         (file=a.py, file=b.py)
        result  |==|~~~~|==|~~|=|       (pieces carry file=a.py / b.py where covered)

    The result covers exactly the time of ``base_events``. Where several subwatcher
    events cover a piece, the one that started last wins. With ``base_wins`` (default)
    a key the base event already has is kept; ``sub_wins`` overwrites it. Neighbouring
    pieces with equal data are joined again.
    """
    if conflict not in CONFLICT_MODES:
        raise ValueError(f"conflict must be 'base_wins' or 'sub_wins', got {conflict!r}")
    if not sub_events or not keys:
        return list(base_events)
    subs = sorted(sub_events, key=lambda e: e.start)
    sub_starts = [e.start for e in subs]
    # Running maximum of end times: subs before the first index whose running maximum
    # passes a base's start all end before it and can be skipped.
    running_end = list(accumulate((e.start + e.duration for e in subs), max))
    out: list[Event] = []
    for base in base_events:
        b_start, b_end = base.start, base.start + base.duration
        first = bisect_left(running_end, b_start + 1)
        last = bisect_left(sub_starts, b_end)
        overlapping: list[tuple[Event, int, int]] = []
        boundaries = {b_start, b_end}
        for sub in subs[first:last]:
            s_start, s_end = sub.start, sub.start + sub.duration
            if s_end <= b_start:
                continue
            shared = intersection(b_start, b_end, s_start, s_end)
            if shared is not None:
                overlapping.append((sub, s_start, s_end))
                boundaries.update(shared)
        if not overlapping:
            out.append(base)
            continue
        points = sorted(boundaries)
        pieces: list[Event] = []
        for start, end in zip(points, points[1:]):
            best: tuple[Event, int, int] | None = None
            for candidate in overlapping:
                _, s_start, s_end = candidate
                if intersection(start, end, s_start, s_end) is None:
                    continue
                if (
                    best is None
                    or s_start > best[1]
                    or (s_start == best[1] and s_end > best[2])
                ):
                    best = candidate
            data = base.data
            if best is not None:
                sub_data = best[0].data
                added = {
                    key: copy.deepcopy(sub_data[key])
                    for key in keys
                    if key in sub_data and not (conflict == "base_wins" and key in data)
                }
                if added:
                    data = {**data, **added}
            if pieces and pieces[-1].start + pieces[-1].duration == start and pieces[-1].data == data:
                pieces[-1].duration += end - start
            else:
                pieces.append(Event(base.id, start, end - start, data))
        out.extend(pieces)
    return out
