"""Per-day activity cells kept in the database (table ``activity_cells``, migration 0005).

Building a local day's cells from raw events costs ~30 ms (reading, AFK and browser
splitting, slot sums); loading them back is one indexed read and a decode. Rows are a
cache of the raw events and are kept exactly as correct as the in-memory cells:

- one write listener on the root store (every user's writes) deletes the rows whose
  [start, end) a write touched — all of the user's rows when the span is unknown. It
  runs after the write's commit, under the store's write lock. Writes that cannot touch
  a stored row (heartbeats of today) are skipped without a query: the listener knows
  how far each user's stored rows reach.
- rows are written by one background thread, under the same write lock, and only if the
  index's generation log shows no write touched the day since its cells were built
  (``ActivityIndex._raced``): a write committed before the insert has already bumped
  the generation; one committed after it runs the listener, which deletes the row.
- only days that ended before the build began are stored, in named (IANA) zones; a
  row's bounds are checked against the zone's current rules when read.

Encoding (version 1, zlib): a little-endian header of four u32 (version and counts), the day's
subjects as JSON (``[activity, app, title, url, site, path, source]``, numbered from 0),
then per cell the slot number from the day's first 5-minute boundary (all u16), the
local subject numbers (u32) and the microseconds (i64), then each subject's day total
(i64).
"""

from __future__ import annotations

import logging
import queue
import struct
import sys
import threading
import time
import zlib
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import and_, delete, func, insert, select

from hourwise.analytics.periods import SLOT_US
from hourwise.categorize.classifier import Subject
from hourwise.store import Store
from hourwise.store.schema import activity_cells

if TYPE_CHECKING:
    from hourwise.analytics.index import ActivityIndex, DayCells

log = logging.getLogger(__name__)

VERSION = 1
_HEADER = struct.Struct("<IIII")  # version, len(subjects json), cells, subjects
_SWAP = sys.byteorder != "little"


def zone_name(tz: tzinfo) -> str | None:
    """The IANA name cells of this zone are stored under; None: do not store them."""
    if isinstance(tz, ZoneInfo) and tz.key:
        return tz.key
    return None


