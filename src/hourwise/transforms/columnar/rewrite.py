"""Functions that add keys to event data, in columns: ``split_url_events`` and
``categorize``.

Both add keys computed from values the data already has, so the result is an
``OverlayTable``: each distinct data object in use keeps pointing at its stored dict,
plus one shared dict of added keys per distinct URL or category. The answers are the
``Event``-list transforms' (``hourwise.transforms.split_url``, ``.classify``) exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from hourwise.transforms.classify import Rule, category_finder
from hourwise.transforms.columnar.frame import EventFrame
from hourwise.transforms.columnar.table import INT, OverlayTable
from hourwise.transforms.split_url import url_parts

SPLIT = "split_url_events"
URL_KEYS = frozenset(["$protocol", "$domain", "$path", "$params", "$options", "$identifier"])
NOTHING: dict[str, Any] = {}


def _overlaid(frame: EventFrame, used: np.ndarray, overlays: list[dict[str, Any]],
              keys: frozenset[str], name: str) -> EventFrame:
    table = OverlayTable(frame.table, used.tolist(), overlays, keys, made_by=name)
    remap = np.zeros(len(frame.table), INT)
    remap[used] = np.arange(len(used), dtype=INT)
    return EventFrame(frame.ids, frame.starts, frame.durations, remap[frame.refs], table)


def split_url_events(frame: EventFrame) -> EventFrame:
    """Events whose data has a string ``url`` get ``url_parts(url)`` added; each URL
    is parsed once. Splitting a frame this function built returns it unchanged."""
    if frame.table.made_by == SPLIT:
        return frame
    used = frame.used_refs()
    parts: dict[str, dict[str, str]] = {}
    overlays = []
    for url in frame.table.values("url", used.tolist()):
        if isinstance(url, str):
            if url in parts:
                found = parts[url]
            else:
                found = parts[url] = url_parts(url)
            overlays.append(NOTHING if found is None else found)
        else:
            overlays.append(NOTHING)
    return _overlaid(frame, used, overlays, URL_KEYS, SPLIT)


def categorize(frame: EventFrame, classes: Sequence[tuple[list[str], Rule]],
               tick: Callable[[], None] | None = None) -> EventFrame:
    """``$category`` set to the best matching category (see
    ``hourwise.transforms.classify.categorize``), found once per distinct data object;
    ``tick`` is called every 1024 of them."""
    used = frame.used_refs()
    category_of = category_finder(classes)
    table = frame.table
    shared: dict[int, dict[str, Any]] = {}  # by identity of the (shared) category list
    overlays = []
    for count, ref in enumerate(used.tolist(), 1):
        category = category_of(table[ref])
        overlay = shared.get(id(category))
        if overlay is None:
            overlay = shared[id(category)] = {"$category": category}
        overlays.append(overlay)
        if tick is not None and not count & 1023:
            tick()
    return _overlaid(frame, used, overlays, frozenset(["$category"]), "categorize")
