"""Flooding in columns: ``hourwise.transforms.flood`` computed with vectorised passes.

The pairwise pass of aw-core's algorithm looks sequential, since each step reads what
the step before wrote. But a step only changes the *end* of its second event when the
two events have equal data and overlap; a step between events with different data
writes the midpoint, computed from values no earlier step changed. So every
different-data gap is filled at once from the original times, and a short Python walk
covers only the chains that start at an equal-data pair (rare in window data: the
watcher already merged those heartbeats).

The final pass, which removes overlaps with a stack, is split at the events that no
earlier event reaches past and no later one starts before: the stack never looks
behind such an event, so only the stretches between them need the walk.
"""

from __future__ import annotations

import numpy as np

from hourwise.transforms.columnar.frame import INT, EventFrame
from hourwise.transforms.flood import NEGATIVE_GAP_TRIM, _half, remove_overlaps


def _halves(gaps: np.ndarray) -> np.ndarray:
    """``gap / 2`` rounded half to even, element-wise (as ``_half``); ``gaps`` is
    used up (a new array, changed in place)."""
    half = gaps >> 1  # floor division by 2, as //
    gaps &= half  # odd gap with an odd half: round up to the even neighbour
    gaps &= 1
    half += gaps
    return half


REVERSED = slice(None, None, -1)


def _order(frame: EventFrame) -> np.ndarray | slice | None:
    """The positions of the events by (start, duration), stable; None when they are in
    that order already, ``REVERSED`` when they are in the opposite order (as buckets
    are read: newest first). (Positions rather than a sorted copy of the frame: a year
    of events is then never held twice.)"""
    s, d = frame.starts, frame.durations
    if len(s) < 2:
        return None
    ds = np.diff(s)
    if bool(np.all(ds > 0)) or bool(np.all((ds > 0) | ((ds == 0) & (np.diff(d) >= 0)))):
        return None
    # Newest first: reversed, it is in order unless two events share both start and
    # duration (their input order must be kept).
    if bool(np.all((ds < 0) | ((ds == 0) & (np.diff(d) < 0)))):
        return REVERSED
    return np.lexsort((d, s))


def _classes(frame: EventFrame, order: np.ndarray | slice | None) -> np.ndarray:
    """Each event's data class (equal for equal data), in ``order``: the refs
    themselves (a view, no copy) when the table's entries are all distinct."""
    refs = frame.refs if order is None else frame.refs[order]
    if frame.table.canonical:  # classes() is the identity
        return refs
    return frame.table.classes()[refs]


def _pairwise(S: np.ndarray, E: np.ndarray, cls: np.ndarray, pulse: int) -> None:
    """The pairwise pass, in place on starts ``S`` and ends ``E``."""
    gaps = S[1:] - E[:-1]
    same = cls[:-1] == cls[1:]
    moving = (gaps != 0) & (gaps <= pulse)
    chained = same & moving
    del same
    filled = np.flatnonzero(moving & (cls[:-1] != cls[1:]) & (gaps > -NEGATIVE_GAP_TRIM))
    del moving
    mids = E[filled]
    mids += _halves(gaps[filled])
    del gaps
    chain_starts = np.flatnonzero(chained)
    if len(chain_starts):
        # The walk reads the next event's times as they were before any step; only
        # the fill below changes them first, so the values it overwrites are kept.
        next_starts, filled_ends = S[filled + 1], E[filled]
    E[filled] = mids
    S[filled + 1] = mids
    del mids
    if not len(chain_starts):
        return

    def original(times: np.ndarray, overwritten: np.ndarray, position: int,
                 filled_at: int) -> int:
        at = int(np.searchsorted(filled, filled_at))
        if at < len(filled) and filled[at] == filled_at:
            return int(overwritten[at])
        return int(times[position])

    pairs = len(chained)
    done = -1
    for first in chain_starts.tolist():
        if first <= done:
            continue
        k = first
        while True:
            s1, e1 = int(S[k]), int(E[k])
            s2 = original(S, next_starts, k + 1, k)
            e2 = original(E, filled_ends, k + 1, k + 1)
            gap = s2 - e1
            ns1, ne1, ns2, ne2 = s1, e1, s2, e2
            equal = cls[k] == cls[k + 1]
            if gap == 0:
                pass
            elif gap < 0 and equal:
                ns1, ne1 = min(s1, s2), max(e1, e2)
                ns2 = ne2 = ne1
            elif -NEGATIVE_GAP_TRIM < gap <= pulse:
                if equal:
                    if e1 - s1 >= e2 - s2:
                        ne1 = ns2 = ne2 = e2
                    else:
                        ns2, ne1 = s1, s1
                else:
                    ne1 = ns2 = e1 + _half(gap)
            S[k], E[k], S[k + 1] = ns1, ne1, ns2
            moved_end = ne2 != e2
            if moved_end:
                E[k + 1] = ne2
            k += 1
            if k >= pairs or not (moved_end or chained[k]):
                break
        done = k - 1


