"""Transforms, especially where Hourwise deliberately differs from aw-core."""

from __future__ import annotations

import random

from hourwise.models import Event
from hourwise.transforms.classify import categorize, parse_classes
from hourwise.transforms.filter import filter_keyvals, filter_keyvals_regex
from hourwise.transforms.flood import flood
from hourwise.transforms.merge import chunk_events_by_key, merge_events_by_keys
from hourwise.transforms.period import filter_period_intersect, period_union, union_no_overlap
from hourwise.transforms.simplify import simplify_window_titles
from hourwise.transforms.split_url import split_url_events, url_parts
from hourwise.transforms.subwatcher import merge_subwatcher_fields

S = 1_000_000


def ev(start_s, dur_s, **data):
    return Event(None, int(start_s * S), int(dur_s * S), data)


def spans(events):
    return [(e.start / S, e.duration / S) for e in events]


def test_flood_fills_gaps_and_splits_different_data_at_the_midpoint():
    out = flood([ev(0, 10, a=1), ev(12, 10, a=1), ev(25, 5, a=2), ev(40, 1, a=2)])
    # As in aw-core, the merged-away event stays as a zero-length marker at 22 s, which
    # the next different-data gap then extends to the midpoint.
    assert spans(out) == [(0, 22), (22, 1.5), (23.5, 6.5), (40, 1)]


def test_flood_rounds_half_microseconds_to_even():
    out = flood([Event(1, 0, 10, {"a": 1}), Event(2, 13, 10, {"a": 2})], pulsetime=5_000_000)
    assert [(e.start, e.duration) for e in out] == [(0, 12), (12, 11)]  # 1.5 µs -> 2


def test_chunk_measures_the_gap_from_the_previous_event():
    # aw-core compares with the last event of the whole list: on newest-first input it
    # never merges; Hourwise merges runs whose gaps are under 5 s.
    events = [ev(0, 10, app="a"), ev(12, 10, app="a"), ev(40, 5, app="a"), ev(45, 5, app="b")]
    out = chunk_events_by_key(events, "app")
    assert [(e.data["app"], e.duration / S, len(e.data["subevents"])) for e in out] == [
        ("a", 20, 2), ("a", 5, 1), ("b", 5, 1)
    ]
    assert chunk_events_by_key([ev(0, 1, app="a"), ev(1, 1), ev(2, 1, app="a")], "app")[0].duration == S


def test_period_union_leaves_its_inputs_alone():
    a, b = [ev(0, 10, status="not-afk")], [ev(5, 10, url="u"), ev(30, 1, url="v")]
    out = period_union(a, b)
    assert spans(out) == [(0, 15), (30, 1)] and all(e.data == {} for e in out)
    assert b[1].data == {"url": "v"} and a[0].data == {"status": "not-afk"}


def test_filter_period_intersect_cuts_to_the_overlap():
    out = filter_period_intersect([ev(0, 10, a=1), ev(10, 10, a=2)], [ev(5, 10), ev(19, 5)])
    assert spans(out) == [(5, 5), (10, 5), (19, 1)]


def test_union_no_overlap_first_list_wins():
    out = union_no_overlap([ev(5, 5, w=1)], [ev(0, 20, w=2)])
    assert [(s, d, e.data["w"]) for (s, d), e in zip(spans(out), out)] == [(0, 5, 2), (5, 5, 1), (10, 10, 2)]


def test_merge_by_keys_groups_lists_and_dicts_by_value():
    out = merge_events_by_keys(
        [ev(0, 1, c=["W"], d={"x": [1]}), ev(1, 2, c=["W"], d={"x": [1]}), ev(3, 4, c=["M"])],
        ["c", "d"],
    )
    assert [(e.data, e.duration / S) for e in out] == [({"c": ["W"], "d": {"x": [1]}}, 3), ({"c": ["M"]}, 4)]


def test_filters_handle_odd_values():
    events = [ev(0, 1, k=1), ev(1, 1, k=1.0), ev(2, 1, k=True), ev(3, 1, k=["a"]), ev(4, 1, k="1")]
    assert len(filter_keyvals(events, "k", [1])) == 3
    assert len(filter_keyvals(events, "k", [["a"]])) == 1
    assert len(filter_keyvals_regex(events, "k", __import__("re").compile("1"))) == 1


def test_categorize_picks_deepest_then_priority_then_later():
    rules = parse_classes([
        [["Work"], {"regex": "code"}],
        [["Work", "Programming"], {"regex": "py$", "select_keys": ["title"]}],
        [["Comms"], {"regex": "mail", "priority": 99}],
        [["Later"], {"regex": "code"}],
        [["Never"], {"type": "none"}],
    ])
    cats = [e.data["$category"] for e in categorize(
        [ev(0, 1, app="code", title="a.py"), ev(1, 1, app="code mail"), ev(2, 1, app="x"),
         ev(3, 1, app="code")], rules)]
    assert cats == [["Work", "Programming"], ["Comms"], ["Uncategorized"], ["Later"]]


