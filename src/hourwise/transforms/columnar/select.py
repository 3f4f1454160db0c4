"""Choosing, ordering and totalling events in columns.

Each function matches its ``Event``-list counterpart in ``hourwise.transforms``
(``filter``, ``sort``, ``merge``) exactly; the predicates and grouping keys run once
per distinct data object.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from hourwise.transforms.columnar.frame import INT, NO_ID, EventFrame, stable_order
from hourwise.transforms.columnar.table import MISSING, ProjectedTable
from hourwise.transforms.filter import _Membership
from hourwise.models.value_prints import freeze

EXACT_FLOAT_SUM = 2**53  # below this, float64 sums of integers are exact


def filter_keyvals(frame: EventFrame, key: str, values: Sequence[Any], *,
                   keep: bool = True) -> EventFrame:
    """Events whose ``data[key]`` equals one of ``values`` (``keep=False``: the others)."""
    members = _Membership(values)
    mask = frame.value_mask(key, lambda value: value is not MISSING and value in members)
    return frame.take(mask if keep else ~mask)


def filter_keyvals_regex(frame: EventFrame, key: str, pattern: re.Pattern[str]) -> EventFrame:
    """Events whose ``data[key]`` is a string the regex finds a match in."""
    search = pattern.search
    return frame.take(frame.value_mask(
        key, lambda value: isinstance(value, str) and search(value) is not None))


def sort_by_timestamp(frame: EventFrame) -> EventFrame:
    """Oldest first, stable."""
    order = stable_order(frame.starts)
    return frame if order is None else frame.take(order)


def sort_by_duration(frame: EventFrame) -> EventFrame:
    """Longest first, stable (equal durations keep their order)."""
    order = stable_order(-frame.durations)
    return frame if order is None else frame.take(order)


def sum_durations(frame: EventFrame) -> int:
    """Total duration in microseconds."""
    return int(frame.durations.sum(dtype=INT))


def _group_codes(frame: EventFrame, keys: Sequence[str]) -> np.ndarray:
    """Per event, its group number (groups numbered in table order)."""
    table = frame.table
    finder = getattr(table, "value_codes", None)
    if finder is not None:
        in_use = frame.used_refs()
        codes = finder(keys, in_use)
        if codes is not None:  # stored data: by fingerprint, the values never built
            code_of_ref = np.zeros(len(table), INT)
            code_of_ref[in_use] = codes
            return code_of_ref[frame.refs]
    used = frame.used_refs().tolist()
    if len(keys) == 1:
        values = table.values(keys[0], used)
    else:
        columns = [table.values(key, used) for key in keys]
        values = [tuple([v for v in row if v is not MISSING]) for row in zip(*columns)]
    groups: dict[Any, int] = {}
    try:
        codes = [groups.setdefault(value, len(groups)) for value in values]
    except TypeError:  # list or dict values (such as $category): group by content
        groups.clear()
        frozen = ((tuple(map(freeze, v)) if type(v) is tuple else freeze(v)) for v in values)
        codes = [groups.setdefault(value, len(groups)) for value in frozen]
    code_of_ref = np.zeros(len(table), INT)
    code_of_ref[used] = codes
    return code_of_ref[frame.refs]


def merge_events_by_keys(frame: EventFrame, keys: Sequence[str]) -> EventFrame:
    """One event per distinct combination of the ``keys`` values, durations summed,
    starting where the group's first event (in input order) starts, with only the
    grouped keys as data; groups in order of first appearance. ``keys=[]`` returns the
    input unchanged."""
    if not keys or not len(frame):
        return frame if not keys else EventFrame.empty()
    codes = _group_codes(frame, keys)
    groups = int(codes.max()) + 1
    durations = frame.durations
    if int(np.abs(durations).sum(dtype=INT)) < EXACT_FLOAT_SUM:
        totals = np.bincount(codes, weights=durations, minlength=groups).astype(INT)
    else:  # too large for exact float sums: slower, exact integer sums
        totals = np.zeros(groups, INT)
        np.add.at(totals, codes, durations)
    positions = np.arange(len(frame), dtype=INT)
    first = np.empty(groups, INT)
    first[codes[::-1]] = positions[::-1]  # the last write wins: each group's first event
    order = np.argsort(first, kind="stable")
    first = first[order]
    datas = ProjectedTable(frame.table, frame.refs[first].tolist(), keys)
    return EventFrame(np.full(len(first), NO_ID, INT), frame.starts[first], totals[order],
                      np.arange(len(first), dtype=INT), datas)
