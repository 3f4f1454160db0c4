"""The columnar transforms give exactly what the ``Event``-list transforms give.

The list versions are checked against aw-core in ``tests/differential``; here random
event lists (ties, overlaps, zero lengths, runs of equal data, Python-equal data of
different types) go through both forms and the results must be identical: same order,
same ids, same times, same data.
"""

from __future__ import annotations

import re
from unittest import mock

import numpy as np
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from hourwise.models import Event
from hourwise.store.data_columns import DataColumns
from hourwise.transforms import flood as list_flood
from hourwise.transforms import classify, merge, period, sort, split_url
from hourwise.transforms import filter as list_filter
from hourwise.transforms.columnar import flood, frame, rewrite, select
from hourwise.transforms.columnar import period as col_period
from hourwise.transforms.columnar import table as table_module
from hourwise.transforms.columnar.frame import EventFrame

SECOND = 1_000_000
DATAS = [{"app": "a"}, {"app": "b"}, {"app": "a", "title": "x"}, {"n": 1}, {"n": 1.0},
         {"n": True}, {"app": "b"}, {}, {"tags": ["x", "y"]}, {"tags": ["x", "y"]},
         {"url": "https://www.a.org/p;q?x=1#f", "title": "A"}, {"url": "about:blank"},
         {"url": "https://www.a.org/p;q?x=1#f", "title": "B", "$domain": "old"}, {"url": 5},
         {"app": "code", "title": "Gmail"}, {"url": "http://[::1/x"}]


@st.composite
def event_lists(draw, max_size: int = 40) -> list[Event]:
    count = draw(st.integers(0, max_size))
    t = 0
    out = []
    # Ids beyond int32 sometimes: stored frames then keep them as int64, not narrowed.
    first_id = draw(st.sampled_from([1, 1, 1, 2**31 - 3, 2**40]))
    for ident in range(first_id, first_id + count):
        t += draw(st.one_of(st.just(0), st.integers(-4 * SECOND, 8 * SECOND),
                            st.sampled_from([-50_000, 50_000, 99_999, -100_000, 1, -1])))
        duration = draw(st.one_of(st.just(0), st.integers(0, 20 * SECOND),
                                  st.sampled_from([1, 2, 3, SECOND])))
        data = DATAS[draw(st.integers(0, len(DATAS) - 1))]
        ident_value = draw(st.one_of(st.just(ident), st.none()))
        out.append(Event(ident_value, t, duration, data))
    if draw(st.booleans()):
        out.reverse()
    return out


_IDS_BY_TEXT: dict[bytes, int] = {}  # as in the store: one id per distinct data, for good
_TEXTS: dict[int, bytes] = {}


def stored(events, store: DataColumns | None = None) -> EventFrame:
    """The events as the store hands them to the query engine: one data id per distinct
    canonical JSON, the data in columns (``store``: the decoded-data columns to use)."""
    data_ids = []
    for event in events:
        text = orjson.dumps(event.data, option=orjson.OPT_SORT_KEYS)
        ident = _IDS_BY_TEXT.setdefault(text, 7 * len(_IDS_BY_TEXT) + 3)
        _TEXTS[ident] = text
        data_ids.append(ident)
    store = store if store is not None else DataColumns(1000)
    data_ids_a = np.array(data_ids, np.int64)
    data = store.slice(np.unique(data_ids_a), lambda wanted: [(i, _TEXTS[i]) for i in wanted])
    return frame.from_store(
        np.array([-1 if e.id is None else e.id for e in events], np.int64),
        np.array([e.start for e in events], np.int64),
        np.array([e.duration for e in events], np.int64), data_ids_a, data)


MAKERS = st.sampled_from([EventFrame.from_events, stored])


def rows(events) -> list[tuple]:
    return [(e.id, e.start, e.duration, e.data) for e in events]


def columns(result: EventFrame) -> list[tuple]:
    return rows(result.to_events())