def test_url_parts():
    assert url_parts("https://www.example.com:8080/a/b;p?q=1#f") == {
        "$protocol": "https", "$domain": "example.com:8080", "$path": "/a/b", "$params": "p",
        "$options": "q=1", "$identifier": "f",
    }
    assert url_parts("file:///tmp/x")["$domain"] == "file"
    assert split_url_events([ev(0, 1, url=5)])[0].data == {"url": 5}


def test_simplify_window_titles():
    out = simplify_window_titles(
        [ev(0, 1, app="a", title="(3) ● main.py"), ev(1, 1, app="g", title="Cemu - FPS: 59.2"),
         ev(2, 1, title="● x"), ev(3, 1, app="a")], "title")
    assert [e.data.get("title") for e in out] == ["main.py", "Cemu - FPS: ...", "● x", None]


def test_merge_subwatcher_fields_splits_base_events():
    base = [ev(0, 10, app="code")]
    sub = [ev(2, 3, file="a.py"), ev(6, 2, file="b.py"), ev(7, 1, file="c.py")]
    out = merge_subwatcher_fields(base, sub, ["file"])
    assert [(s, d, e.data.get("file")) for (s, d), e in zip(spans(out), out)] == [
        (0, 2, None), (2, 3, "a.py"), (5, 1, None), (6, 1, "b.py"), (7, 1, "c.py"), (8, 2, None)
    ]


def test_categorize_remembers_categories_per_rule_set_and_string_values():
    rules = parse_classes([[["Code"], {"regex": "vim"}], [["Notes"], {"regex": "x", "select_keys": ["app"]}]])
    renamed = parse_classes([[["Editor"], {"regex": "vim"}], [["Notes"], {"regex": "x", "select_keys": ["app"]}]])
    events = [Event(1, 0, 1, {"app": "x", "title": "vim"}), Event(2, 1, 1, {"app": "vim", "title": "x"}),
              Event(3, 2, 1, {"app": "x", "title": "vim", "n": 1}), Event(4, 3, 1, {"app": "y"})]
    cats = [e.data["$category"] for e in categorize(events, rules)]
    assert cats == [["Notes"], ["Code"], ["Notes"], ["Uncategorized"]]
    assert [e.data["$category"] for e in categorize(events, rules)] == cats  # remembered
    assert [e.data["$category"] for e in categorize(events, renamed)] == \
           [["Notes"], ["Editor"], ["Notes"], ["Uncategorized"]]
    # the remembered category lists are never shared between events' data
    out = categorize(events, rules)
    assert out[0].data["$category"] is not out[2].data["$category"]


def _sweep_without_skipping(events, filters):
    """filter_period_intersect's sweep one event at a time (no skipping of runs)."""
    ev, fl = sorted(events, key=lambda e: e.start), sorted(filters, key=lambda e: e.start)
    out, i, j = [], 0, 0
    if not fl:
        return out
    fs, fe = fl[0].start, fl[0].end
    while i < len(ev):
        e = ev[i]
        s1, e1 = e.start, e.end
        if s1 <= fs and fe <= e1:
            out.append((e.id, fs, fe - fs))
        elif s1 <= fs < e1:
            out.append((e.id, fs, e1 - fs))
        elif s1 < fe <= e1:
            out.append((e.id, s1, fe - s1))
        elif fs <= s1 and e1 <= fe:
            out.append((e.id, s1, e1 - s1))
        else:
            if e1 <= fs:
                i += 1
                continue
            if fe > s1:
                i += 1
            j += 1
            if j >= len(fl):
                break
            fs, fe = fl[j].start, fl[j].end
            continue
        if e1 <= fe:
            i += 1
        else:
            j += 1
            if j >= len(fl):
                break
            fs, fe = fl[j].start, fl[j].end
    return out


def test_filter_period_intersect_skips_runs_inside_a_filter_exactly():
    rng = random.Random(3)
    for _ in range(300):
        events, t = [], 0
        for i in range(rng.randint(0, 40)):
            t += rng.choice([0, 0, 1, 5, -3])
            events.append(Event(i, t, rng.choice([0, 1, 4, 10, 60, -2]), {}))
        filters = [Event(None, rng.randint(-10, 150), rng.choice([0, 3, 20, 100]), {})
                   for _ in range(rng.randint(0, 6))]
        got = [(e.id, e.start, e.duration) for e in filter_period_intersect(events, filters)]
        assert got == _sweep_without_skipping(events, filters)
