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

from typing import Any

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


def _sorted(frame: EventFrame) -> EventFrame:
    """By (start, duration), stable."""
    s, d = frame.starts, frame.durations
    if len(s) < 2:
        return frame
    ds = np.diff(s)
    if bool(np.all(ds > 0)) or bool(np.all((ds > 0) | ((ds == 0) & (np.diff(d) >= 0)))):
        return frame
    # Newest first, as buckets are read: reversed, it is in order unless two events
    # share both start and duration (their input order must be kept).
    if bool(np.all((ds < 0) | ((ds == 0) & (np.diff(d) < 0)))):
        return frame.take(slice(None, None, -1))
    return frame.take(np.lexsort((d, s)))


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


def _normalise(S: np.ndarray, E: np.ndarray, cls: np.ndarray) -> tuple[Any, ...]:
    """Drop empty events and remove overlaps (the later event wins): positions kept
    (None: all of them, as they were), their starts and their ends."""
    empty = E <= S
    if bool(empty.any()):
        kept = np.flatnonzero(~empty)
        S, E = S[kept], E[kept]
    else:
        kept = None
    del empty
    count = len(S)
    if count < 2:
        return kept, S, E
    reach = np.maximum.accumulate(E)
    free = np.ones(count, bool)
    free[1:] = S[1:] >= reach[:-1]
    del reach
    lowest_after = np.minimum.accumulate(S[::-1])[::-1]
    free[1:] &= S[1:] <= lowest_after[1:]
    free[0] = S[0] <= lowest_after[0]
    del lowest_after
    if bool(free.all()):
        return kept, S, E
    if kept is None:
        kept = np.arange(count, dtype=INT)
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
            pieces_k.append(kept[position:a])
            pieces_s.append(S[position:a])
            pieces_e.append(E[position:a])
        ks, ss, es = remove_overlaps(kept[a:b].tolist(), S[a:b].tolist(), E[a:b].tolist(),
                                     lambda x, y: cls[x] == cls[y])
        pieces_k.append(np.array(ks, INT))
        pieces_s.append(np.array(ss, INT))
        pieces_e.append(np.array(es, INT))
        position = b
    if position < count:
        pieces_k.append(kept[position:])
        pieces_s.append(S[position:])
        pieces_e.append(E[position:])
    return np.concatenate(pieces_k), np.concatenate(pieces_s), np.concatenate(pieces_e)


def flood(frame: EventFrame, pulsetime: int = 5_000_000) -> EventFrame:
    """``hourwise.transforms.flood.flood`` on a frame: fill gaps of at most
    ``pulsetime`` µs, remove overlaps and empty events; sorted by time."""
    if not len(frame):
        return frame
    ordered = _sorted(frame)
    S = ordered.starts.copy()
    E = ordered.starts + ordered.durations
    cls = ordered.table.classes()[ordered.refs]
    _pairwise(S, E, cls, pulsetime)
    kept, starts, ends = _normalise(S, E, cls)
    del S, E, cls
    ends -= starts  # now the durations (``ends`` is this function's own array)
    if kept is None:
        return EventFrame(np.ascontiguousarray(ordered.ids), starts, ends,
                          np.ascontiguousarray(ordered.refs), ordered.table)
    return EventFrame(ordered.ids[kept], starts, ends, ordered.refs[kept],
                      ordered.table)
