"""The per-period result cache: hits for past periods, exact after every kind of write."""

from __future__ import annotations

import orjson
import pytest

from hourwise.models import Bucket, Event, now_us, parse_timestamp
from hourwise.query.cache import Reads, ResultCache
from hourwise.query.errors import QueryFunctionError
from hourwise.query.interpreter import Limits
from hourwise.services.queries import QueryService
from hourwise.store import Store

DAY = "2024-01-01T00:00:00+00:00/2024-01-02T00:00:00+00:00"
NEXT_DAY = "2024-01-02T00:00:00+00:00/2024-01-03T00:00:00+00:00"
T10 = parse_timestamp("2024-01-01T10:00:00+00:00")
SECOND = 1_000_000


@pytest.fixture
def store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'cache.db'}")
    store.migrate()
    store.create_bucket(Bucket("w", "currentwindow", "test", "host", T10))
    store.insert_events("w", [Event(None, T10 + i * 60 * SECOND, 30 * SECOND, {"app": f"a{i % 2}"})
                              for i in range(10)])
    yield store
    store.close()


@pytest.fixture
def service(store):
    return QueryService(store, Limits(), cached=True)


TOTAL = ['RETURN = sum_durations(query_bucket("w"));']


def run(service, query=TOTAL, periods=(DAY,), name=""):
    return orjson.loads(service.run_json(list(query), list(periods), name))


def test_past_periods_are_answered_from_the_cache(service):
    assert run(service, periods=[DAY, NEXT_DAY]) == [300.0, 0]
    misses = service.cache.misses
    assert run(service, periods=[DAY, NEXT_DAY]) == [300.0, 0]
    assert service.cache.hits == 2 and service.cache.misses == misses
    # the same bytes as an uncached evaluation
    plain = QueryService(service.source, Limits())
    assert service.run_json(TOTAL, [DAY]) == plain.run_json(TOTAL, [DAY])


def test_the_program_name_and_period_are_part_of_the_key(service):
    assert run(service, ["RETURN = NAME;"], name="a") == ["a"]
    assert run(service, ["RETURN = NAME;"], name="b") == ["b"]
    assert run(service, ["RETURN = [NAME];"], name="a") == [["a"]]
    assert run(service, ["RETURN = STARTTIME;"], [NEXT_DAY]) == ["2024-01-02T00:00:00+00:00"]


@pytest.mark.parametrize("write", [
    lambda s: s.insert_events("w", [Event(None, T10 + 3600 * SECOND, 10 * SECOND, {"app": "x"})]),
    lambda s: s.delete_event("w", s.get_events("w")[0].id),
    lambda s: s.insert_events("w", [Event(s.get_events("w")[0].id, T10, 5 * SECOND, {})]),  # replace
    lambda s: s.import_events("w", [Event(None, T10 - 3600 * SECOND, 10 * SECOND, {"app": "y"})]),
])
def test_writes_inside_a_cached_period_invalidate_it(service, store, write):
    before = run(service)
    write(store)
    assert run(service) == run(QueryService(store, Limits()))
    assert run(service) != before


def test_writes_elsewhere_keep_the_entry(service, store):
    run(service)
    store.insert_events("w", [Event(None, T10 + 2 * 86_400 * SECOND, SECOND, {})])  # next day+1
    store.create_bucket(Bucket("other", "x", "t", "h", T10))
    store.insert_events("other", [Event(None, T10, SECOND, {})])
    hits = service.cache.hits
    assert run(service) == [300.0]
    assert service.cache.hits == hits + 1


def test_bucket_deletion_and_find_bucket(service, store):
    query = ['RETURN = find_bucket("o");']
    with pytest.raises(QueryFunctionError, match="Unable to find bucket"):
        run(service, query)
    store.create_bucket(Bucket("zo", "x", "t", "h", T10 + 5))
    assert run(service, query) == ["zo"]
    store.create_bucket(Bucket("o", "x", "t", "h", T10 + 9))  # an exact match wins
    assert run(service, query) == ["o"]
    run(service)
    store.delete_bucket("w")
    with pytest.raises(QueryFunctionError, match="no bucket named 'w'"):
        run(service)


def test_periods_reaching_now_are_never_cached(service, store):
    now = now_us()
    store.insert_events("w", [Event(None, now - 10 * SECOND, 5 * SECOND, {})])
    period = "2024-01-01T00:00:00+00:00/2999-01-01T00:00:00+00:00"
    run(service, periods=[period])
    assert len(service.cache) == 0
    # nor is a past period whose program reads up to now through its own STARTTIME/ENDTIME
    query = ['ENDTIME = "2999-01-01T00:00:00+00:00";', *TOTAL]
    run(service, query)
    assert len(service.cache) == 0


def test_a_write_during_the_evaluation_keeps_its_result_out(store):
    cache = ResultCache()

    class Racing:
        user_id = store.user_id

        def __getattr__(self, name):
            return getattr(store, name)

        def get_events(self, *args, **kwargs):
            events = store.get_events(*args, **kwargs)
            self.write()
            return events

        def event_columns(self, *args, **kwargs):
            columns = store.event_columns(*args, **kwargs)
            self.write()
            return columns

        def write(self):
            store.insert_events("w", [Event(None, T10 + 5, SECOND, {"app": "late"})])

    service = QueryService(Racing(), Limits(), cache=cache)
    run(service)
    assert len(cache) == 0
    # a write to another bucket during the evaluation does not matter
    store.create_bucket(Bucket("other", "x", "t", "h", T10))

    class Elsewhere(Racing):
        def write(self):
            store.insert_events("other", [Event(None, T10, SECOND, {})])

    QueryService(Elsewhere(), Limits(), cache=cache).run_json(TOTAL, [DAY])
    assert len(cache) == 1


def test_users_do_not_share_entries():
    cache = ResultCache()
    reads = Reads([((1, "w"), 0, 10)])
    assert cache.put((b"p", 1, "", "a", "b"), b"1", reads, cache.token(), now=100)
    assert cache.get((b"p", 2, "", "a", "b")) is None
    cache.changed(2, "w", 0, 10)
    assert cache.get((b"p", 1, "", "a", "b")) == b"1"
    cache.changed(1, "w", 10, 20)  # touching the end counts (both ends inclusive)
    assert cache.get((b"p", 1, "", "a", "b")) is None


def test_memory_is_bounded():
    cache = ResultCache(max_bytes=100_000)
    for i in range(100):
        assert cache.put((b"p", 1, "", str(i), ""), b"x" * 5000, Reads([((1, "w"), i, i + 1)]),
                         cache.token(), now=10**9)
    assert cache.size_bytes <= 100_000 and 10 <= len(cache) < 100
    assert cache.get((b"p", 1, "", "99", "")) is not None  # newest kept, oldest evicted
    assert cache.get((b"p", 1, "", "0", "")) is None
    assert not cache.put((b"p", 1, "", "big", ""), b"x" * 50_000, Reads(), cache.token(), now=1)
