"""Event lists in columns: the query engine's working form of an event list.

A year of desktop activity is about a million events but only tens of thousands of
distinct data objects. An ``EventFrame`` keeps the events as four NumPy arrays (ids,
starts, durations, data refs) and the distinct data objects once, in a ``DataTable``;
the query functions then run as a few vectorised passes over the arrays, and anything
that looks at data runs once per table entry rather than once per event.

Times are integer microseconds, as everywhere in Hourwise. An id of ``-1`` stands for
"no id" (events a query built itself, such as merged ones); stored ids are positive.
Frames and tables are never changed after they are built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from hourwise.models import Event
from hourwise.models.timeutil import format_timestamp
from hourwise.transforms.columnar.table import INT, DataTable, KeyedTable, Table

NO_ID = -1
NARROW = np.int32  # refs (positions in a table) and, where they fit, ids
_INT32_MAX = 2**31 - 1

Data = dict[str, Any]


class EventFrame:
    """An event list in columns (see the module docstring)."""

    __slots__ = ("durations", "ids", "refs", "starts", "table")

    def __init__(self, ids: np.ndarray, starts: np.ndarray, durations: np.ndarray,
                 refs: np.ndarray, table: Table):
        self.ids = ids
        self.starts = starts
        self.durations = durations
        self.refs = refs
        self.table = table

    def __len__(self) -> int:
        return int(self.starts.shape[0])

    def __repr__(self) -> str:
        return f"EventFrame({len(self)} events, {len(self.table)} data objects)"

    @property
    def ends(self) -> np.ndarray:
        return self.starts + self.durations

    @classmethod
    def empty(cls) -> EventFrame:
        none = np.empty(0, INT)
        return cls(none, none, none, none, DataTable())

    @classmethod
    def from_events(cls, events: Sequence[Event]) -> EventFrame:
        """Columns of a list of ``Event`` (data objects shared by identity stay shared)."""
        table = DataTable()
        slots: dict[int, int] = {}
        refs = []
        for event in events:
            ref = slots.get(id(event.data))
            if ref is None:
                ref = slots[id(event.data)] = len(table)
                table.append(event.data)
            refs.append(ref)
        count = len(events)
        ids = np.fromiter((NO_ID if e.id is None else e.id for e in events), INT, count)
        starts = np.fromiter((e.start for e in events), INT, count)
        durations = np.fromiter((e.duration for e in events), INT, count)
        return cls(ids, starts, durations, np.array(refs, INT), table)

    def _datas(self) -> list[Any]:
        """The table's entries as dicts, built once each (``None`` where unused)."""
        table = self.table
        if type(table) is DataTable:
            return table
        datas: list[Any] = [None] * len(table)
        used = self.used_refs().tolist()
        for ref, data in zip(used, table.rows(used)):
            datas[ref] = data
        return datas

    def to_events(self) -> list[Event]:
        """The frame as ``Event`` objects (for functions without a columnar form)."""
        table = self._datas()
        return [
            Event(None if ident < 0 else ident, start, duration, table[ref])
            for ident, start, duration, ref in zip(
                self.ids.tolist(), self.starts.tolist(), self.durations.tolist(),
                self.refs.tolist())
        ]

    def to_json(self) -> list[dict[str, Any]]:
        """The ActivityWatch wire form of every event."""
        table = self._datas()
        return [
            {
                "id": None if ident < 0 else ident,
                "timestamp": format_timestamp(start),
                "duration": duration / 1_000_000,
                "data": table[ref],
            }
            for ident, start, duration, ref in zip(
                self.ids.tolist(), self.starts.tolist(), self.durations.tolist(),
                self.refs.tolist())
        ]

    def take(self, index: np.ndarray | slice) -> EventFrame:
        """The events at ``index`` (integer positions, a boolean mask or a slice)."""
        return EventFrame(self.ids[index], self.starts[index], self.durations[index],
                          self.refs[index], self.table)

    def used_refs(self) -> np.ndarray:
        """The table positions some event refers to, ascending."""
        if not len(self):
            return np.empty(0, INT)
        return np.flatnonzero(np.bincount(self.refs, minlength=len(self.table)))

    def map_data(self, rewrite: Callable[[Data], Data],
                 tick: Callable[[], None] | None = None, *, name: str = "") -> EventFrame:
        """The frame with ``rewrite(data)`` as every event's data, computed once per
        distinct data object in use. ``tick`` is called every 1024 objects; ``name``
        is recorded as the new table's ``made_by``."""
        used = self.used_refs()
        table = DataTable(made_by=name)
        for count, data in enumerate(self.table.rows(used.tolist()), 1):
            table.append(rewrite(data))
            if tick is not None and not count & 1023:
                tick()
        remap = np.zeros(len(self.table), INT)
        remap[used] = np.arange(len(used), dtype=INT)
        return EventFrame(self.ids, self.starts, self.durations, remap[self.refs], table)

    def value_mask(self, key: str, test: Callable[[Any], bool]) -> np.ndarray:
        """A boolean mask over the events: ``test(data[key])`` (``MISSING`` when the
        key is absent), evaluated once per distinct data object in use."""
        used = self.used_refs()
        hits = np.zeros(len(self.table), bool)
        values = self.table.values(key, used.tolist())
        hits[used] = np.fromiter(map(test, values), bool, len(used))
        return hits[self.refs]


