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


def _order(frame: EventFrame) -> np.ndarray | None:
    """The positions of the events by (start, duration), stable; None when they are in
    that order already. (Positions rather than a sorted copy of the frame: a year of
    events is then never held twice.)"""
    s, d = frame.starts, frame.durations
    if len(s) < 2:
        return None
    ds = np.diff(s)
    if bool(np.all(ds > 0)) or bool(np.all((ds > 0) | ((ds == 0) & (np.diff(d) >= 0)))):
        return None
    # Newest first, as buckets are read: reversed, it is in order unless two events
    # share both start and duration (their input order must be kept).
    if bool(np.all((ds < 0) | ((ds == 0) & (np.diff(d) < 0)))):
        return np.arange(len(s) - 1, -1, -1, dtype=INT)
    return np.lexsort((d, s))


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


def _without_overlaps(S: np.ndarray, E: np.ndarray,
                      cls: np.ndarray) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Remove overlaps (the later event wins) from non-empty events: the positions
    kept (None: all of them, as they were), their starts and their ends."""
    count = len(S)
    if count < 2:
        return None, S, E
    reach = np.maximum.accumulate(E)
    free = np.ones(count, bool)
    free[1:] = S[1:] >= reach[:-1]
    del reach
    lowest_after = np.minimum.accumulate(S[::-1])[::-1]
    free[1:] &= S[1:] <= lowest_after[1:]
    free[0] = S[0] <= lowest_after[0]
    del lowest_after
    if bool(free.all()):
        return None, S, E
    # Stretches that need the stack walk: from a free event up to the next free one
    # (a free event alone passes through), and whatever comes before the first free one.
    free_at = np.flatnonzero(free).tolist()
    stretches = [(0, free_at[0])] if free_at and free_at[0] > 0 else []
    if not free_at:
        stretches = [(0, count)]
    stretches += [(a, b) for a, b in zip(free_at, free_at[1:] + [count]) if b - a > 1]
    pieces_k: list[np.ndarray] = []
    pieces_s: list[np.ndarray] = []
    pieces_e: list[np.ndarray] = []
    position = 0
    for a, b in stretches:
        if a > position:
            pieces_k.append(np.arange(position, a, dtype=INT))
            pieces_s.append(S[position:a])
            pieces_e.append(E[position:a])
        ks, ss, es = remove_overlaps(list(range(a, b)), S[a:b].tolist(), E[a:b].tolist(),
                                     lambda x, y: cls[x] == cls[y])
        pieces_k.append(np.array(ks, INT))
        pieces_s.append(np.array(ss, INT))
        pieces_e.append(np.array(es, INT))
        position = b
    if position < count:
        pieces_k.append(np.arange(position, count, dtype=INT))
        pieces_s.append(S[position:])
        pieces_e.append(E[position:])
    return np.concatenate(pieces_k), np.concatenate(pieces_s), np.concatenate(pieces_e)


def _then(outer: np.ndarray | None, inner: np.ndarray | None) -> np.ndarray | None:
    """Positions ``inner`` of a selection ``outer`` (None: everything, in order)."""
    if outer is None:
        return inner
    return outer if inner is None else outer[inner]


def flood(frame: EventFrame, pulsetime: int = 5_000_000) -> EventFrame:
    """``hourwise.transforms.flood.flood`` on a frame: fill gaps of at most
    ``pulsetime`` µs, remove overlaps and empty events; sorted by time."""
    if not len(frame):
        return frame
    order = _order(frame)
    if order is None:
        S = frame.starts.copy()
        E = frame.starts + frame.durations
        cls = frame.table.classes()[frame.refs]
    else:
        S = frame.starts[order]
        E = frame.durations[order]
        E += S
        cls = frame.table.classes()[frame.refs[order]]
    _pairwise(S, E, cls, pulsetime)
    empty = E <= S
    kept = None
    if bool(empty.any()):  # dropped (rebinding, so the full-length arrays are freed)
        kept = np.flatnonzero(~empty)
        S, E, cls = S[kept], E[kept], cls[kept]
    del empty
    survivors, starts, ends = _without_overlaps(S, E, cls)
    del S, E, cls
    ends -= starts  # now the durations (``ends`` is this function's own array)
    positions = _then(order, _then(kept, survivors))
    if positions is None:  # nothing moved or dropped: the same ids and data
        return EventFrame(frame.ids, starts, ends, frame.refs, frame.table)
    return EventFrame(frame.ids[positions], starts, ends, frame.refs[positions],
                      frame.table)
