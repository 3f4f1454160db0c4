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
    """``gap / 2`` rounded half to even, element-wise (as ``_half``)."""
    half = gaps // 2
    return half + ((gaps % 2 == 1) & (half % 2 == 1))


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
    So, Eo = S.copy(), E.copy()
    gaps = So[1:] - Eo[:-1]
    same = cls[:-1] == cls[1:]
    moving = (gaps != 0) & (gaps <= pulse)
    chained = same & moving
    filled = np.flatnonzero(~same & moving & (gaps > -NEGATIVE_GAP_TRIM))
    mids = Eo[filled] + _halves(gaps[filled])
    E[filled] = mids
    S[filled + 1] = mids
    pairs = len(gaps)
    chained_list = chained.tolist() if chained.any() else None
    if chained_list is None:
        return
    cls_list = cls.tolist()
    done = -1
    for first in np.flatnonzero(chained).tolist():
        if first <= done:
            continue
        k = first
        while True:
            s1, e1 = int(S[k]), int(E[k])
            s2, e2 = int(So[k + 1]), int(Eo[k + 1])
            gap = s2 - e1
            ns1, ne1, ns2, ne2 = s1, e1, s2, e2
            equal = cls_list[k] == cls_list[k + 1]
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
            if k >= pairs or not (moved_end or chained_list[k]):
                break
        done = k - 1


def _normalise(S: np.ndarray, E: np.ndarray, cls: np.ndarray) -> tuple[np.ndarray, ...]:
    """Drop empty events and remove overlaps (the later event wins): positions kept,
    their starts and their ends."""
    kept = np.flatnonzero(E > S)
    S, E = S[kept], E[kept]
    count = len(kept)
    if count < 2:
        return kept, S, E
    reach = np.maximum.accumulate(E)
    lowest_after = np.minimum.accumulate(S[::-1])[::-1]
    free = np.ones(count, bool)
    free[1:] = (S[1:] >= reach[:-1]) & (S[1:] <= lowest_after[1:])
    free[0] = S[0] <= lowest_after[0]
    if bool(free.all()):
        return kept, S, E
    classes = cls.tolist()
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
                                     lambda x, y: classes[x] == classes[y])
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
    return EventFrame(ordered.ids[kept], starts, ends - starts, ordered.refs[kept],
                      ordered.table)
