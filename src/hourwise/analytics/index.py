"""Per-day activity cells, computed once and kept until the day's events change.

A cell is (5-minute slot, subject, source) → microseconds. Every report, at every
resolution, is a sum over cells, so a day is read and swept once, however many
reports ask for it. Classification is not part of a cell: rule changes apply at once
without recomputing anything. The store's write listener drops the days a write
touched.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, tzinfo

from hourwise.analytics.activities import build_spans
from hourwise.analytics.cellstore import CellStore
from hourwise.analytics.periods import SLOT_US, day_bounds
from hourwise.categorize.classifier import Subject
from hourwise.memory import paused_gc
from hourwise.store import Store


class DayCells:
    """One local day's cells: ``cells`` as (slot start, sid, us), ascending by slot, and
    ``totals`` (sid -> us over the day). Cells read back from the database are unpacked
    on first use: totals are enough for rank tables and summaries."""

    __slots__ = ("_cells", "_unpack", "end", "start", "totals")

    def __init__(
        self,
        start: int,
        end: int,
        cells: list[tuple[int, int, int]] | None = None,
        totals: dict[int, int] | None = None,
        unpack: Callable[[], list[tuple[int, int, int]]] | None = None,
    ):
        self.start = start  # UTC microseconds of local midnight
        self.end = end
        self.totals: dict[int, int] = {} if totals is None else totals
        self._cells = [] if cells is None and unpack is None else cells
        self._unpack = unpack

    @property
    def cells(self) -> list[tuple[int, int, int]]:
        found = self._cells
        if found is None:
            found = self._cells = self._unpack()  # type: ignore[misc]
        return found


class ActivityIndex:
    """Subjects and per-day cells for one user's view of the store (``Store.for_user``)."""

    def __init__(self, store: Store, *, max_days: int = 1200, persisted: CellStore | None = None):
        self.store = store
        self.persisted = persisted  # cells kept in the database across restarts
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

    def intern_many(self, keys: Iterable[tuple[Subject, str]]) -> list[int]:
        """Subject ids of (subject, source) pairs, taking the lock once."""
        sids = self._sid
        with self._lock:
            out = []
            for key in keys:
                sid = sids.get(key)
                if sid is None:
                    sid = sids[key] = len(self.subjects)
                    self.subjects.append(key)
                out.append(sid)
        return out

    def day(self, day: date, tz: tzinfo) -> DayCells:
        return next(self.days([day], tz))

    def _remember(self, key: tuple[str, date], generation: int, made: DayCells) -> bool:
        """Keep a day's cells unless a write since ``generation`` may have changed them."""
        with self._lock:
            if self._raced(generation, made):
                return False
            self._days[key] = made
            while len(self._days) > self._max_days:
                self._days.popitem(last=False)
            return True

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
        """Each day's cells, in order: from memory, else from the database (one query for
        all missing days), else built from the events (and then stored)."""
        zone = str(tz)
        found: dict[date, DayCells] = {}
        with self._lock:
            for d in days:
                cells = self._days.get((zone, d))
                if cells is not None:
                    self._days.move_to_end((zone, d))
                    found[d] = cells
            generation = self._generation
        missing = [d for d in days if d not in found]
        if missing and self.persisted is not None:
            with paused_gc():  # tens of thousands of tuples, no cycles
                loaded = self.persisted.load(
                    self.store.user_id, tz, [(d, *day_bounds(d, tz)) for d in missing],
                    self.intern_many,
                )
            for d, cells in loaded.items():
                self._remember((zone, d), generation, cells)
            found.update(loaded)
        for d in days:
            cells = found.get(d)
            if cells is None:
                with self._lock:
                    generation = self._generation
                built_at = int(time.time() * 1_000_000)
                with paused_gc():
                    cells = self._compute(d, tz)
                if self._remember((zone, d), generation, cells) and self.persisted is not None:
                    self.persisted.save(
                        self, generation, self.store.user_id, tz, d, cells, built_at)
            yield cells

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
