"""Intersection and union of event lists by time, in columns.

The same walks as ``hourwise.transforms.period``, with the same results to the
microsecond; what changes is the unit of work. The intersection walk steps once per
filter event and per event that crosses a filter boundary, and hands whole runs of
events lying inside one filter event over as index ranges; the union is a prefix
maximum.
"""

from __future__ import annotations

import numpy as np

from hourwise.transforms.columnar.frame import INT, DataTable, EventFrame, concat, sorted_by_start


def filter_period_intersect(events: EventFrame, filters: EventFrame) -> EventFrame:
    """The parts of ``events`` inside some event of ``filters``, cut to the overlap
    (see ``hourwise.transforms.period.filter_period_intersect``)."""
    if not len(events) or not len(filters):
        return EventFrame.empty()
    ev = sorted_by_start(events)
    fl = sorted_by_start(filters)
    fends_a = fl.starts + fl.durations
    if _monotone(ev) and _monotone(fl):
        return _intersect_merged(ev, fl, fends_a)
    starts_a = ev.starts
    ends_a = ev.starts + ev.durations
    highest_a = np.maximum.accumulate(ends_a)
    starts = starts_a.tolist()
    ends = ends_a.tolist()
    fstarts = fl.starts.tolist()
    fends = (fl.starts + fl.durations).tolist()
    n, m = len(starts), len(fstarts)
    # Output, in order: ranges [lo, hi) of events, and for one-event ranges cut to a
    # filter, the new start and end (None: the events as they are).
    lo: list[int] = []
    hi: list[int] = []
    cut_s: list[int | None] = []
    cut_e: list[int] = []
    i = j = 0
    fs, fe = fstarts[0], fends[0]
    while i < n:
        s1, e1 = starts[i], ends[i]
        if s1 <= fs and fe <= e1:
            lo.append(i), hi.append(i + 1), cut_s.append(fs), cut_e.append(fe)
        elif s1 <= fs < e1:
            lo.append(i), hi.append(i + 1), cut_s.append(fs), cut_e.append(e1)
        elif s1 < fe <= e1:
            lo.append(i), hi.append(i + 1), cut_s.append(s1), cut_e.append(fe)
        elif fs <= s1 and e1 <= fe:
            # Wholly inside, and so is every following event that starts no later than
            # fe and ends by fe: they come out as they are, the filter stays.
            last = int(np.searchsorted(starts_a, fe, "right"))
            run_end = i + int(np.searchsorted(highest_a[i:last], fe, "right"))
            run_end = max(run_end, i + 1)
            lo.append(i), hi.append(run_end), cut_s.append(None), cut_e.append(0)
            i = run_end
            continue
        else:
            if e1 <= fs:
                i += 1
                continue
            if fe > s1:  # only reachable with negative durations; aw-core skips both
                i += 1
            j += 1
            if j >= m:
                break
            fs, fe = fstarts[j], fends[j]
            continue
        if e1 <= fe:
            i += 1
        else:
            j += 1
            if j >= m:
                break
            fs, fe = fstarts[j], fends[j]
    return _assemble(ev, lo, hi, cut_s, cut_e)


# Events per slice of the vectorised walk: its temporary arrays (a dozen per pair)
# then stay around 3 MB, whatever the length of the lists.
_PAIRS_AT_ONCE = 1 << 15


def _monotone(frame: EventFrame) -> bool:
    """No negative durations, and ends in order (as after ``flood``); checked a slice at
    a time, so no array of every end is made."""
    starts, durations = frame.starts, frame.durations
    step = 8 * _PAIRS_AT_ONCE
    for lo in range(0, len(starts), step):
        hi = lo + step + 1  # one past the slice: the order across slices is checked too
        part = durations[lo:hi]
        if not bool((part >= 0).all()):
            return False
        ends = starts[lo:hi] + part
        if not bool((ends[1:] >= ends[:-1]).all()):
            return False
    return True