@settings(max_examples=200, deadline=None)
@given(event_lists(), st.sampled_from([0, 1, SECOND // 2, 5 * SECOND, 30 * SECOND]), MAKERS)
def test_flood(events, pulse, make):
    assert columns(flood.flood(make(events), pulse)) == \
        rows(list_flood.flood(events, pulse))


@settings(max_examples=150, deadline=None)
@given(event_lists(), st.sampled_from([0, SECOND // 2, 5 * SECOND]), MAKERS,
       st.sampled_from([1, 2, 3, 7]))
def test_flood_in_slices(events, pulse, make, chunk):
    """The passes flood makes a slice at a time give the same answer at any slice size
    (a year of events is many slices)."""
    with mock.patch.object(flood, "_CHUNK", chunk):
        assert columns(flood.flood(make(events), pulse)) == \
            rows(list_flood.flood(events, pulse))


@settings(max_examples=300, deadline=None)
@given(event_lists(), event_lists(15), MAKERS)
def test_filter_period_intersect_and_union(events, filters, make):
    a, b = make(events), make(filters)
    assert columns(col_period.filter_period_intersect(a, b)) == \
        rows(period.filter_period_intersect(events, filters))
    assert columns(col_period.period_union(a, b)) == rows(period.period_union(events, filters))


@settings(max_examples=200, deadline=None)
@given(event_lists(), st.sampled_from([["app"], ["app", "title"], ["n"], ["tags"], ["tags", "app"], []]),
       MAKERS)
def test_merge_sort_filter(events, keys, make):
    f = make(events)
    assert columns(select.merge_events_by_keys(f, keys)) == \
        rows(merge.merge_events_by_keys(events, keys))
    assert columns(select.sort_by_duration(f)) == rows(sort.sort_by_duration(events))
    assert columns(select.sort_by_timestamp(f)) == rows(sort.sort_by_timestamp(events))
    assert select.sum_durations(f) == sort.sum_durations(events)
    assert columns(select.filter_keyvals(f, "app", ["a", 1])) == \
        rows(list_filter.filter_keyvals(events, "app", ["a", 1]))
    assert columns(select.filter_keyvals(f, "n", [1], keep=False)) == \
        rows(list_filter.exclude_keyvals(events, "n", [1]))
    pattern = re.compile("^a")
    assert columns(select.filter_keyvals_regex(f, "app", pattern)) == \
        rows(list_filter.filter_keyvals_regex(events, "app", pattern))


@settings(max_examples=200, deadline=None)
@given(event_lists(), st.sampled_from([["app"], ["app", "title"], ["n"], ["tags"], ["url"],
                                       ["tags", "app"], ["title", "url"]]))
def test_merge_by_fingerprints(events, keys):
    """Stored data grouped by fingerprint (as year-long tables are) groups as by value."""
    with mock.patch.object(table_module, "FINGERPRINT_FROM", 0):
        assert columns(select.merge_events_by_keys(stored(events), keys)) == \
            rows(merge.merge_events_by_keys(events, keys))


@given(event_lists(10), event_lists(10), MAKERS, MAKERS)
def test_concat_keeps_order_and_data(first, second, make_first, make_second):
    combined = frame.concat([make_first(first), make_second(second)])
    assert columns(combined) == rows(first + second)
    # equal data in both (stored: the same data id twice) floods as one
    assert columns(flood.flood(combined, 5 * SECOND)) == \
        rows(list_flood.flood(first + second, 5 * SECOND))


def test_long_runs_of_equal_data_chain_through_the_walk():
    # every gap is under the pulsetime and every event has the same data, so each
    # step of the pairwise pass depends on the one before: all of it is one walk
    same = {"app": "a"}
    events = [Event(i, i * 3 * SECOND, 2 * SECOND, same) for i in range(1, 2000)]
    flooded = flood.flood(EventFrame.from_events(events))
    assert columns(flooded) == rows(list_flood.flood(events))
    assert flooded.starts[0] == 3 * SECOND and flooded.ends[-1] == 1999 * 3 * SECOND + 2 * SECOND


@settings(max_examples=300, deadline=None)
@given(event_lists(), event_lists(15), st.booleans(), MAKERS)
def test_intersect_of_flooded_lists(events, filters, doubled, make):
    # ends in order on both sides: the merged-walk path (filters may repeat, as when
    # the web UI concatenates two overlapping selections of the same window events)
    events = list_flood.flood(events, 0)
    filters = list_flood.flood(filters, 0)
    if doubled:
        filters = sort.sort_by_timestamp(filters + filters[::2])
    a, b = make(events), make(filters)
    expected = rows(period.filter_period_intersect(events, filters))
    assert columns(col_period.filter_period_intersect(a, b)) == expected
    saved = col_period._PAIRS_AT_ONCE
    col_period._PAIRS_AT_ONCE = 3  # the pairs in several slices
    try:
        assert columns(col_period.filter_period_intersect(a, b)) == expected
    finally:
        col_period._PAIRS_AT_ONCE = saved


RULES = classify.parse_classes([
    [["Work"], {"type": "regex", "regex": "code|a\\.org"}],
    [["Work", "Mail"], {"type": "regex", "regex": "Gmail", "select_keys": ["title"]}],
    [["Fun"], {"type": "regex", "regex": "B", "ignore_case": True}],
])


@settings(max_examples=150, deadline=None)
@given(event_lists(), MAKERS)
def test_split_urls_and_categories_as_overlays(events, make):
    f = make(events)
    split = rewrite.split_url_events(f)
    listed = split_url.split_url_events(events)
    assert columns(split) == rows(listed)
    assert rewrite.split_url_events(split) is split
    assert columns(select.merge_events_by_keys(split, ["$domain", "title"])) == \
        rows(merge.merge_events_by_keys(listed, ["$domain", "title"]))
    categorized = rewrite.categorize(split, RULES)
    listed = classify.categorize(listed, RULES)
    assert columns(categorized) == rows(listed)
    assert columns(select.filter_keyvals(categorized, "$category", [["Work"], ["Fun"]])) == \
        rows(list_filter.filter_keyvals(listed, "$category", [["Work"], ["Fun"]]))
    assert columns(select.merge_events_by_keys(categorized, ["$category"])) == \
        rows(merge.merge_events_by_keys(listed, ["$category"]))
    assert columns(flood.flood(categorized)) == rows(list_flood.flood(listed))
    assert columns(frame.concat([categorized, f])) == rows(listed + events)


@settings(max_examples=100, deadline=None)
@given(event_lists(), event_lists())
def test_stored_categories_and_domains_are_remembered_by_data_id(first, second):
    store = DataColumns(1000)
    for events in (first, second, first):  # the second time round from the memo
        assert columns(rewrite.categorize(stored(events, store), RULES)) == \
            rows(classify.categorize(events, RULES))
        split = rewrite.split_url_events(stored(events, store))
        listed = split_url.split_url_events(events)
        for key in ("$domain", "$protocol", "$path"):
            assert columns(select.merge_events_by_keys(split, [key])) == \
                rows(merge.merge_events_by_keys(listed, [key]))
    other_rules = RULES[:1]
    assert columns(rewrite.categorize(stored(first, store), other_rules)) == \
        rows(classify.categorize(first, other_rules))


def test_stored_frames_narrow_ids_and_refs_only_where_they_fit():
    small = stored([Event(5, 0, 1, {"app": "a"}), Event(None, 1, 1, {"app": "b"})])
    assert small.ids.dtype == np.int32 and small.refs.dtype == np.int32
    assert small.ids.tolist() == [5, -1]
    wide = stored([Event(2**31, 0, 1, {"app": "a"}), Event(7, 1, 1, {"app": "a"})])
    assert wide.ids.dtype == np.int64 and wide.ids.tolist() == [2**31, 7]
    # a narrow frame meeting a wide one: nothing is cut down to int32
    both = frame.concat([small, wide])
    assert both.ids.tolist() == [5, -1, 2**31, 7]
    cut = col_period.filter_period_intersect(wide, small)
    assert cut.ids.tolist() == [2**31, 7] and cut.ids.dtype == np.int64
