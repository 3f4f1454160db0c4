"""``POST /api/0/query/`` over HTTP against a real server."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

DAY = "2024-01-01T00:00:00+00:00/2024-01-02T00:00:00+00:00"


@pytest.fixture
def window(http, bucket):
    events = [
        {"timestamp": f"2024-01-01T10:{m:02d}:00+00:00", "duration": 58.5,
         "data": {"app": "code" if m % 3 else "firefox", "title": f"t{m % 4}"}}
        for m in range(30)
    ]
    assert http.post(f"/buckets/{bucket}/events", json=events).status_code == 200
    return bucket


def query(http, lines, periods=(DAY,), **params):
    return http.post("/query/", json={"timeperiods": list(periods), "query": lines}, params=params)


def test_web_ui_style_query(http, window):
    lines = [
        f'events = flood(query_bucket("{window}"));',
        'events = categorize(events, [[["Work"], {"type": "regex", "regex": "code"}]]);',
        'RETURN = {"apps": sort_by_duration(merge_events_by_keys(events, ["app"])),',
        '          "cats": merge_events_by_keys(events, ["$category"]), "total": sum_durations(events)};',
    ]
    response = query(http, lines)
    assert response.status_code == 200, response.text
    (result,) = response.json()
    assert [e["data"]["app"] for e in result["apps"]] == ["code", "firefox"]
    first = result["apps"][0]
    assert first["id"] is None and first["data"] == {"app": "code"}
    # flood() gave each app half of every 1.5 s gap between different apps
    assert first["timestamp"] == "2024-01-01T10:00:59.250000+00:00"
    assert first["duration"] == pytest.approx(1199.25)
    assert {tuple(e["data"]["$category"]) for e in result["cats"]} == {("Work",), ("Uncategorized",)}
    assert result["total"] == pytest.approx(1798.5)


def test_one_result_per_period_and_name(http, window):
    periods = ["2024-01-01T10:00:00Z/2024-01-01T10:10:00Z", "2024-01-01T10:10:00Z/2024-01-01T11:00:00Z",
               "2024-01-02/2024-01-03"]
    response = query(http, [f'RETURN = [NAME, query_bucket_eventcount("{window}")];'], periods, name="me")
    assert response.json() == [["me", 11], ["me", 20], ["me", 0]]  # both ends inclusive
    # Both path forms, and the cache parameter, work.
    response = http.post("/query", params={"cache": "false"},
                         json={"timeperiods": [DAY], "query": ["RETURN = nop();"]})
    assert response.json() == [1]


@pytest.mark.parametrize("lines, kind, message", [
    (["a = 1;"], "QueryParseException", "Query doesn't assign the RETURN variable"),
    (["RETURN = ;"], "QueryParseException", "Nothing to assign"),
    (["a = 1", "RETURN = a;"], "QueryParseException", "at line 2, column 1"),
    (["RETURN = foo();"], "QueryInterpretException", "Tried to call function 'foo' which doesn't exist"),
    (["RETURN = x;"], "QueryInterpretException", "Tried to reference variable 'x'"),
    (['RETURN = query_bucket("no-such-bucket");'], "QueryFunctionException", "There's no bucket named 'no-such-bucket'"),
    (["RETURN = sort_by_duration(1);"], "QueryFunctionException", "must be a list of events"),
    (["RETURN = sort_by_duration();"], "QueryInterpretException", "invalid amount of arguments"),
    (['RETURN = filter_keyvals_regex([], "k", "(");'], "QueryFunctionException", "Invalid regex"),
])
def test_query_errors_are_400_with_type_and_message(http, lines, kind, message):
    response = query(http, lines)
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == kind and message in body["message"]


@pytest.mark.parametrize("body", [
    {"timeperiods": ["garbage"], "query": ["RETURN = 1;"]},
    {"timeperiods": ["2024-01-01/nope"], "query": ["RETURN = 1;"]},
    {"timeperiods": [DAY]},
    {"query": ["RETURN = 1;"]},
    {"timeperiods": DAY, "query": ["RETURN = 1;"]},
    {"timeperiods": [DAY], "query": "RETURN = 1;"},
    [],
])
def test_malformed_requests_are_400(http, body):
    response = http.post("/query/", json=body)
    assert response.status_code == 400 and "message" in response.json()


def test_malformed_json_is_400(http):
    response = http.post("/query/", content=b'{"timeperiods": [', headers={"Content-Type": "application/json"})
    assert response.status_code == 400


def test_runaway_query_hits_the_time_limit_without_blocking_others(start_server, tmp_path):
    # The runaway query is cut off after 2 s. Other requests must be served meanwhile,
    # not queued behind it: the interpreter offers the GIL every few milliseconds, so /info answers
    # in milliseconds. A server that blocked would answer the first /info (sent 0.3 s
    # in) only after about 1.7 s, so the bounds below fail if it does.
    server = start_server("--testing", env={"HOURWISE_QUERY_TIME_LIMIT": "2"})
    api = server.api
    with httpx.Client(base_url=api, timeout=30) as client:
        client.post("/buckets/b", json={"client": "t", "type": "x", "hostname": "h"})
        # 20,000 events with distinct keys: each merge below takes milliseconds however
        # fast the engine gets, so the program as a whole takes minutes without the limit
        client.post("/buckets/b/events", json=[
            {"timestamp": f"2024-01-01T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z",
             "duration": 1, "data": {"k": i}}
            for i, s in enumerate(range(0, 80_000, 4))
        ])
        # minutes of work in a program short enough to parse quickly (parsing is not
        # what this test measures)
        slow = (['a = query_bucket("b");']
                + ["x = merge_events_by_keys(concat(a, a), [\"k\"]);"] * 20_000 + ["RETURN = 1;"])
        outcome = {}

        def run_slow():
            started = time.monotonic()
            outcome["response"] = httpx.post(f"{api}/query/", json={"timeperiods": [DAY], "query": slow},
                                             timeout=30)
            outcome["seconds"] = time.monotonic() - started

        thread = threading.Thread(target=run_slow)
        thread.start()
        time.sleep(0.3)
        latencies = []
        while thread.is_alive():
            started = time.monotonic()
            assert client.get("/info").status_code == 200
            latencies.append(time.monotonic() - started)
            time.sleep(0.05)
        thread.join()
    response = outcome["response"]
    assert response.status_code == 422, response.text
    assert response.json()["type"] == "QueryLimitExceeded"
    assert "time limit of 2 s" in response.json()["message"]
    assert outcome["seconds"] < 10
    latencies.sort()
    assert len(latencies) >= 5, latencies
    assert latencies[len(latencies) // 2] < 0.1, latencies  # typical: not waiting for the GIL
    assert latencies[-1] < 1.0, latencies  # worst (load spikes included): never queued behind it


def test_size_limit(start_server):
    server = start_server("--testing", env={"HOURWISE_QUERY_MAX_EVENTS": "100"})
    with httpx.Client(base_url=server.api, timeout=30) as client:
        client.post("/buckets/b", json={"client": "t", "type": "x", "hostname": "h"})
        client.post("/buckets/b/events", json=[
            {"timestamp": f"2024-01-01T10:{m:02d}:00Z", "duration": 30, "data": {}} for m in range(60)
        ])
        ok = client.post("/query/", json={"timeperiods": [DAY], "query": ['RETURN = query_bucket("b");']})
        assert ok.status_code == 200 and len(ok.json()[0]) == 60
        big = client.post("/query/", json={"timeperiods": [DAY],
                                           "query": ['a = query_bucket("b"); RETURN = concat(a, a);']})
        assert big.status_code == 422 and "limit of 100" in big.json()["message"]
