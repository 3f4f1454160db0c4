"""Flooding: fill the short gaps watchers leave between events.

Events are sorted by (start, duration). For each neighbouring pair with a gap of at
most ``pulsetime``:

    equal data      |====|  |==|    ->  |==========|      (one event; the longer
                                                           neighbour keeps the span)
    different data  |====|  |~~|    ->  |======|~~~~|     (both reach the midpoint)

Overlapping equal-data events merge; differing events overlapping by less than 0.1 s
are treated like a gap. A final pass removes any remaining overlap (the later event
wins) and drops events of zero length. This is aw-core 0.5.18's algorithm, computed
in integer microseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter

import orjson

from hourwise.models import Event

NEGATIVE_GAP_TRIM = 100_000  # µs: overlaps shorter than this count as a zero gap


def _half(gap: int) -> int:
    """``gap / 2`` rounded half to even, as Python's ``timedelta / 2`` rounds."""
    half, odd = divmod(gap, 2)
    if odd and half % 2:
        half += 1
    return half


def _same(a: dict, b: dict) -> bool:
    """Equal data in the JSON sense (aw-server-rust's): ``1``, ``1.0`` and ``true``
    differ, although Python's ``==`` (aw-core's test) equates them."""
    return a is b or (a == b and _canonical(a) == _canonical(b))


def _canonical(data: dict) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


def flood(events: Sequence[Event], pulsetime: int = 5_000_000) -> list[Event]:
    """Fill gaps of at most ``pulsetime`` µs between events (see the module docstring)."""
    order = sorted(events, key=attrgetter("start", "duration"))
    count = len(order)
    starts = [e.start for e in order]
    durs = [e.duration for e in order]
    datas = [e.data for e in order]
    for k in range(count - 1):
        s1, d1, s2, d2 = starts[k], durs[k], starts[k + 1], durs[k + 1]
        gap = s2 - (s1 + d1)
        if gap == 0:
            continue
        if gap < 0 and _same(datas[k], datas[k + 1]):
            start = min(s1, s2)
            end = max(s1 + d1, s2 + d2)
            starts[k], durs[k] = start, end - start
            starts[k + 1], durs[k + 1] = end, 0
        elif -NEGATIVE_GAP_TRIM < gap <= pulsetime:
            end2 = s2 + d2
            if _same(datas[k], datas[k + 1]):
                if d1 >= d2:
                    durs[k] = end2 - s1
                    starts[k + 1], durs[k + 1] = end2, 0
                else:
                    starts[k + 1], durs[k + 1] = s1, end2 - s1
                    durs[k] = 0
            else:
                midpoint = s1 + d1 + _half(gap)
                durs[k] = midpoint - s1
                starts[k + 1], durs[k + 1] = midpoint, end2 - midpoint

    # Pairwise flooding can leave an event overlapping one before it: normalise so no
    # time is counted twice. For differing data the later event wins.
    kept = [k for k in range(count) if durs[k] > 0]
    out_k, out_s, out_e = remove_overlaps(
        kept, [starts[k] for k in kept], [starts[k] + durs[k] for k in kept],
        lambda a, b: _same(datas[a], datas[b]))
    return [
        Event(order[k].id, s, e - s, datas[k]) for k, s, e in zip(out_k, out_s, out_e)
    ]


def remove_overlaps(ks: list[int], ss: list[int], es: list[int],
                    same: Callable[[int, int], bool]) -> tuple[list[int], list[int], list[int]]:
    """flood's final pass over events ``ks`` (starts ``ss``, ends ``es``, sorted):
    where one overlaps an earlier one, equal data (``same(earlier, later)``) merge,
    otherwise the earlier one is cut at the later one's start (and dropped if nothing
    is left of it). Returns the surviving events, their starts and their ends."""
    out_k: list[int] = []
    out_s: list[int] = []
    out_e: list[int] = []
    for k, s, end in zip(ks, ss, es):
        while out_k and out_e[-1] > s:
            if same(out_k[-1], k):
                if end > out_e[-1]:
                    out_e[-1] = end
                break
            out_e[-1] = s
            if s - out_s[-1] <= 0:
                out_k.pop()
                out_s.pop()
                out_e.pop()
                continue
            out_k.append(k)
            out_s.append(s)
            out_e.append(end)
            break
        else:
            out_k.append(k)
            out_s.append(s)
            out_e.append(end)
    return out_k, out_s, out_e