def concat(frames: Sequence[EventFrame]) -> EventFrame:
    """The frames one after another; their tables are combined (shared ones once)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return EventFrame.empty()
    if len(frames) == 1:
        return frames[0]
    tables: list[Table] = []
    offsets: dict[int, int] = {}
    total = 0
    for frame in frames:
        if id(frame.table) not in offsets:
            offsets[id(frame.table)] = total
            tables.append(frame.table)
            total += len(frame.table)
    if len(tables) == 1:
        table = tables[0]
    elif all(type(t) is KeyedTable for t in tables):
        table = KeyedTable.joined(tables)
    else:
        table = DataTable((d for t in tables for d in t),
                          made_by=_common(t.made_by for t in tables))
    refs = np.concatenate([f.refs + offsets[id(f.table)] for f in frames])
    return EventFrame(
        np.concatenate([f.ids for f in frames]),
        np.concatenate([f.starts for f in frames]),
        np.concatenate([f.durations for f in frames]),
        refs,
        table,
    )


def _common(names: Any) -> str:
    distinct = set(names)
    return distinct.pop() if len(distinct) == 1 else ""


def stable_order(keys: np.ndarray) -> np.ndarray | None:
    """A stable ascending order of ``keys``, or None when they are already in order."""
    if len(keys) < 2 or bool(np.all(keys[1:] >= keys[:-1])):
        return None
    return np.argsort(keys, kind="stable")


def sorted_by_start(frame: EventFrame) -> EventFrame:
    """The frame ordered by start time, stable."""
    order = stable_order(frame.starts)
    return frame if order is None else frame.take(order)


def from_store(ids: np.ndarray, starts: np.ndarray, durations: np.ndarray,
               data_ids: np.ndarray, data: Any) -> EventFrame:
    """A frame from the store's columns: each event's id, start, duration and stored
    data id, and ``data``, the store's ``DataSlice`` of every data id used (ids
    ascending, values in columns by key)."""
    known = data.ids
    if len(known) and int(known[-1]) <= 4 * len(data_ids) + 4096:  # a lookup array pays off
        remap = np.zeros(int(known[-1]) + 1, NARROW)
        remap[known] = np.arange(len(known))
        refs = remap[data_ids]
    else:
        refs = np.searchsorted(known, data_ids).astype(NARROW)
    return EventFrame(narrowed(ids), starts, durations, refs,
                      KeyedTable(known, data.columns, data.memos))


def narrowed(values: np.ndarray) -> np.ndarray:
    """``values`` as int32 when they all fit (event ids nearly always do), else as
    they are. Functions keep the dtype of the ids and refs they are given: a year of
    window events is then 24 bytes an event rather than 32."""
    if len(values) and (int(values.max()) > _INT32_MAX or int(values.min()) < -_INT32_MAX):
        return values
    return values.astype(NARROW)