def _intersect_merged(ev: EventFrame, fl: EventFrame, fends: np.ndarray) -> EventFrame:
    """The walk of ``filter_period_intersect`` when both lists have their ends in
    order, all at once.

    The walk then always steps past whichever of the current event and filter ends
    first (the event on a tie), so it visits the pairs of a merge of the two lists by
    end: event ``i`` meets the filters from the one current when event ``i - 1`` was
    left (the first ending at or after that event's end) to the first ending at or
    after its own end. Each visited pair that overlaps, by aw-core's rules, gives the
    event cut to the overlap.
    """
    m = len(fends)
    n = len(ev)
    # Every visited pair moves the walk past an event or a filter event: at most n + m
    # pairs, so the output fits in arrays of that size, filled slice by slice (with
    # each slice's pairs made and dropped in turn: a year of pairs at once is large).
    size = n + m
    ids, refs = np.empty(size, ev.ids.dtype), np.empty(size, ev.refs.dtype)  # as narrow
    starts, durations = np.empty(size, INT), np.empty(size, INT)
    filled = 0
    cut_start = starts[:0]
    previous_last = 0  # the filter current when the slice's first event is reached
    for lo in range(0, n, _PAIRS_AT_ONCE):
        hi = min(n, lo + _PAIRS_AT_ONCE)
        ends = ev.starts[lo:hi] + ev.durations[lo:hi]
        last = np.searchsorted(fends, ends, "left")  # the filter current when i is left
        first = np.empty(hi - lo, INT)
        first[0] = previous_last
        first[1:] = last[:-1]
        previous_last = int(last[-1])
        np.minimum(last, m - 1, out=last)  # now the last filter event i meets
        part = last
        part -= first
        part += 1
        np.maximum(part, 0, out=part)
        offsets = np.cumsum(part) - part
        i = np.repeat(np.arange(lo, hi, dtype=INT), part)
        j = np.arange(int(part.sum()), dtype=INT) - np.repeat(offsets - first, part)
        s1, e1 = ev.starts[i], ends[i - lo]
        s2, e2 = fl.starts[j], fends[j]
        overlap = (((s1 <= s2) & (e2 <= e1)) | ((s1 <= s2) & (s2 < e1))
                   | ((s1 < e2) & (e2 <= e1)) | ((s2 <= s1) & (e1 <= e2)))
        i = i[overlap]
        stop = filled + len(i)
        ids[filled:stop] = ev.ids[i]
        refs[filled:stop] = ev.refs[i]
        cut_start = starts[filled:stop]
        np.maximum(s1[overlap], s2[overlap], out=cut_start)
        np.minimum(e1[overlap], e2[overlap], out=durations[filled:stop])
        durations[filled:stop] -= cut_start
        filled = stop
    # Give back the unused tail: realloc shrinks large (mapped) arrays in place. No
    # view of them exists any more (``cut_start`` was the last), which resize needs.
    del cut_start
    for column in (ids, starts, durations, refs):
        column.resize(filled, refcheck=False)
    return EventFrame(ids, starts, durations, refs, ev.table)


def _assemble(ev: EventFrame, lo: list[int], hi: list[int], cut_s: list[int | None],
              cut_e: list[int]) -> EventFrame:
    if not lo:
        return EventFrame.empty()
    lo_a = np.array(lo, INT)
    lengths = np.array(hi, INT) - lo_a
    offsets = np.cumsum(lengths) - lengths
    index = np.arange(int(lengths.sum()), dtype=INT) + np.repeat(lo_a - offsets, lengths)
    out = ev.take(index)
    cuts = [k for k, s in enumerate(cut_s) if s is not None]
    if cuts:
        where = offsets[cuts]
        new_s = np.array([cut_s[k] for k in cuts], INT)
        new_e = np.array([cut_e[k] for k in cuts], INT)
        out.starts[where] = new_s
        out.durations[where] = new_e - new_s
    return out


def period_union(events1: EventFrame, events2: EventFrame) -> EventFrame:
    """The time covered by either, as non-overlapping events with empty data; each
    keeps the id of the first event of its run
    (see ``hourwise.transforms.period.period_union``)."""
    merged = sorted_by_start(concat([events1, events2]))
    if not len(merged):
        return EventFrame.empty()
    starts = merged.starts
    ends = starts + merged.durations
    if bool((merged.durations < 0).any()):
        from hourwise.transforms.period import period_union as by_events

        rebuilt = EventFrame.from_events(by_events(merged.to_events(), []))
        return EventFrame(rebuilt.ids, rebuilt.starts, rebuilt.durations,
                          np.zeros(len(rebuilt), INT), DataTable([{}]))
    reach = np.maximum.accumulate(ends)
    first = np.ones(len(starts), bool)
    first[1:] = starts[1:] > reach[:-1]
    heads = np.flatnonzero(first)
    run_ends = reach[np.append(heads[1:] - 1, len(starts) - 1)]
    ids = merged.ids[heads]
    run_starts = starts[heads]
    count = len(heads)
    return EventFrame(ids.copy(), run_starts, run_ends - run_starts, np.zeros(count, INT),
                      DataTable([{}]))


