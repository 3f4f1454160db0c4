"""Bulk inserts by columns (event_insert.Batch, store.NewEvents): the response bytes and
the stored rows are exactly what the per-event implementation gave."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hourwise.api.activitywatch.event_insert import Batch, inserted_json, parse_batch, plain_batch
from hourwise.models import Bucket, format_timestamp
from hourwise.store import Store
from hourwise.store.event_writes import NewEvents

S = 1_000_000
T0 = 1_704_096_000 * S


def reference_json(rows, stamps, ids) -> bytes:
    """The response as the per-event implementation wrote it: one dict per event."""
    if stamps is None:
        stamps = [format_timestamp(start) for _, start, _, _ in rows]
    return orjson.dumps([
        {"id": ident, "timestamp": stamp, "duration": (end - start) / 1_000_000,
         "data": orjson.Fragment(text)}
        for ident, stamp, (_, start, end, text) in zip(ids, stamps, rows)
    ])


texts = st.dictionaries(st.text(max_size=5), st.one_of(
    st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8), st.booleans(), st.none())).map(
        lambda d: orjson.dumps(d, option=orjson.OPT_SORT_KEYS))
rows = st.lists(st.tuples(st.integers(-62_135_596_800 * S, 253_402_300_799 * S),
                          st.integers(0, 3_162_240_000 * S), texts), max_size=30)


@settings(max_examples=300, deadline=None)
@given(rows, st.lists(st.integers(1, 2**63 - 1), min_size=30, max_size=30),
       st.sampled_from(["formatted", "given", "escaped"]))
def test_response_bytes_match_the_per_event_writer(items, ids, stamping):
    new_rows = [(None, start, start + length, text) for start, length, text in items]
    stamps = None
    if stamping == "given":
        stamps = [format_timestamp(start) for _, start, _, _ in new_rows]
    elif stamping == "escaped":  # never produced by the parser, but written correctly
        stamps = [f'x"\\\n\u00e9{i}' for i in range(len(new_rows))]
    batch = Batch(NewEvents.from_rows(new_rows), stamps)
    ids = ids[: len(new_rows)]
    assert inserted_json(batch, ids) == reference_json(new_rows, stamps, ids)


def test_parsed_body_round_trips_to_the_same_response():
    body = orjson.dumps([
        {"timestamp": "2024-01-01T08:00:00.123456+00:00", "duration": 1.711,
         "data": {"title": 'quote " and \\ and \u00e9', "app": "x"}},
        {"timestamp": "2024-01-01T08:00:00Z", "duration": 0, "data": {}},
        {"timestamp": "2024-01-01T10:00:00+02:00", "duration": 3, "id": 12},
        {"timestamp": "2024-01-01T08:00:02.000000+00:00", "duration": 1e-6,
         "data": {"n": [1.5, {"b": 2, "a": None}], "t": True}},
    ])
    batch = plain_batch(body)
    rows, stamps = batch
    assert [row[0] for row in rows] == [None, None, 12, None]
    assert batch.events.idents == [None, None, 12, None]
    assert inserted_json(batch, [5, 6, 12, 7]) == reference_json(rows, stamps, [5, 6, 12, 7])
    # the exact path (pydantic) gives the same columns
    exact = parse_batch(b"[" + body[1:-1] + b',{"timestamp":"2024-01-01","data":{"k":[{"x":1e300}]}}]')
    assert exact.stamps is None
    assert exact.events.rows()[:4] == rows


def test_empty_body_list():
    batch = plain_batch(b"[]")
    assert list(batch) == [[], []]
    assert inserted_json(batch, []) == b"[]"


def test_columns_and_rows_convert_both_ways():
    given = [(None, 1, 2, b"{}"), (7, 3, 5, b'{"a":1}')]
    events = NewEvents.from_rows(given)
    assert events == NewEvents([None, 7], [1, 3], [2, 5], [b"{}", b'{"a":1}'])
    assert events.rows() == given
    fresh = NewEvents.from_rows([(None, 1, 2, b"{}")])
    assert fresh.idents is None and fresh.rows() == [(None, 1, 2, b"{}")]


@pytest.fixture
def store(tmp_path):
    st_ = Store(f"sqlite:///{tmp_path / 'columns.db'}")
    st_.migrate()
    yield st_
    st_.close()


def test_columns_store_what_rows_store_and_tell_listeners(store, tmp_path):
    other = Store(f"sqlite:///{tmp_path / 'rows.db'}")
    other.migrate()
    try:
        heard: list[tuple] = []
        store.add_write_listener(lambda *change: heard.append(change))
        batch = [(None, T0 + i * S, T0 + i * S + S // 2, b'{"app":"%d"}' % (i % 7))
                 for i in range(300)]
        for st_ in (store, other):
            assert st_.create_bucket(Bucket("b", "currentwindow", "test", "host", T0))
        heard.clear()
        ids = store.insert_columns("b", NewEvents.from_rows(batch))
        assert ids == other.insert_batch("b", batch)
        assert heard == [(store.user_id, "b", T0, T0 + 299 * S + S // 2)]
        assert store.get_events("b") == other.get_events("b")
        # replacing by id, through columns
        heard.clear()
        again = [(ids[0], T0, T0 + 9 * S, b'{"app":"x"}'), (None, T0 + 999 * S, T0 + 1000 * S, b"{}")]
        new_ids = store.insert_columns("b", NewEvents.from_rows(again))
        assert new_ids == other.insert_batch("b", again)
        assert new_ids[0] == ids[0]
        assert heard == [(store.user_id, "b", None, None)]
        assert store.get_events("b") == other.get_events("b")
    finally:
        other.close()


# -- timestamps read a column at a time (event_insert._utc_starts) ---------------------

def test_days_since_epoch_is_the_calendar():
    import numpy as np
    from datetime import date

    from hourwise.api.activitywatch.event_insert import _days_since_epoch

    first, last = date(1, 1, 1).toordinal(), date(9999, 12, 31).toordinal()
    dates = [date.fromordinal(n) for n in range(first, last + 1)]
    year = np.array([d.year for d in dates], np.int64)
    month = np.array([d.month for d in dates], np.int64)
    day = np.array([d.day for d in dates], np.int64)
    expected = np.arange(first, last + 1, dtype=np.int64) - date(1970, 1, 1).toordinal()
    assert (_days_since_epoch(year, month, day) == expected).all()


def _exact_rows(body: bytes):
    from hourwise.api.activitywatch.event_insert import events_batch
    from hourwise.api.activitywatch.schemas import parse_events_body
    from hourwise.errors import HourwiseError

    try:
        return events_batch(parse_events_body(body))
    except HourwiseError as exc:
        return type(exc)


def _same_as_exact(stamps: list[str]) -> None:
    from hourwise.api.activitywatch.event_insert import _read_timestamps, _utc_starts

    fast = _utc_starts(stamps)
    if fast is not None:  # every one in the echoed form, read as the per-event reader does
        assert (fast, stamps) == _read_timestamps(stamps)
    body = orjson.dumps([{"timestamp": s, "duration": 1.5, "data": {"a": 1}} for s in stamps])
    batch = plain_batch(body)
    if batch is not None:
        rows, echoed = batch
        assert rows == _exact_rows(body)
        assert echoed == [format_timestamp(start) for _, start, _, _ in rows]


EDGE_STAMPS = [
    "2024-02-29T00:00:00+00:00", "2023-02-29T00:00:00+00:00", "1900-02-29T00:00:00+00:00",
    "2000-02-29T23:59:59.999999+00:00", "2024-04-31T00:00:00+00:00", "2024-00-10T00:00:00+00:00",
    "2024-13-10T00:00:00+00:00", "2024-01-00T00:00:00+00:00", "2024-01-01T24:00:00+00:00",
    "2024-01-01T23:60:00+00:00", "2024-01-01T23:59:60+00:00", "0000-01-01T00:00:00+00:00",
    "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59.999999+00:00", "1969-12-31T23:59:59.000001+00:00",
    "2024-01-01T08:00:00.000000+00:00", "2024-01-01T08:00:00.00000a+00:00", "2024-01-01T08:00:00+01:00",
    "2024-01-01T08:00:00-00:00", "2024-01-01 08:00:00+00:00", "2024-01-01T08:00:00+00:00\x00",
    "2024-01-01T08:00:00\x00000000+00:00", "2024/01-01T08:00:00+00:00", "2024-01-01T08:00:00Z",
    "2024-01-01T08:00:00,123456+00:00", "２０２4-01-01T08:00:00+00:00", "2024-01-01T08:0:000+00:00",
    " 024-01-01T08:00:00+00:00", "2024-01-01T08:00:00.1234567+0:00",
]


@pytest.mark.parametrize("stamp", EDGE_STAMPS)
def test_edge_timestamps_alone_and_among_plain_ones(stamp):
    plain = "2024-01-01T08:00:00.123456+00:00"
    _same_as_exact([stamp])
    _same_as_exact([plain, stamp, "2024-01-01T08:00:01+00:00"])


digit_text = st.text(alphabet="0123456789", min_size=1, max_size=1)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32),
                          st.integers(0, 24), st.integers(0, 60), st.integers(0, 60),
                          st.one_of(st.none(), st.integers(0, 999_999))), min_size=1, max_size=8))
def test_strict_form_timestamps_match_the_per_event_reader(parts):
    stamps = []
    for year, month, day, hour, minute, second, micro in parts:
        stamp = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
        stamps.append(stamp + (f".{micro:06d}" if micro is not None else "") + "+00:00")
    _same_as_exact(stamps)


def test_bulk_inserts_keep_statement_journals_in_memory(store):
    """A multi-row INSERT's statement journal must not spill to a temporary file (a
    system call per page); the setting is made outside any transaction."""
    import sqlite3

    from hourwise.store.bulk import memory_statement_journals

    assert store.create_bucket(Bucket("b", "currentwindow", "test", "host", T0))
    store.insert_columns("b", NewEvents(None, [T0], [T0 + S], [b"{}"]))
    with store._write_lock:
        raw = store._raw_writer()
        assert raw.execute("PRAGMA temp_store").fetchone()[0] == 2
    other = sqlite3.connect(":memory:")
    other.execute("CREATE TABLE t (x)")
    other.execute("INSERT INTO t VALUES (1)")  # (begins a transaction)
    memory_statement_journals(other)  # not inside a transaction: left for later
    assert other.execute("PRAGMA temp_store").fetchone()[0] == 0
    other.commit()
    memory_statement_journals(other)
    assert other.execute("PRAGMA temp_store").fetchone()[0] == 2
