"""Combining event lists by time: intersection, union, and union without overlap.

Times are integer microseconds. A span is half-open in spirit, but the rules below are
aw-core's ``Timeslot`` rules exactly (zero-length events included), so the answers
match ActivityWatch's Python server to the microsecond.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from operator import add, attrgetter

from hourwise.models import Event

_start = attrgetter("start")
_duration = attrgetter("duration")


def intersection(s1: int, e1: int, s2: int, e2: int) -> tuple[int, int] | None:
    """The span shared by [s1, e1] and [s2, e2], or None. Touching spans share nothing,
    but a zero-length span inside (or on the edge of) the other is its own intersection."""
    if s1 <= s2 and e2 <= e1:
        return s2, e2
    if s1 <= s2 < e1:
        return s2, e1
    if s1 < e2 <= e1:
        return s1, e2
    if s2 <= s1 and e1 <= e2:
        return s1, e1
    return None


def filter_period_intersect(events: Sequence[Event], filters: Sequence[Event]) -> list[Event]:
    """The parts of ``events`` that lie inside some event of ``filters``.

    Both lists are sorted by start; each overlapping pair gives the event cut to the
    overlap, so AFK filtering trims window events at the AFK boundaries::

        events   |   =======        ======== |
        filters  | ------  ---  ---   ----   |
        result   |   ====  =          ====   |
    """
    ev = sorted(events, key=_start)
    fl = sorted(filters, key=_start)
    out: list[Event] = []
    append = out.append
    i = j = 0
    n, m = len(ev), len(fl)
    if not m:
        return out
    # For skipping runs of events that lie wholly inside the current filter event (the
    # common case: window events inside a long not-AFK period). They come out as they
    # are, in order, and the filter stays the same: the loop below would do the same.
    starts = list(map(_start, ev))
    highest_end = list(accumulate(map(add, starts, map(_duration, ev)), max))
    f = fl[0]
    fs, fe = f.start, f.start + f.duration
    while i < n:
        e = ev[i]
        s1 = e.start
        e1 = s1 + e.duration
        if s1 <= fs and fe <= e1:
            append(Event(e.id, fs, fe - fs, e.data))
        elif s1 <= fs < e1:
            append(Event(e.id, fs, e1 - fs, e.data))
        elif s1 < fe <= e1:
            append(Event(e.id, s1, fe - s1, e.data))
        elif fs <= s1 and e1 <= fe:
            # Wholly inside: the event itself (events are never changed), and so for
            # every following event that starts no later than fe and ends by fe.
            last = bisect_right(starts, fe, i, n)
            run_end = bisect_right(highest_end, fe, i, last)
            if run_end > i + 1:
                out.extend(ev[i:run_end])
                i = run_end
                continue
            append(e)
        else:
            # No overlap: step past whichever one ends first.
            if e1 <= fs:
                i += 1
                continue
            if fe > s1:  # only reachable with negative durations; aw-core skips both
                i += 1
            j += 1
            if j >= m:
                break
            f = fl[j]
            fs, fe = f.start, f.start + f.duration
            continue
        if e1 <= fe:
            i += 1
        else:
            j += 1
            if j >= m:
                break
            f = fl[j]
            fs, fe = f.start, f.start + f.duration
    return out


def period_union(events1: Sequence[Event], events2: Sequence[Event]) -> list[Event]:
    """The time covered by either list, as non-overlapping events **without data**.

    Events that touch or overlap merge; each result keeps the id of the first event
    of its run::

        events1  |   -------       --------- |
        events2  | ------  ---  --    ----   |
        result   | -----------  -- --------- |
    """
    merged = sorted([*events1, *events2], key=_start)
    if not merged:
        return []
    out: list[Event] = []
    first = merged[0]
    cur_id, cur_s, cur_e = first.id, first.start, first.start + first.duration
    for e in merged[1:]:
        s = e.start
        end = s + e.duration
        if end < cur_s or cur_e < s:
            out.append(Event(cur_id, cur_s, cur_e - cur_s, {}))
            cur_id, cur_s, cur_e = e.id, s, end
        else:
            if s < cur_s:
                cur_s = s
            if end > cur_e:
                cur_e = end
    out.append(Event(cur_id, cur_s, cur_e - cur_s, {}))
    return out


def union_no_overlap(events1: Sequence[Event], events2: Sequence[Event]) -> list[Event]:
    """Both lists merged in order; where they overlap, ``events1`` wins and ``events2``
    events are cut around it. Inputs are walked in the order given (not sorted)::

        events1  | xxx    xx     xxx     |
        events2  |  ----     ------   -- |
        result   | xxx--  xx ----xxx  -- |
    """
    out: list[Event] = []
    append = out.append
    i = j = 0
    n, m = len(events1), len(events2)
    cur2 = events2[0] if m else None
    while i < n and j < m:
        e1 = events1[i]
        e2 = cur2
        s1, s2 = e1.start, e2.start
        end1, end2 = s1 + e1.duration, s2 + e2.duration
        overlaps = (s1 <= s2 < end1) or (s1 < end2 <= end1) or (s2 <= s1 and end1 <= end2)
        if overlaps and s1 <= s2:
            append(e1)
            i += 1
            if s2 < end1 < end2:  # e2 goes on after e1: keep only the rest of it
                cur2 = Event(e2.id, end1, end2 - end1, e2.data)
                continue
        elif overlaps:
            if s2 < s1 < end2:
                append(Event(e2.id, s2, s1 - s2, e2.data))
                cur2 = Event(e2.id, s1, end2 - s1, e2.data)
                continue
            append(e2)
        elif s1 <= s2:
            append(e1)
            i += 1
            continue
        else:
            append(e2)
        j += 1
        cur2 = events2[j] if j < m else None
    out.extend(events1[i:])
    if j < m:
        append(cur2)
        out.extend(events2[j + 1 :])
    return out
