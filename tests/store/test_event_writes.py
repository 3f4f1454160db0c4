"""Bulk event writes (store.event_writes, store.bulk), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from hourwise.errors import InvalidInput
from hourwise.models import Bucket, Event
from hourwise.store import Store
from hourwise.store.bulk import MAX_PARAMS, _block_sizes

S = 1_000_000
T0 = 1_704_096_000 * S


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    if request.param == "sqlite":
        st = Store(f"sqlite:///{tmp_path / 'writes.db'}")
    else:
        st = Store(request.getfixturevalue("pg_database"))
    st.migrate()
    if request.param == "postgres":
        with st.engine.begin() as conn:
            conn.execute(text("TRUNCATE events, event_data, buckets RESTART IDENTITY CASCADE"))
    yield st
    st.close()


def bucket(store: Store, key: str) -> str:
    assert store.create_bucket(Bucket(key, "currentwindow", "test", "host", T0))
    return key


@pytest.mark.parametrize("rows", [1, 2, 3, 127, 128, 129, 255, 1000, 1023])
@pytest.mark.parametrize("width", [2, 4])
def test_block_sizes_cover_every_row_within_the_parameter_limit(rows, width):
    sizes = _block_sizes(rows, width)
    assert sum(sizes) == rows
    assert max(sizes) * width <= MAX_PARAMS
    # powers of two, largest first, each smaller one at most once: few distinct statements
    assert sizes == sorted(sizes, reverse=True) and all(n & (n - 1) == 0 for n in sizes)
    smaller = [n for n in sizes if n != sizes[0]]
    assert len(smaller) == len(set(smaller))


@pytest.mark.parametrize("count", [1, 129, 1000])
def test_batches_keep_order_ids_and_data(store, count):
    key = bucket(store, "b")
    batch = [(None, T0 + i * S, T0 + i * S + S // 2, b'{"app":"%d"}' % (i % 7)) for i in range(count)]
    ids = store.insert_batch(key, batch)
    assert len(ids) == count and ids == sorted(set(ids))
    got = {e.id: e for e in store.get_events(key)}
    for ident, (_, start, end, data) in zip(ids, batch):
        assert (got[ident].start, got[ident].end) == (start, end)
        assert got[ident].data == {"app": data[8:-2].decode()}


def test_refused_batch_leaves_no_stale_data_ids(store):
    """A batch refused after its new data rows were inserted rolls them back; their ids
    must not stay in the digest cache, or a later insert (which may reuse the rowid for
    other data) would point events at the wrong data."""
    a = bucket(store, "a")
    b = bucket(store, "b")
    (theirs,) = store.insert_events(a, [Event(None, T0, S, {"app": "theirs"})])
    with pytest.raises(InvalidInput):
        store.insert_events(b, [Event(None, T0, S, {"app": "new"}),
                                Event(theirs.id, T0, S, {"app": "stolen"})])
    store.insert_events(b, [Event(None, T0, S, {"app": "other"})])
    store.insert_events(b, [Event(None, T0 + S, S, {"app": "new"})])
    assert sorted(e.data["app"] for e in store.get_events(b)) == ["new", "other"]


def test_replacing_and_inserting_in_one_batch(store):
    key = bucket(store, "b")
    first, second = store.insert_batch(key, [(None, T0, T0 + S, b'{"v":1}'),
                                             (None, T0 + S, T0 + 2 * S, b'{"v":2}')])
    ids = store.insert_batch(key, [(second, T0 + S, T0 + 5 * S, b'{"v":3}'),
                                   (None, T0 + 9 * S, T0 + 10 * S, b'{"v":4}')])
    assert ids[0] == second and ids[1] > second
    assert [(e.id, e.duration, e.data) for e in store.get_events(key)] == [
        (ids[1], S, {"v": 4}), (second, 4 * S, {"v": 3}), (first, S, {"v": 1})]