def encode(day: DayCells, subjects: list[tuple[Subject, str]]) -> bytes:
    local: dict[int, int] = {}
    table: list[list[Any]] = []
    base = day.start - day.start % SLOT_US
    slots, sids, amounts, totals = array("H"), array("I"), array("q"), array("q")
    for slot, sid, us in day.cells:
        n = local.get(sid)
        if n is None:
            n = local[sid] = len(table)
            subject, source = subjects[sid]
            table.append([*subject, source])
            totals.append(day.totals[sid])
        slots.append((slot - base) // SLOT_US)
        sids.append(n)
        amounts.append(us)
    parts = [slots, sids, amounts, totals]
    if _SWAP:
        for a in parts:
            a.byteswap()
    head = orjson.dumps(table)
    body = _HEADER.pack(VERSION, len(head), len(slots), len(table)) + head
    return zlib.compress(body + b"".join(a.tobytes() for a in parts), 1)


def _array(code: str, raw: bytes, at: int, count: int) -> tuple[array, int]:
    a = array(code)
    end = at + count * a.itemsize
    a.frombytes(raw[at:end])
    if len(a) != count:
        raise ValueError("truncated cells")
    if _SWAP:
        a.byteswap()
    return a, end


def decode(
    blob: bytes, start: int, end: int,
    intern: Callable[[list[tuple[Subject, str]]], list[int]],
) -> DayCells:
    """Cells from :func:`encode`'s bytes; ``intern(pairs)`` gives global subject ids.
    Totals are read at once, the cells themselves on first use. Raises ValueError for
    bytes it cannot read."""
    from hourwise.analytics.index import DayCells

    try:
        raw = zlib.decompress(blob)
        version, head_len, count, subjects = _HEADER.unpack_from(raw)
        if version != VERSION:
            raise ValueError(f"cells version {version}")
        at = _HEADER.size
        table = orjson.loads(raw[at:at + head_len])
        at += head_len
        slots, at = _array("H", raw, at, count)
        sids, at = _array("I", raw, at, count)
        amounts, at = _array("q", raw, at, count)
        sums, at = _array("q", raw, at, subjects)
        if len(table) != subjects or (count and max(sids) >= subjects):
            raise ValueError("inconsistent cells")
        ids = intern([(Subject(*entry[:6]), entry[6]) for entry in table])
    except (zlib.error, struct.error, orjson.JSONDecodeError, TypeError, IndexError) as exc:
        raise ValueError(f"unreadable cells: {exc}") from exc
    base = start - start % SLOT_US

    def unpack() -> list[tuple[int, int, int]]:
        return [(base + s * SLOT_US, ids[n], us) for s, n, us in zip(slots, sids, amounts)]

    return DayCells(start, end, totals=dict(zip(ids, sums)), unpack=unpack)


@dataclass
class _Pending:
    index: ActivityIndex
    generation: int
    user_id: int
    zone: str
    day: date
    cells: DayCells


CLEAN_SHUTDOWN = "activity_cells_clean_shutdown"


class CellStore:
    """The database side of :class:`ActivityIndex`: one per root store (all users)."""

    def __init__(self, store: Store, *, background: bool = True):
        self.store = store
        self._reach: dict[int, int] = {}  # user -> largest end_us of a stored row (or more)
        self._reach_lock = threading.Lock()
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._background = background
        self._thread: threading.Thread | None = None
        self.enabled = True
        c = activity_cells.c
        try:
            # Rows are dropped by write listeners after each commit; a crash between the
            # two would leave stale rows. So unless the last shutdown was clean, start over.
            if store.get_meta(CLEAN_SHUTDOWN) != "1":
                with store._write() as conn:
                    conn.execute(delete(activity_cells))
            store.set_meta(CLEAN_SHUTDOWN, "0")
            with store.engine.connect() as conn:
                for user_id, reach in conn.execute(
                    select(c.user_id, func.max(c.end_us)).group_by(c.user_id)
                ):
                    self._reach[user_id] = int(reach)
        except Exception:  # an unmigrated database: keep cells in memory only
            log.warning("activity_cells unreadable; per-day cells are not persisted", exc_info=True)
            self.enabled = False
            return
        store.add_write_listener(self._changed)

    # -- invalidation ------------------------------------------------------------------

    def _changed(self, user_id: int, _bucket: str, start: int | None, end: int | None) -> None:
        with self._reach_lock:
            reach = self._reach.get(user_id)
        if reach is None:
            return  # nothing stored for this user
        if start is not None and end is not None and start >= reach:
            return  # after every stored day (today's heartbeats)
        c = activity_cells.c
        where: Any = c.user_id == user_id
        if start is not None and end is not None:
            where = and_(where, c.start_us <= end, c.end_us > start)
        # Runs under the store's write lock (listeners do), so no insert interleaves.
        try:
            with self.store._write() as conn:
                conn.execute(delete(activity_cells).where(where))
        except Exception:
            # The write itself has committed; failing here would skip the listeners after
            # this one (the in-memory caches). Stop using stored cells in this process and
            # try to drop them all, so no stale row outlives it.
            log.exception("could not delete stored activity cells; no longer using them")
            self.enabled = False
            with self._reach_lock:
                self._reach.clear()
            try:
                with self.store._write() as conn:
                    conn.execute(delete(activity_cells))
            except Exception:
                log.exception("stored activity cells may be stale: delete the rows of "
                              "table activity_cells before the next start")

    # -- reading -----------------------------------------------------------------------

    def load(
        self, user_id: int, tz: tzinfo, days: list[tuple[date, int, int]], intern
    ) -> dict[date, DayCells]:
        """Stored cells of these (day, start, end) in one query; missing days are absent."""
        zone = zone_name(tz)
        if not self.enabled or zone is None or not days:
            return {}
        with self._reach_lock:
            if user_id not in self._reach:
                return {}
        bounds = {d.isoformat(): (d, s, e) for d, s, e in days}
        c = activity_cells.c
        out: dict[date, DayCells] = {}
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(c.day, c.start_us, c.end_us, c.version, c.cells).where(
                    c.user_id == user_id, c.zone == zone, c.day.in_(list(bounds))
                )
            ).all()
        for row in rows:
            day, start, end = bounds[row.day]
            if row.version != VERSION or row.start_us != start or row.end_us != end:
                continue  # another encoding, or the zone's rules changed: build again
            try:
                out[day] = decode(bytes(row.cells), start, end, intern)
            except ValueError:
                log.warning("unreadable activity cells for user %s, %s; rebuilding", user_id, day)
        return out

    # -- writing -----------------------------------------------------------------------

    def save(
        self, index: ActivityIndex, generation: int, user_id: int, tz: tzinfo, day: date,
        cells: DayCells, built_at: int,
    ) -> None:
        """Store a day's cells built from the events as of ``generation`` (later, in the
        background), unless a write touches the day first or it had not ended at
        ``built_at`` (UTC microseconds)."""
        zone = zone_name(tz)
        if not self.enabled or zone is None or cells.end > built_at:
            return
        item = _Pending(index, generation, user_id, zone, day, cells)
        if not self._background:
            self._write([item])
            return
        self._queue.put(item)
        if self._thread is None:
            with self._reach_lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="hourwise-cells", daemon=True)
                    self._thread.start()

    def close(self) -> None:
        """Write what is queued and record a clean shutdown (the rows can be trusted)."""
        if not self.enabled:
            return
        self.flush()
        if not self._queue.unfinished_tasks:
            self.store.set_meta(CLEAN_SHUTDOWN, "1")

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until every queued row is written (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.005)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            batch = [item]
            while len(batch) < 64:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._write([i for i in batch if i is not None])
            except Exception:  # a cache: losing a row only costs a rebuild
                log.warning("could not store activity cells", exc_info=True)
            finally:
                for _ in batch:
                    self._queue.task_done()

    def _write(self, items: list[_Pending]) -> None:
        if not items:
            return
        encoded = [(i, encode(i.cells, i.index.subjects)) for i in items]
        c = activity_cells.c
        with self.store._write() as conn:
            if not self.enabled:
                return
            # Under the write lock every committed write has been announced to the index,
            # so its log says whether the events changed since the cells were built.
            for item, blob in encoded:
                with item.index._lock:
                    if item.index._raced(item.generation, item.cells):
                        continue
                key = (c.user_id == item.user_id, c.zone == item.zone,
                       c.day == item.day.isoformat())
                conn.execute(delete(activity_cells).where(*key))
                conn.execute(insert(activity_cells).values(
                    user_id=item.user_id, zone=item.zone, day=item.day.isoformat(),
                    start_us=item.cells.start, end_us=item.cells.end, version=VERSION,
                    cells=blob))
                with self._reach_lock:
                    if self._reach.get(item.user_id, -1) < item.cells.end:
                        self._reach[item.user_id] = item.cells.end
