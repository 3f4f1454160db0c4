"""The storage contract: every behaviour the services rely on, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from hourwise.errors import InvalidInput, NotFound
from hourwise.models import Bucket, Event
from hourwise.store import Store

S = 1_000_000  # microseconds per second
DAY = 86_400 * S
T0 = 1_704_096_000 * S  # 2024-01-01T08:00:00Z


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    if request.param == "sqlite":
        st = Store(f"sqlite:///{tmp_path / 'contract.db'}")
        st.migrate()
        yield st
        st.close()
        return
    url = request.getfixturevalue("pg_database")
    st = Store(url)
    st.migrate()
    with st.engine.begin() as conn:
        conn.execute(text("TRUNCATE events, event_data, buckets, settings, server_meta, api_keys RESTART IDENTITY CASCADE; DELETE FROM users WHERE id <> 1"))
        conn.execute(text("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT MAX(id) FROM users))"))
    yield st
    st.close()


def make_bucket(store: Store, key: str = "b") -> str:
    assert store.create_bucket(Bucket(key, "currentwindow", "test", "host", T0))
    return key


def ev(start_s: float, dur_s: float, **data) -> Event:
    return Event(None, T0 + round(start_s * S), round(dur_s * S), data or {"app": "a"})


def test_migrate_is_idempotent(store):
    store.migrate()
    store.migrate()
    assert store.list_buckets() == []


def test_newest_revision_is_alembics_head(store):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from hourwise.store.revisions import VERSIONS, newest_revision

    config = Config()
    config.set_main_option("script_location", str(VERSIONS.parent))
    assert newest_revision() == ScriptDirectory.from_config(config).get_current_head()
    assert store._schema_revision() == newest_revision()  # migrated by the fixture


def test_an_older_schema_is_still_migrated(store):
    # As if the database predated the newest migration: its table goes, the revision
    # steps back one, and migrate() must run that migration again.
    from hourwise.store.revisions import newest_revision

    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE activity_cells"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0004'"))
    assert newest_revision() == "0005"  # update this test with the next migration
    store.migrate()
    assert store._schema_revision() == "0005"
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM activity_cells")).scalar() == 0


def test_create_bucket_once(store):
    assert store.create_bucket(Bucket("b", "t", "c", "h", T0, data={"x": 1}))
    assert not store.create_bucket(Bucket("b", "other", "c", "h", T0))
    bucket = store.get_bucket("b")
    assert (bucket.type, bucket.client, bucket.hostname, bucket.data) == ("t", "c", "h", {"x": 1})
    assert bucket.created == T0
    assert bucket.first_start is None and bucket.last_end is None


def test_bucket_span_tracks_events(store):
    key = make_bucket(store)
    store.insert_events(key, [ev(0, 10), ev(100, 5), ev(50, 1)])
    bucket = store.get_bucket(key)
    assert bucket.first_start == T0
    assert bucket.last_end == T0 + 105 * S


def test_update_and_delete_bucket(store):
    key = make_bucket(store)
    store.update_bucket(key, {"hostname": "new", "data": {"k": [1, 2]}})
    assert store.get_bucket(key).hostname == "new"
    assert store.get_bucket(key).data == {"k": [1, 2]}
    store.insert_events(key, [ev(0, 1)])
    store.delete_bucket(key)
    assert store.get_bucket(key) is None
    with pytest.raises(NotFound):
        store.get_events(key)
    # a bucket of the same name starts empty
    make_bucket(store)
    assert store.get_events(key) == []


def test_unknown_bucket_is_not_found(store):
    for call in (
        lambda: store.get_events("nope"),
        lambda: store.count_events("nope"),
        lambda: store.insert_events("nope", [ev(0, 1)]),
        lambda: store.delete_bucket("nope"),
        lambda: store.update_bucket("nope", {"type": "x"}),
        lambda: store.delete_event("nope", 1),
    ):
        with pytest.raises(NotFound):
            call()


def test_events_newest_first_with_ids(store):
    key = make_bucket(store)
    stored = store.insert_events(key, [ev(0, 1), ev(20, 1), ev(10, 1)])
    assert all(e.id for e in stored)
    got = store.get_events(key)
    assert [e.start for e in got] == [T0 + 20 * S, T0 + 10 * S, T0]
    assert store.get_event(key, stored[0].id) == ev(0, 1)


def test_microsecond_precision_round_trip(store):
    key = make_bucket(store)
    event = Event(None, T0 + 123_457, 1_000_001, {"app": "a"})
    store.insert_events(key, [event])
    (got,) = store.get_events(key)
    assert (got.start, got.duration) == (T0 + 123_457, 1_000_001)


def test_range_read_clips_and_limits(store):
    key = make_bucket(store)
    store.insert_events(key, [ev(i * 10, 10, app=str(i)) for i in range(10)])
    got = store.get_events(key, T0 + 15 * S, T0 + 35 * S)
    assert [(e.start - T0, e.duration) for e in got] == [
        (30 * S, 5 * S), (20 * S, 10 * S), (15 * S, 5 * S)
    ]
    assert len(store.get_events(key, limit=4)) == 4
    assert [e.data["app"] for e in store.get_events(key, limit=2)] == ["9", "8"]
    assert store.count_events(key, T0 + 15 * S, T0 + 35 * S) == 3
    assert store.count_events(key) == 10


def test_range_boundaries_are_inclusive(store):
    key = make_bucket(store)
    store.insert_events(key, [ev(0, 10)])
    assert len(store.get_events(key, T0 + 10 * S, T0 + 20 * S)) == 1  # touches at its end
    assert len(store.get_events(key, T0 - 5 * S, T0)) == 1  # touches at its start
    assert store.get_events(key, T0 + 11 * S, T0 + 20 * S) == []


def test_very_long_event_found_from_far_inside(store):
    """An event that began weeks before the range is still found (aw-server misses
    events that began more than 24 h earlier)."""
    key = make_bucket(store)
    store.insert_events(key, [Event(None, T0, 30 * DAY, {"app": "long"})])
    store.insert_events(key, [ev(i, 1) for i in range(5)])
    got = store.get_events(key, T0 + 20 * DAY, T0 + 21 * DAY)
    assert [(e.start, e.duration, e.data) for e in got] == [(T0 + 20 * DAY, DAY, {"app": "long"})]


def test_replace_by_id(store):
    key = make_bucket(store)
    (first,) = store.insert_events(key, [ev(0, 1, app="old")])
    replaced = Event(first.id, T0 + 5 * S, 2 * S, {"app": "new"})
    (result,) = store.insert_events(key, [replaced])
    assert result.id == first.id
    assert store.count_events(key) == 1
    assert store.get_event(key, first.id) == Event(None, T0 + 5 * S, 2 * S, {"app": "new"})


def test_unknown_id_inserts_new_event(store):
    key = make_bucket(store)
    (result,) = store.insert_events(key, [Event(999_999, T0, S, {"app": "x"})])
    assert result.id is not None and result.id != 999_999
    assert store.count_events(key) == 1


def test_id_of_another_bucket_is_refused_and_nothing_changes(store):
    a = make_bucket(store, "a")
    b = make_bucket(store, "b")
    (foreign,) = store.insert_events(a, [ev(0, 1, app="mine")])
    with pytest.raises(InvalidInput):
        store.insert_events(b, [ev(5, 1), Event(foreign.id, T0, S, {"app": "stolen"})])
    assert store.get_event(a, foreign.id).data == {"app": "mine"}
    assert store.count_events(b) == 0  # all or nothing


def test_data_is_stored_once_and_shared_on_read(store):
    key = make_bucket(store)
    store.insert_events(key, [ev(i, 1, app="same", title="t") for i in range(50)])
    store.insert_events(key, [ev(100, 1, title="t", app="same")])  # key order irrelevant
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM event_data")).scalar() == 1
    got = store.get_events(key)
    assert len({id(e.data) for e in got}) == 1


def test_unstorable_data_is_refused_before_writing(store):
    key = make_bucket(store)
    with pytest.raises(InvalidInput):
        store.insert_events(key, [ev(0, 1), Event(None, T0, S, {"n": 2**70})])
    assert store.count_events(key) == 0


def test_delete_event_collects_unused_data(store):
    key = make_bucket(store)
    a, b, c = store.insert_events(key, [ev(0, 1, app="x"), ev(1, 1, app="x"), ev(2, 1, app="y")])
    assert store.delete_event(key, c.id)
    assert not store.delete_event(key, c.id)
    assert store.delete_event(key, a.id)
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM event_data")).scalar() == 1
    # data "y" can be stored again after being collected
    store.insert_events(key, [ev(3, 1, app="y")])
    assert {e.data["app"] for e in store.get_events(key)} == {"x", "y"}


def test_event_of_other_bucket_not_visible_by_id(store):
    a = make_bucket(store, "a")
    make_bucket(store, "b")
    (event,) = store.insert_events(a, [ev(0, 1)])
    assert store.get_event("b", event.id) is None
    assert not store.delete_event("b", event.id)


def test_last_event_and_duration_update(store):
    key = make_bucket(store)
    assert store.last_event(key) is None
    store.insert_events(key, [ev(10, 1, app="late"), ev(0, 1, app="early")])
    last, digest = store.last_event(key)
    assert last.data == {"app": "late"} and len(digest) == 16
    assert store.set_event_duration(key, last.id, last.start, 7 * S)
    assert store.get_event(key, last.id).duration == 7 * S
    assert not store.set_event_duration(key, 987654, T0, S)


def test_long_heartbeat_growth_is_found_by_range_reads(store):
    key = make_bucket(store)
    (event,) = store.insert_events(key, [ev(0, 1)])
    store.set_event_duration(key, event.id, event.start, 3 * DAY)
    assert len(store.get_events(key, T0 + 2 * DAY, T0 + 2 * DAY + S)) == 1


def test_import_skips_duplicates(store):
    key = make_bucket(store)
    events = [ev(i * 10, 5, app=str(i % 3)) for i in range(20)]
    assert store.import_events(key, events) == 20
    assert store.import_events(key, events) == 0
    assert store.import_events(key, events + [ev(500, 1)]) == 1
    assert store.count_events(key) == 21


def test_iter_events_pages_through_everything(store):
    key = make_bucket(store)
    store.insert_events(key, [ev(i, 0.5) for i in range(25)] + [ev(3, 0.5, app="tie")])
    batches = list(store.iter_events(key, batch=7))
    flat = [e for batch in batches for e in batch]
    assert len(flat) == 26
    assert [e.start for e in flat] == sorted((e.start for e in flat), reverse=True)
    assert len({e.id for e in flat}) == 26


def test_settings_any_json(store):
    for value in (False, 0, "", [], {}, None, {"nested": [1, "two", {"x": True}]}, 1.5):
        store.set_setting("k", value)
        assert store.get_setting("k") == (True, value)
    assert store.get_setting("missing") == (False, None)
    store.set_setting("other", 1)
    assert store.list_settings() == {"k": 1.5, "other": 1}
    assert store.delete_setting("k")
    assert not store.delete_setting("k")


def test_meta_default_is_kept(store):
    assert store.set_meta_default("device_id", "one") == "one"
    assert store.set_meta_default("device_id", "two") == "one"
    assert store.get_meta("device_id") == "one"


def test_concurrent_writers_lose_nothing(store):
    keys = [make_bucket(store, f"w{i}") for i in range(4)]

    def write(key: str) -> None:
        for i in range(25):
            store.insert_events(key, [ev(i, 1, app=f"{key}-{i % 5}")])

    threads = [threading.Thread(target=write, args=(k,)) for k in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [store.count_events(k) for k in keys] == [25, 25, 25, 25]


def test_event_ids_are_never_reused(store):
    key = make_bucket(store)
    (first,) = store.insert_events(key, [ev(0, 1)])
    store.delete_event(key, first.id)
    (second,) = store.insert_events(key, [ev(1, 1)])
    assert second.id > first.id


def _fold(store, key, start_s, dur_s, pulse_s, **data):
    from hourwise.store.datacodec import canonical_json, data_hash

    event = ev(start_s, dur_s, **data)
    text_ = canonical_json(event.data)
    return store.fold_heartbeat(key, event, text_, data_hash(text_), round(pulse_s * S))


def test_fold_heartbeat_bridges_neighbours_into_one_event(store):
    key = make_bucket(store)
    store.insert_events(key, [ev(0, 5, app="x"), ev(20, 5, app="x"), ev(8, 2, app="other")])
    folded = _fold(store, key, 12, 3, 7, app="x")  # reaches 5 (back) and 20 (forward)
    assert (folded.start, folded.duration) == (T0, 25 * S)
    apps = sorted((e.data["app"], e.start - T0, e.duration) for e in store.get_events(key))
    assert apps == [("other", 8 * S, 2 * S), ("x", 0, 25 * S)]


def test_fold_heartbeat_alone_is_inserted(store):
    key = make_bucket(store)
    store.insert_events(key, [ev(100, 5, app="x")])
    folded = _fold(store, key, 0, 1, 10, app="x")
    assert (folded.start, folded.duration) == (T0, S)
    assert store.count_events(key) == 2


def test_write_listeners_hear_every_committed_change(store):
    heard = []
    store.add_write_listener(lambda user, key, start, end: heard.append((key, start, end)))
    key = make_bucket(store)
    assert heard == [(key, None, None)]
    heard.clear()
    (a,) = store.insert_events(key, [ev(10, 5)])
    assert heard == [(key, T0 + 10 * S, T0 + 15 * S)]
    heard.clear()
    store.set_event_duration(key, a.id, a.start, 9 * S)
    assert heard == [(key, T0 + 10 * S, T0 + 19 * S)]
    heard.clear()
    store.insert_events(key, [Event(a.id, T0, S, {"app": "z"})])
    assert heard == [(key, None, None)]  # a replacement may have moved the event anywhere
    heard.clear()
    store.delete_event(key, a.id)
    assert heard == [(key, T0, T0 + S)]
    heard.clear()
    with pytest.raises(InvalidInput):  # a failed write announces nothing
        store.insert_events(key, [Event(None, T0, S, {"n": 2**70})])
    store.import_events(key, [ev(100, 1)])
    store.delete_bucket(key)
    assert heard == [(key, T0 + 100 * S, T0 + 101 * S), (key, None, None)]


def test_users_see_only_their_own_buckets_and_settings(store):
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, name, created) VALUES (2, 'second', 0)"))
    mine, theirs = store, store.for_user(2)
    make_bucket(mine, "same-name")
    (event,) = mine.insert_events("same-name", [ev(0, 1, app="mine")])
    mine.set_setting("theme", "dark")
    assert theirs.list_buckets() == [] and theirs.get_bucket("same-name") is None
    with pytest.raises(NotFound):
        theirs.get_events("same-name")
    # a same-named bucket of their own is a different bucket
    make_bucket(theirs, "same-name")
    assert theirs.get_events("same-name") == []
    assert theirs.get_event("same-name", event.id) is None
    assert not theirs.delete_event("same-name", event.id)
    with pytest.raises(InvalidInput):  # cannot overwrite another user's event by id
        theirs.insert_events("same-name", [Event(event.id, T0, S, {"app": "stolen"})])
    assert theirs.get_setting("theme") == (False, None) and theirs.list_settings() == {}
    theirs.set_setting("theme", "light")
    assert mine.get_setting("theme") == (True, "dark")
    heard = []
    store.add_write_listener(lambda user, key, start, end: heard.append((user, key)))
    theirs.delete_bucket("same-name")
    assert heard == [(2, "same-name")]
    assert [e.data for e in mine.get_events("same-name")] == [{"app": "mine"}]


def test_recording_a_key_use_never_waits_for_another_write(store):
    key = store.add_api_key(1, "k", "prefix00", b"h" * 32, None, False)
    started, release = threading.Event(), threading.Event()

    def long_write():
        with store._write():
            started.set()
            release.wait(10)

    writer = threading.Thread(target=long_write)
    writer.start()
    started.wait(5)
    try:
        assert store.touch_api_key(key.id, T0) is False  # returns at once, records nothing
    finally:
        release.set()
        writer.join()
    assert store.touch_api_key(key.id, T0) is True
    assert store.list_api_keys(1)[0].last_used == T0


def _columns_as_events(store: Store, key: str, start: int, end: int) -> list[tuple]:
    read = store.event_columns(key, start, end)
    data = read.data
    datas = {ident: data.dict_at(i) for i, ident in enumerate(data.ids.tolist())}
    return [(i, s, d, datas[ref]) for i, s, d, ref in zip(
        read.ids.tolist(), read.starts.tolist(), read.durations.tolist(), read.data_ids.tolist())]


def _as_tuples(events) -> list[tuple]:
    return [(e.id, e.start, e.duration, e.data) for e in events]


def test_column_reads_follow_every_write(store):
    """``event_columns`` answers from its block cache what ``get_events`` answers from
    SQL, after inserts, replacements, heartbeat merges, deletions and bucket re-creation."""
    key = make_bucket(store)
    hour = 3600
    store.insert_events(key, [ev(h * hour, 1800, app=f"a{h % 3}") for h in range(0, 24 * 5, 2)])
    spans = [(T0, T0 + 5 * DAY), (T0 + DAY + 77 * S, T0 + 3 * DAY), (T0 - DAY, T0 + 20 * hour * S)]

    def check():
        for start, end in spans:
            assert _columns_as_events(store, key, start, end) == \
                _as_tuples(store.get_events(key, start, end))

    check()  # fills the cache
    [first] = store.insert_events(key, [ev(3 * DAY // S + 5, 60, app="new")])
    check()
    store.insert_events(key, [Event(first.id, T0 + 10 * S, 5 * S, {"app": "moved"})])
    check()
    store.set_event_duration(key, first.id, T0 + 10 * S, 3 * DAY)  # now reaches far
    check()
    some = store.get_events(key, T0 + 2 * DAY, T0 + 2 * DAY + 4 * hour * S)
    assert store.delete_event(key, some[0].id)
    check()
    store.delete_bucket(key)
    make_bucket(store)
    store.insert_events(key, [ev(30, 30, app="again")])
    check()
    assert [e[3] for e in _columns_as_events(store, key, T0, T0 + DAY)] == [{"app": "again"}]


def test_column_reads_are_per_user(store):
    alice = store.for_user(store.add_user("alice", None).id)
    make_bucket(store, "w")
    make_bucket(alice, "w")
    store.insert_events("w", [ev(0, 10, app="owner")])
    alice.insert_events("w", [ev(0, 10, app="alice")])
    assert [e[3]["app"] for e in _columns_as_events(store, "w", T0, T0 + DAY)] == ["owner"]
    assert [e[3]["app"] for e in _columns_as_events(alice, "w", T0, T0 + DAY)] == ["alice"]
    alice.insert_events("w", [ev(20, 10, app="alice2")])
    assert [e[3]["app"] for e in _columns_as_events(store, "w", T0, T0 + DAY)] == ["owner"]
    assert len(_columns_as_events(alice, "w", T0, T0 + DAY)) == 2


def test_column_read_racing_a_write_reads_again(store, monkeypatch):
    key = make_bucket(store)
    store.insert_events(key, [ev(0, 10, app="old")])
    read_blocks = type(store)._read_blocks
    raced = []

    def racing(self, *args):
        blocks = read_blocks(self, *args)
        if not raced:  # a write commits while the first attempt is reading
            raced.append(True)
            store.insert_events(key, [ev(20, 10, app="new")])
        return blocks

    monkeypatch.setattr(type(store), "_read_blocks", racing)
    assert [e[3]["app"] for e in _columns_as_events(store, key, T0, T0 + DAY)] == ["new", "old"]
    monkeypatch.undo()
    assert _columns_as_events(store, key, T0, T0 + DAY) == \
        _as_tuples(store.get_events(key, T0, T0 + DAY))


def test_a_heartbeat_starting_a_new_event_with_known_data(store):
    """The SQLite short path (data already stored: a raw INSERT on the writer) and the
    general one give the same: the event, a longer max_duration, and column reads
    (cached before the write) that see it."""
    from hourwise.store.datacodec import canonical_json, data_hash

    key = make_bucket(store)
    store.insert_events(key, [ev(0, 10, app="same")])
    before = _columns_as_events(store, key, T0, T0 + DAY)  # fills the column cache
    canonical = canonical_json({"app": "same"})
    long = Event(None, T0 + 3600 * S, 7200 * S, {"app": "same"})
    made = store.insert_heartbeat(key, long, canonical, data_hash(canonical))
    assert made.id is not None and (made.start, made.duration) == (long.start, long.duration)
    assert _as_tuples(store.get_events(key, T0, T0 + DAY)) == \
        [(made.id, long.start, long.duration, {"app": "same"})] + before
    assert _columns_as_events(store, key, T0, T0 + DAY) == \
        _as_tuples(store.get_events(key, T0, T0 + DAY))
    # found from a start after it began: max_duration grew with it
    late = T0 + 3600 * S + 7000 * S
    assert [e.id for e in store.get_events(key, late, late + S)] == [made.id]
