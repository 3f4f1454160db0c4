"""Every query2 function, on generated data: Hourwise answers what aw-core answers."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from hourwise.query.interpreter import parse_period, run_program
from hourwise.query.parser import parse
from tests.differential.datasets import PERIOD, datasets
from tests.differential.oracle import MemorySource, as_json, normalise, run_oracle

# aw-core's parser drops the argument that follows a nested call (``f(g(x), y)`` loses
# ``y``; documented in docs/query-language.md), so these programs only nest a call as
# the last argument and otherwise go through variables.
PRELUDE = (
    'w = query_bucket("aw-watcher-window_h"); a = query_bucket("aw-watcher-afk_h");'
    ' b = query_bucket("aw-watcher-web-firefox"); s = query_bucket("aw-stopwatch");'
    ' fw = flood(w); fa = flood(a); fb = flood(b);'
    ' na = filter_keyvals(fa, "status", ["not-afk"]); wb = concat(w, b);'
)
W, A, B, S = "w", "a", "b", "s"
RULES = (
    '[[["Work"], {"type": "regex", "regex": "code|Docs"}],'
    ' [["Work", "Programming"], {"type": "regex", "regex": "main\\\\.py", "select_keys": ["title"]}],'
    ' [["Media", "Games"], {"type": "regex", "regex": "fps|game", "ignore_case": true}],'
    ' [["Comms"], {"type": "regex", "regex": "Inbox", "priority": 50}],'
    ' [["Empty"], {"type": "none"}],'
    ' [["Browsing"], {"type": "regex", "regex": "(?i)firefox"}]]'
)
PROGRAMS = [
    "RETURN = w;",
    "RETURN = fw;",
    "RETURN = flood(a, 30);",
    "RETURN = flood(b, 1);",
    'RETURN = filter_keyvals(a, "status", ["not-afk"]);',
    'RETURN = exclude_keyvals(w, "app", ["code", "slack"]);',
    'RETURN = filter_keyvals(s, "extra", [1, 2]);',
    'RETURN = filter_keyvals_regex(w, "title", "^\\(\\d+\\)|py$");',
    'RETURN = filter_keyvals_regex(w, "app", "(?i)firefox");',
    'x = filter_keyvals(a, "status", ["not-afk"]); RETURN = filter_period_intersect(w, x);',
    "RETURN = filter_period_intersect(fw, fa);",
    "RETURN = filter_period_intersect(b, w);",
    "RETURN = period_union(a, b);",
    "RETURN = period_union(na, w);",
    "RETURN = union_no_overlap(s, w);",
    "x = sort_by_timestamp(w); y = sort_by_timestamp(b); RETURN = union_no_overlap(x, y);",
    "RETURN = union_no_overlap(fa, fw);",
    "RETURN = wb;",
    "RETURN = sort_by_timestamp(wb);",
    "RETURN = sort_by_duration(concat(w, a));",
    "x = sort_by_duration(w); RETURN = limit_events(x, 3);",
    "RETURN = sum_durations(w);",
    "RETURN = sum_durations(fw);",
    'RETURN = merge_events_by_keys(w, ["app", "title"]);',
    'RETURN = merge_events_by_keys(w, ["app"]);',
    'RETURN = merge_events_by_keys(s, ["label", "extra"]);',
    'RETURN = merge_events_by_keys(wb, ["app", "url"]);',
    "RETURN = merge_events_by_keys(w, []);",
    f'x = categorize(w, {RULES}); RETURN = sort_by_duration(merge_events_by_keys(x, ["$category"]));',
    f"RETURN = categorize(wb, {RULES});",
    'RETURN = tag(w, [["edit", {"regex": "py"}], ["all", {"regex": "."}], ["edit", {"regex": "main"}]]);',
    "RETURN = split_url_events(b);",
    'x = split_url_events(b); RETURN = merge_events_by_keys(x, ["$domain"]);',
    'RETURN = simplify_window_titles(w, "title");',
    'RETURN = simplify_window_titles(b, "title");',
    'RETURN = merge_subwatcher_fields(w, b, ["url", "title"]);',
    'x = filter_period_intersect(fb, w); RETURN = merge_subwatcher_fields(fw, x, ["url", "title"], "sub_wins");',
    'RETURN = merge_subwatcher_fields(w, [], ["url"]);',
    'RETURN = find_bucket("aw-watcher-window");',
    'RETURN = find_bucket("aw-", "h");',
    'RETURN = [nop(), STARTTIME, ENDTIME, NAME, true, false, 12, "a;b", {"k": [1, "x"]}];',
    ('events = filter_period_intersect(fw, na);'
     ' RETURN = {"apps": sort_by_duration(merge_events_by_keys(events, ["app"])),'
     ' "total": sum_durations(events)};'),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=datasets())
def test_every_function_matches_aw_core(data):
    source = MemorySource(data)
    periods = [parse_period(PERIOD)]
    for text in PROGRAMS:
        expected = normalise(run_oracle(source, [PRELUDE, text], [PERIOD]))
        actual = normalise(as_json(run_program(parse(PRELUDE + text), periods, source)))
        assert actual == expected, text
