"""Functions that add keys to event data, in columns: ``split_url_events`` and
``categorize``.

Both add keys computed from values the data already has, so each distinct data object
in use keeps pointing at its stored entry: ``categorize`` gives an ``OverlayTable``
(plus one shared dict per category), ``split_url_events`` a ``SplitUrlTable`` (URL
parts computed when asked for). The answers are the ``Event``-list transforms'
(``hourwise.transforms.split_url``, ``.classify``) exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from hourwise.transforms.classify import (
    Rule,
    category_finder,
    category_matcher,
    rules_signature,
)
from hourwise.transforms.columnar.frame import EventFrame
from hourwise.transforms.columnar.table import INT, OverlayTable, SplitUrlTable, Table

SPLIT = "split_url_events"


def _rebased(frame: EventFrame, used: np.ndarray, table: Table) -> EventFrame:
    """The frame with ``table`` (one entry per ``used`` ref, in order) as its table."""
    remap = np.zeros(len(frame.table), frame.refs.dtype)
    remap[used] = np.arange(len(used))
    return EventFrame(frame.ids, frame.starts, frame.durations, remap[frame.refs], table)


def split_url_events(frame: EventFrame) -> EventFrame:
    """Events whose data has a string ``url`` get ``url_parts(url)`` added. Splitting a
    frame this function built returns it unchanged."""
    if frame.table.made_by == SPLIT:
        return frame
    used = frame.used_refs()
    return _rebased(frame, used, SplitUrlTable(frame.table, used, made_by=SPLIT))


def categorize(frame: EventFrame, classes: Sequence[tuple[list[str], Rule]],
               tick: Callable[[], None] | None = None) -> EventFrame:
    """``$category`` set to the best matching category (see
    ``hourwise.transforms.classify.categorize``), found once per distinct data object;
    ``tick`` is called every 1024 of them. Stored data (a ``KeyedTable``) has its
    categories remembered by data id from one query to the next."""
    used = frame.used_refs()
    table = frame.table
    memos = getattr(table, "memos", None)
    if memos is None:
        category_of = category_finder(classes)
        categories = []
        for count, data in enumerate(table.rows(used.tolist()), 1):
            categories.append(category_of(data))
            if tick is not None and not count & 1023:
                tick()
    else:
        memo = memos.memo(("categorize", rules_signature(classes)))
        data_ids = table.data_ids[used]
        codes = memo.lookup(data_ids)
        todo = np.flatnonzero(codes < 0)
        if len(todo):
            category_of = category_matcher(classes)
            found = []
            for count, data in enumerate(table.rows(used[todo].tolist()), 1):
                found.append(category_of(data))
                if tick is not None and not count & 1023:
                    tick()
            codes[todo] = memo.remember(data_ids[todo], found)
        values = memo.values
        categories = [values[code] for code in codes.tolist()]
    shared: dict[int, dict[str, Any]] = {}  # by identity of the (shared) category list
    overlays = []
    for category in categories:
        overlay = shared.get(id(category))
        if overlay is None:
            overlay = shared[id(category)] = {"$category": category}
        overlays.append(overlay)
    table = OverlayTable(table, used, overlays, frozenset(["$category"]), made_by="categorize")
    return _rebased(frame, used, table)
