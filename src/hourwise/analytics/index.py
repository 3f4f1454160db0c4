"""Per-day activity cells, computed once and kept until the day's events change.

A cell is (5-minute slot, subject, source) → microseconds. Every report, at every
resolution, is a sum over cells, so a day is read and swept once, however many
reports ask for it. Classification is not part of a cell: rule changes apply at once
without recomputing anything. The store's write listener drops the days a write
touched.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, tzinfo

from hourwise.analytics.activities import build_spans
from hourwise.analytics.periods import SLOT_US, day_bounds
from hourwise.categorize.classifier import Subject
from hourwise.store import Store


@dataclass
class DayCells:
    start: int  # UTC microseconds of local midnight
    end: int
    cells: list[tuple[int, int, int]] = field(default_factory=list)  # (slot start, sid, us)
    totals: dict[int, int] = field(default_factory=dict)  # sid -> us over the day


class ActivityIndex:
    """Subjects and per-day cells for one user's view of the store (``Store.for_user``)."""

    def __init__(self, store: Store, *, max_days: int = 1200):
        self.store = store
        self.subjects: list[tuple[Subject, str]] = []  # sid -> (subject, source type)
        self._sid: dict[tuple[Subject, str], int] = {}
        self._days: OrderedDict[tuple[str, date], DayCells] = OrderedDict()
        self._lock = threading.Lock()
        self._max_days = max_days
        self._generation = 0
        self._log: list[tuple[int, int | None, int | None]] = []  # (generation, start, end)
        store.add_write_listener(self._changed)

    def _changed(self, user_id: int, _bucket: str, start: int | None, end: int | None) -> None:
        if user_id != getattr(self.store, "user_id", user_id):
            return  # another user's write
        with self._lock:
            self._generation += 1
            self._log.append((self._generation, start, end))
            del self._log[:-2000]
            if start is None or end is None:
                self._days.clear()
                return
            for key in [k for k, d in self._days.items() if d.start <= end and start < d.end]:
                del self._days[key]

    def _intern(self, subject: Subject, source: str) -> int:
        key = (subject, source)
        sid = self._sid.get(key)
        if sid is None:
            with self._lock:
                sid = self._sid.get(key)
                if sid is None:
                    sid = self._sid[key] = len(self.subjects)
                    self.subjects.append(key)
        return sid

    def day(self, day: date, tz: tzinfo) -> DayCells:
        key = (str(tz), day)
        with self._lock:
            found = self._days.get(key)
            if found is not None:
                self._days.move_to_end(key)
                return found
            generation = self._generation
        made = self._compute(day, tz)
        with self._lock:
            if not self._raced(generation, made):
                self._days[key] = made
                while len(self._days) > self._max_days:
                    self._days.popitem(last=False)
        return made

    def _raced(self, generation: int, day: DayCells) -> bool:
        """Whether a write since ``generation`` touched the day (its cells may be stale)."""
        if self._generation == generation:
            return False
        if not self._log or self._log[0][0] > generation + 1:
            return True  # the log no longer reaches back that far
        for gen, start, end in self._log:
            if gen > generation and (start is None or end is None or (start <= day.end and day.start < end)):
                return True
        return False

    def days(self, days: list[date], tz: tzinfo) -> Iterator[DayCells]:
        for d in days:
            yield self.day(d, tz)

    def _compute(self, day: date, tz: tzinfo) -> DayCells:
        start, end = day_bounds(day, tz)
        store = self.store
        # get_events is inclusive at both ends; the clip makes an event touching ``end``
        # zero-length there, so nothing is counted twice across days.
        spans = build_spans(
            store.list_buckets(), lambda key: store.get_events(key, start, end)
        )
        acc: dict[tuple[int, int], int] = {}
        for span in spans:
            s, e = max(span.start, start), min(span.end, end)
            if e <= s:
                continue
            sid = self._intern(span.subject, span.source)
            slot = s - s % SLOT_US
            while s < e:
                boundary = slot + SLOT_US
                piece = (boundary if boundary < e else e) - s
                acc[(slot, sid)] = acc.get((slot, sid), 0) + piece
                s = boundary
                slot = boundary
        out = DayCells(start, end)
        totals = out.totals
        for (slot, sid), us in sorted(acc.items()):
            out.cells.append((slot, sid, us))
            totals[sid] = totals.get(sid, 0) + us
        return out