_CHUNK = 1 << 16  # events per step of the passes that work in slices


def _compacted(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``values[keep]``, written over the start of ``values`` itself (a view of it): a
    slice at a time, so no second full-length array exists."""
    at = 0
    for lo in range(0, len(values), _CHUNK):
        part = values[lo : lo + _CHUNK][keep[lo : lo + _CHUNK]]
        values[at : at + len(part)] = part
        at += len(part)
    return values[:at]


def _free_events(S: np.ndarray, E: np.ndarray) -> np.ndarray:
    """Which events no earlier event reaches past and no later one starts before (a
    running maximum of ends forwards and a running minimum of starts backwards, a
    slice at a time)."""
    count = len(S)
    free = np.ones(count, bool)
    reach = np.iinfo(np.int64).min  # the largest end before the slice
    for lo in range(0, count, _CHUNK):
        hi = min(count, lo + _CHUNK)
        ends = np.maximum.accumulate(E[lo:hi])
        np.maximum(ends, reach, out=ends)
        if lo:
            free[lo] = S[lo] >= reach
        free[lo + 1 : hi] = S[lo + 1 : hi] >= ends[:-1]
        reach = int(ends[-1])
    lowest = np.iinfo(np.int64).max  # the smallest start from the slice's end on
    for hi in range(count, 0, -_CHUNK):
        lo = max(0, hi - _CHUNK)
        starts = np.minimum.accumulate(S[lo:hi][::-1])[::-1]
        np.minimum(starts, lowest, out=starts)
        free[lo:hi] &= S[lo:hi] <= starts
        lowest = int(starts[0])
    return free


def _without_overlaps(S: np.ndarray, E: np.ndarray,
                      cls: np.ndarray) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Remove overlaps (the later event wins) from non-empty events ``S``, ``E`` (this
    function's own arrays, reused): which events are kept (a mask; None: all of them,
    as they were), their starts and their ends."""
    count = len(S)
    if count < 2:
        return None, S, E
    free = _free_events(S, E)
    if bool(free.all()):
        return None, S, E
    # Stretches that need the stack walk: from a free event up to the next free one
    # (a free event alone passes through), and whatever comes before the first free one.
    free_at = np.flatnonzero(free).tolist()
    del free
    stretches = [(0, free_at[0])] if free_at and free_at[0] > 0 else []
    if not free_at:
        stretches = [(0, count)]
    stretches += [(a, b) for a, b in zip(free_at, free_at[1:] + [count]) if b - a > 1]
    kept = np.ones(count, bool)
    for a, b in stretches:
        ks, ss, es = remove_overlaps(list(range(a, b)), S[a:b].tolist(), E[a:b].tolist(),
                                     lambda x, y: cls[x] == cls[y])
        # Each survivor's new times at its own place; the rest are dropped below.
        kept[a:b] = False
        kept[ks] = True
        S[ks] = ss
        E[ks] = es
    return kept, _compacted(S, kept), _compacted(E, kept)


def flood(frame: EventFrame, pulsetime: int = 5_000_000) -> EventFrame:
    """``hourwise.transforms.flood.flood`` on a frame: fill gaps of at most
    ``pulsetime`` µs, remove overlaps and empty events; sorted by time."""
    if not len(frame):
        return frame
    order = _order(frame)
    if order is None:
        S = frame.starts.copy()
        E = frame.starts + frame.durations
    else:
        S = np.ascontiguousarray(frame.starts[order])
        E = frame.durations[order] + S
    cls = _classes(frame, order)
    _pairwise(S, E, cls, pulsetime)
    kept: np.ndarray | None = E > S
    if bool(kept.all()):  # type: ignore[union-attr]
        kept = None
    else:  # the empty ones dropped, in place
        S, E, cls = _compacted(S, kept), _compacted(E, kept), cls[kept]
    survivors, starts, ends = _without_overlaps(S, E, cls)
    del S, E, cls
    ends -= starts  # now the durations (``ends`` is this function's own array)
    if kept is None:
        kept = survivors
    elif survivors is not None:
        kept[kept] = survivors  # both masks in one, over the ordered events
    ids, refs = frame.ids, frame.refs
    if order is not None:
        # Newest first (the usual case) reads the frame backwards: views, until the
        # mask picks the survivors.
        ids, refs = ids[order], refs[order]
    if kept is not None:
        ids, refs = ids[kept], refs[kept]
    return EventFrame(ids, starts, ends, refs, frame.table)
