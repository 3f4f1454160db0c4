"""Every query2 function. Each is a thin, documented wrapper over a pure transform.

Semantics follow aw-core 0.5.18 (ActivityWatch's Python server); the few deliberate
differences are listed in ``docs/query-language.md``. Docstrings here are the
language reference: ``hourwise.query.reference`` renders them into the docs.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from hourwise.errors import NotFound
from hourwise.query.errors import QueryFunctionError
from hourwise.query.interpreter import Context
from hourwise.query.registry import REGISTRY, query_function
from hourwise.query.values import EventList, as_events, as_frame
from hourwise.transforms import classify, merge, period, simplify, subwatcher
from hourwise.transforms.columnar import flood as flooding
from hourwise.transforms.columnar import frame as frames
from hourwise.transforms.columnar import period as periods
from hourwise.transforms.columnar import rewrite, select
from hourwise.transforms.columnar.frame import EventFrame

__all__ = ["REGISTRY"]

MAX_PULSE_SECONDS = 10**12


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise QueryFunctionError(f"Invalid regex {pattern!r}: {exc}") from None


# -- reading buckets -------------------------------------------------------------------


@query_function(bucket_id="str")
def query_bucket(ctx: Context, bucket_id: str) -> EventFrame:
    """Events of the bucket that overlap the period, cut to the period, newest first.

    The period is read from `STARTTIME` and `ENDTIME`. An unknown bucket is an error.
    """
    start, end = ctx.time_of("STARTTIME"), ctx.time_of("ENDTIME")
    ctx.reads.spans.append(((ctx.user_id, bucket_id), start, end))
    columns = getattr(ctx.source, "event_columns", None)
    try:
        if columns is not None:
            read = columns(bucket_id, start, end, ctx.limits.max_events + 1)
            return ctx.sized(frames.from_store(read.ids, read.starts, read.durations,
                                               read.data_ids, read.data))
        events = ctx.source.get_events(bucket_id, start, end, ctx.limits.max_events + 1)
    except NotFound:
        raise QueryFunctionError(f"There's no bucket named '{bucket_id}'") from None
    return ctx.sized(EventFrame.from_events(events))


@query_function(bucket_id="str")
def query_bucket_eventcount(ctx: Context, bucket_id: str) -> int:
    """How many events of the bucket overlap the period."""
    start, end = ctx.time_of("STARTTIME"), ctx.time_of("ENDTIME")
    ctx.reads.spans.append(((ctx.user_id, bucket_id), start, end))
    try:
        return ctx.source.count_events(bucket_id, start, end)
    except NotFound:
        raise QueryFunctionError(f"There's no bucket named '{bucket_id}'") from None


@query_function()
def query_bucket_names(ctx: Context) -> list[str]:
    """The ids of every bucket (from aw-server-rust)."""
    ctx.reads.listing = True
    return [bucket.id for bucket in ctx.source.list_buckets()]


@query_function(filter="str", hostname="str?")
def find_bucket(ctx: Context, filter: str, hostname: str | None = None) -> str:
    """The id of a bucket whose id contains `filter` (and, when given, whose hostname is
    `hostname`). A bucket whose id equals `filter` wins; otherwise the oldest matching
    bucket. An error when none matches.
    """
    ctx.reads.listing = True
    buckets = sorted(ctx.source.list_buckets(), key=lambda b: (b.created, b.id))
    candidates = [b for b in buckets if filter in b.id and (not hostname or b.hostname == hostname)]
    for bucket in candidates:
        if bucket.id == filter:
            return bucket.id
    if candidates:
        return candidates[0].id
    raise QueryFunctionError(
        f"Unable to find bucket matching '{filter}' (hostname filter set to '{hostname}')"
    )


# -- filtering -------------------------------------------------------------------------


@query_function(events="events", key="str", values="list")
def filter_keyvals(ctx: Context, events: list, key: str, values: list) -> EventList:
    """Events whose `data[key]` equals one of `values`; events without the key are dropped."""
    return ctx.sized(select.filter_keyvals(as_frame(events), key, values))


@query_function(events="events", key="str", values="list")
def exclude_keyvals(ctx: Context, events: list, key: str, values: list) -> EventList:
    """Events whose `data[key]` equals none of `values`; events without the key are kept."""
    return ctx.sized(select.filter_keyvals(as_frame(events), key, values, keep=False))


@query_function(events="events", key="str", regex="str")
def filter_keyvals_regex(ctx: Context, events: list, key: str, regex: str) -> EventList:
    """Events whose `data[key]` is a string in which `regex` is found (not anchored).

    Python regex syntax; `(?i)` at the start makes it case-insensitive. Values that are
    not strings never match.
    """
    return ctx.sized(select.filter_keyvals_regex(as_frame(events), key, _compile(regex)))


@query_function(events="events", filter_events="events")
def filter_period_intersect(ctx: Context, events: list, filter_events: list) -> EventList:
    """The parts of `events` that overlap some event of `filter_events`, cut to the
    overlap and sorted by time. The usual AFK filter:
    `filter_period_intersect(window, not_afk)`.
    """
    return ctx.sized(periods.filter_period_intersect(as_frame(events), as_frame(filter_events)))


@query_function(events1="events", events2="events")
def period_union(ctx: Context, events1: list, events2: list) -> EventList:
    """The time covered by either list, as sorted, non-overlapping events with empty data."""
    return ctx.sized(periods.period_union(as_frame(events1), as_frame(events2)))


@query_function(events1="events", events2="events")
def union_no_overlap(ctx: Context, events1: list, events2: list) -> EventList:
    """Both lists merged (in the order given, not sorted); where they overlap `events1`
    wins and `events2` events are cut around it."""
    return ctx.sized(period.union_no_overlap(as_events(events1), as_events(events2)))


@query_function(events="events", count="int")
def limit_events(ctx: Context, events: list, count: int) -> EventList:
    """The first `count` events."""
    return ctx.sized(as_frame(events).take(slice(None, count)))


# -- combining and ordering ------------------------------------------------------------


@query_function(events1="events", events2="events", variadic=True)
def concat(ctx: Context, *lists: list) -> EventList:
    """The lists one after the other (two or more)."""
    return ctx.sized(frames.concat([as_frame(events) for events in lists]))


@query_function(events="events")
def sort_by_timestamp(ctx: Context, events: list) -> EventList:
    """Oldest first (stable)."""
    return ctx.sized(select.sort_by_timestamp(as_frame(events)))


@query_function(events="events")
def sort_by_duration(ctx: Context, events: list) -> EventList:
    """Longest first (stable)."""
    return ctx.sized(select.sort_by_duration(as_frame(events)))


@query_function(events="events")
def sum_durations(ctx: Context, events: list) -> float:
    """The total duration in seconds (a number)."""
    return select.sum_durations(as_frame(events)) / 1_000_000


@query_function(events="events", keys="strings")
def merge_events_by_keys(ctx: Context, events: list, keys: list) -> EventList:
    """One event per distinct combination of the values of `keys`, with the summed
    duration, the start of the group's first event and only the `keys` as data.

    Events lacking some of the keys are grouped by the keys they have; `keys=[]`
    returns the events unchanged. Groups appear in order of first appearance.
    """
    return ctx.sized(select.merge_events_by_keys(as_frame(events), keys))


@query_function(events="events", key="str")
def chunk_events_by_key(ctx: Context, events: list, key: str) -> EventList:
    """Merge runs of neighbouring events with equal `data[key]` (gaps under 5 s) into
    events with data `{key: value, "subevents": [...]}`. Stops at the first event
    without `key`.
    """
    return ctx.sized(merge.chunk_events_by_key(as_events(events), key))


@query_function(events="events", pulsetime="number")
def flood(ctx: Context, events: list, pulsetime: float = 5) -> EventList:
    """Fill gaps of at most `pulsetime` seconds between events: equal-data neighbours
    merge, different ones both extend to the middle of the gap. Removes overlaps (the
    later event wins) and zero-length events; the result is sorted by time.
    """
    # Longer than any gap between two timestamps (years 1 to 9999), and small enough
    # for timedelta and int64: a larger pulsetime floods exactly as much.
    pulse_us = timedelta(seconds=min(pulsetime, MAX_PULSE_SECONDS)) // timedelta(microseconds=1)
    return ctx.sized(flooding.flood(as_frame(events), pulse_us))


@query_function(base_events="events", sub_events="events", keys="strings", conflict="str")
def merge_subwatcher_fields(
    ctx: Context, base_events: list, sub_events: list, keys: list, conflict: str = "base_wins"
) -> EventList:
    """Split base events where overlapping `sub_events` begin and end, and copy `keys`
    from the latest-starting overlapping subwatcher event into each piece. `conflict`
    is `"base_wins"` (keep keys the base already has) or `"sub_wins"`.
    """
    try:
        return ctx.sized(subwatcher.merge_subwatcher_fields(
            as_events(base_events), as_events(sub_events), keys, conflict))
    except ValueError as exc:
        raise QueryFunctionError(str(exc)) from None


# -- watcher-specific ------------------------------------------------------------------


@query_function(events="events")
def split_url_events(ctx: Context, events: list) -> EventList:
    """For events with a `url`, add `$protocol`, `$domain` (without `www.`; the scheme
    for URLs without a host), `$path`, `$params`, `$options` (query string) and
    `$identifier` (fragment).
    """
    return ctx.sized(rewrite.split_url_events(as_frame(events)))


@query_function(events="events", key="str")
def simplify_window_titles(ctx: Context, events: list, key: str) -> EventList:
    """Strip `(N)` counters from `data[key]`; for `title` on window events also drop a
    leading `●`/`*` and replace `FPS: <number>` by `FPS: ...`.
    """
    return ctx.sized(simplify.simplify_window_titles(as_events(events), key))


@query_function(events="events", classes="list")
def categorize(ctx: Context, events: list, classes: list) -> EventList:
    """Set `data["$category"]` from rules `[[["Work", "Programming"], {"regex": ...}], ...]`.

    A rule has `regex`, optional `ignore_case`, `select_keys` (data keys to test;
    default every string value) and `priority`/`weight`. The highest-ranked matching
    rule wins (rank = priority, or 10 × depth), later rules winning ties; no match
    gives `["Uncategorized"]`.
    """
    try:
        rules = classify.parse_classes(classes)
    except classify.RuleError as exc:
        raise QueryFunctionError(str(exc)) from None
    return ctx.sized(rewrite.categorize(as_frame(events), rules, ctx.budget.check))


@query_function(events="events", classes="list")
def tag(ctx: Context, events: list, classes: list) -> EventList:
    """Set `data["$tags"]` to every tag whose rule matches, from `[["tag", {rule}], ...]`,
    in rule order."""
    try:
        rules = classify.parse_classes(classes, tags=True)
    except classify.RuleError as exc:
        raise QueryFunctionError(str(exc)) from None
    return ctx.sized(as_frame(events).map_data(classify.tagger(rules), ctx.budget.check))


# -- other -----------------------------------------------------------------------------


@query_function(collection="collection", value="any")
def contains(ctx: Context, collection: Any, value: Any) -> bool:
    """Whether the list holds `value`, or the dict has the key `value` (from aw-server-rust)."""
    try:
        return value in collection
    except TypeError:
        return False


@query_function()
def nop(ctx: Context) -> int:
    """Does nothing and returns 1 (for tests)."""
    return 1
