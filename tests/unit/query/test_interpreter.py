"""Evaluation: namespaces per period, argument checks, and limits."""

from __future__ import annotations

import pytest

from hourwise.models import Bucket, Event, parse_timestamp
from hourwise.query.errors import (
    QueryFunctionError,
    QueryInterpretError,
    QueryLimitError,
    QueryParseError,
)
from hourwise.query.interpreter import Limits, parse_period, run_program
from hourwise.query.parser import parse
from tests.differential.oracle import MemorySource

T0 = parse_timestamp("2024-01-01T10:00:00Z")
DATA = {"app": "code", "title": "x"}


@pytest.fixture
def source():
    events = [Event(i + 1, T0 + i * 60_000_000, 50_000_000, DATA) for i in range(20)]
    return MemorySource({"w": (Bucket("w", "currentwindow", "t", "h", 0), events)})


def run(source, text, periods=("2024-01-01/2024-01-02",), limits=Limits(), name=""):
    return run_program(parse(text), [parse_period(p, i) for i, p in enumerate(periods)],
                       source, name=name, limits=limits)


def test_one_result_per_period_with_its_own_namespace(source):
    periods = ["2024-01-01T10:00:00Z/2024-01-01T10:05:00Z", "2024-01-01T10:05:00Z/2024-01-02"]
    result = run(source, 'RETURN = [STARTTIME, sum_durations(query_bucket("w"))];', periods)
    assert result == [["2024-01-01T10:00:00+00:00", 250.0], ["2024-01-01T10:05:00+00:00", 750.0]]


def test_name_and_timeinterval(source):
    assert run(source, "RETURN = [NAME, TIMEINTERVAL];", ["2024-01-01/2024-01-02"], name="n") == [
        ["n", "2024-01-01T00:00:00+00:00/2024-01-02T00:00:00+00:00"]
    ]


def test_reassigned_starttime_moves_query_bucket(source):
    text = 'STARTTIME = "2024-01-01T10:15:00+00:00"; RETURN = sum_durations(query_bucket("w"));'
    assert run(source, text) == [250.0]


@pytest.mark.parametrize("text, error, message", [
    ("RETURN = x;", QueryInterpretError, "Tried to reference variable 'x' which is not defined at line 1, column 10"),
    ("RETURN = foo();", QueryInterpretError, "Tried to call function 'foo' which doesn't exist"),
    ("RETURN = sort_by_duration();", QueryInterpretError, "invalid amount of arguments: got 0"),
    ("RETURN = nop(1);", QueryInterpretError, "invalid amount of arguments: got 1"),
    ("RETURN = sort_by_duration(1);", QueryFunctionError, "Argument 1 (events) of sort_by_duration must be a list of events, got a number"),
    ("RETURN = sort_by_duration([1]);", QueryFunctionError, "must be a list of events, got a list"),
    ('RETURN = limit_events([], "3");', QueryFunctionError, "Argument 2 (count) of limit_events must be an integer"),
    ('RETURN = query_bucket("nope");', QueryFunctionError, "There's no bucket named 'nope' (in query_bucket() at line 1, column 10)"),
    ('RETURN = find_bucket("nope");', QueryFunctionError, "Unable to find bucket matching 'nope'"),
    ('RETURN = filter_keyvals_regex([], "a", "(");', QueryFunctionError, "Invalid regex '('"),
    ('RETURN = categorize([], [["Work", {"regex": "a"}]]);', QueryFunctionError, "category 0 must be a list of strings"),
    ('RETURN = categorize([], [[["Work"], {"regex": "("}]]);', QueryFunctionError, "invalid regex"),
    ('RETURN = categorize([], [[["W"], {"regex": "a", "priority": "high"}]]);', QueryFunctionError, "priority/weight must be an integer"),
    ('RETURN = merge_subwatcher_fields([], [], [], "mine");', QueryFunctionError, "conflict must be"),
    ('STARTTIME = "soon"; RETURN = query_bucket("w");', QueryFunctionError, "Unable to parse STARTTIME"),
])
def test_errors(source, text, error, message):
    with pytest.raises(error) as info:
        run(source, text)
    assert message in info.value.message


@pytest.mark.parametrize("period", ["garbage", "2024-01-01", "2024-01-01/tomorrow", 5])
def test_bad_periods(period):
    with pytest.raises(QueryParseError, match="Invalid timeperiod 0"):
        parse_period(period)


def test_size_limit(source):
    with pytest.raises(QueryLimitError, match="more than the limit of 30"):
        run(source, 'a = query_bucket("w"); RETURN = concat(a, a);', limits=Limits(max_events=30))
    with pytest.raises(QueryLimitError):
        run(source, 'RETURN = query_bucket("w");', limits=Limits(max_events=5))


def test_time_limit_is_checked_between_statements(source):
    text = 'a = query_bucket("w");' + "b = sort_by_duration(a);" * 20_000 + "RETURN = 1;"
    with pytest.raises(QueryLimitError, match="time limit of 0.01 s") as info:
        run(source, text, limits=Limits(time_seconds=0.01))
    assert info.value.status == 422 and info.value.body()["type"] == "QueryLimitExceeded"


def test_results_are_not_shared_between_variables(source):
    text = ('a = query_bucket("w"); b = categorize(a, [[["Work"], {"regex": "code"}]]);'
            ' c = period_union(a, a); RETURN = [a, b];')
    a, b = run(source, text)[0]
    assert "$category" not in a[0].data and b[0].data["$category"] == ["Work"]
    assert a[0].data == DATA


def test_variables_are_freed_after_their_last_use(source):
    from hourwise.query.interpreter import _dead_after

    text = ('a = query_bucket("w"); b = flood(a); unused = concat(a, b); '
            'RETURN = [sum_durations(b), STARTTIME]; after = RETURN;')
    program = parse(text)
    dead = dict(zip([s.target for s in program.statements], _dead_after(program)))
    assert dead == {"a": (), "b": (), "unused": ("a", "unused"), "RETURN": ("b",), "after": ("after",)}
    assert run(source, text) == [[1000.0, "2024-01-01T00:00:00+00:00"]]
    # reassignments and reads in nested calls, lists and dicts keep variables alive
    assert run(source, 'x = 1; y = {"k": [x]}; x = 2; RETURN = [x, y];') == [[2, {"k": [1]}]]


def test_flood_with_a_pulsetime_beyond_any_gap(source):
    # once a 500 (the pulsetime overflowed); it floods every gap, as a day-long one does
    huge = run(source, 'RETURN = flood(query_bucket("w"), 99999999999999999999);')
    day = run(source, 'RETURN = flood(query_bucket("w"), 86400);')
    assert huge == day and huge[0]
