"""Per-day cells in the database: they survive a restart unchanged, and writes delete
exactly the days they touch (as the in-memory cache forgets them)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text, update

from hourwise.analytics.cellstore import CellStore, decode, encode
from hourwise.analytics.index import ActivityIndex
from hourwise.analytics.summary import summarise
from hourwise.analytics.tables import KINDS, AnalyticQuery, analytic_table
from hourwise.categorize import Classifier
from hourwise.models import Bucket
from hourwise.store import Store
from hourwise.store.schema import activity_cells
from tests.unit.analytics.conftest import Data, us

BERLIN = ZoneInfo("Europe/Berlin")
LAPTOP = "aw-watcher-window_laptop"  # no AFK watcher on the laptop: all its time counts
D1, D2, D3 = date(2024, 3, 30), date(2024, 3, 31), date(2024, 4, 1)  # D2: 23 hours (DST)
S = 1_000_000


def fill(data: Data) -> None:
    """Three Berlin days with windows, AFK and browser time, one event across midnight."""
    for day in (D1, D2, D3):
        t9 = us(day.year, day.month, day.day, 9, tz=BERLIN)
        data.window([(t9, 600, "code", f"a.py {day}"),
                     (t9 + 600 * S, 300, "firefox", "GH — Mozilla Firefox"),
                     (t9 + 900 * S, 300, "Slack", "general"),
                     (t9 + 1500 * S, 200, "Slack", "random")])
        data.afk([(t9, 1100, "not-afk"), (t9 + 1100 * S, 100, "afk"),
                  (t9 + 1200 * S, 600, "not-afk")])
        data.web([(t9 + 660 * S, 120, f"https://www.github.com/a/{day.day}?x=1", "GH")])
    late = us(D1.year, D1.month, D1.day, 23, 50, tz=BERLIN)
    data.window([(late, 1200, "vim", "notes")], key=LAPTOP, host="laptop")


def tables(index: ActivityIndex) -> list:
    classifier = Classifier()
    out = []
    for kind, (perspective, resolution) in product(
            KINDS, [("rank", "hour"), ("interval", "hour"), ("interval", "minute")]):
        q = AnalyticQuery(D1, D3, perspective, resolution, kind)
        t = analytic_table(index, classifier, q, BERLIN)
        out.append((t.row_headers, t.rows))
    for day in (D1, D2, D3):
        out.append(summarise(day, BERLIN, index.subjects, index.day(day, BERLIN), classifier))
    return out


def rows(store: Store) -> dict[str, int]:
    c = activity_cells.c
    with store.engine.connect() as conn:
        return {r.day: r.user_id for r in conn.execute(select(c.day, c.user_id))}


def restart(cells: CellStore, background: bool = True) -> CellStore:
    """A clean restart: the old cell store shuts down (and says so), a new one opens."""
    cells.close()
    return CellStore(cells.store, background=background)


def no_builds(index: ActivityIndex) -> ActivityIndex:
    def fail(*_a):
        raise AssertionError("built from events instead of the database")
    index._compute = fail  # type: ignore[method-assign]
    return index


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hw.db'}"
    url = request.getfixturevalue("pg_database")
    st = Store(url)
    st.migrate()
    with st.engine.begin() as conn:
        conn.execute(text("TRUNCATE activity_cells, events, event_data, buckets, settings "
                          "RESTART IDENTITY CASCADE; DELETE FROM users WHERE id <> 1"))
    st.close()
    return url


def open_store(url: str) -> tuple[Store, CellStore]:
    store = Store(url)
    store.migrate()
    return store, CellStore(store, background=False)


def test_cells_survive_a_restart(url):
    store, cells = open_store(url)
    fill(Data(store))
    built = tables(ActivityIndex(store, persisted=cells))
    assert sorted(rows(store)) == [D1.isoformat(), D2.isoformat(), D3.isoformat()]
    cells.close()  # a clean shutdown
    store.close()

    store, cells = open_store(url)  # a restarted server
    try:
        index = no_builds(ActivityIndex(store, persisted=cells))
        assert tables(index) == built
        assert tables(ActivityIndex(store)) == built  # and the same as building afresh
    finally:
        store.close()


def test_background_writer(store):
    fill(Data(store))
    cells = CellStore(store)  # writes in its own thread
    first = tables(ActivityIndex(store, persisted=cells))
    cells.flush()
    assert len(rows(store)) == 3
    assert tables(no_builds(ActivityIndex(store, persisted=restart(cells)))) == first


def test_a_write_deletes_the_days_it_touches(url):
    store, cells = open_store(url)
    try:
        data = Data(store)
        fill(data)
        index = ActivityIndex(store, persisted=cells)
        before = tables(index)
        # an event at noon on D2 (from a watcher's queue): only D2's row goes
        noon = us(D2.year, D2.month, D2.day, 12, tz=BERLIN)
        data.window([(noon, 60, "code", "late.py")], key=LAPTOP, host="laptop")
        assert sorted(rows(store)) == [D1.isoformat(), D3.isoformat()]
        after = tables(index)
        assert after != before and after == tables(ActivityIndex(store))
        # a restarted server sees the new event too (D2 rebuilt and stored again)
        assert sorted(rows(store)) == [D1.isoformat(), D2.isoformat(), D3.isoformat()]
        cells = restart(cells)
        assert tables(no_builds(ActivityIndex(store, persisted=cells))) == after
        # an event across midnight D1/D2 deletes both
        late = us(D2.year, D2.month, D2.day, tz=BERLIN) - 30 * S
        data.window([(late, 60, "code", "midnight.py")], key=LAPTOP, host="laptop")
        assert sorted(rows(store)) == [D3.isoformat()]
        # a write of unknown span (a new bucket) deletes all of the user's rows
        tables(index)
        assert len(rows(store)) == 3
        store.create_bucket(Bucket("aw-watcher-window_other", "currentwindow", "t", "other", 0))
        assert rows(store) == {}
    finally:
        store.close()


def test_other_users_and_today(store):
    fill(Data(store))
    cells = CellStore(store, background=False)
    tables(ActivityIndex(store, persisted=cells))
    assert len(rows(store)) == 3
    # another user's write on the same days leaves the owner's rows
    bob = store.for_user(store.add_user("bob", None).id)
    Data(bob).window([(us(D2.year, D2.month, D2.day, 10, tz=BERLIN), 60, "x", "y")])
    assert len(rows(store)) == 3
    # a day still in progress is not stored
    today = datetime.now(BERLIN).date()  # the day in progress where the user is
    t = us(today.year, today.month, today.day, 0, 1, tz=BERLIN)
    Data(store).window([(t, 30, "code", "today")])
    index = ActivityIndex(store, persisted=cells)
    index.day(today + timedelta(days=1), BERLIN)
    index.day(today, BERLIN)
    assert today.isoformat() not in rows(store)
    # and a non-IANA zone is kept in memory only
    from datetime import timezone
    index.day(D1, timezone(timedelta(hours=1)))
    assert set(rows(store)) <= {D1.isoformat(), D2.isoformat(), D3.isoformat()}


def test_a_write_between_build_and_store_is_not_lost(store):
    data = Data(store)
    fill(data)
    cells = CellStore(store, background=False)
    index = ActivityIndex(store, persisted=cells)
    generation = index._generation
    stale = index._compute(D2, BERLIN)
    data.window([(us(D2.year, D2.month, D2.day, 12, tz=BERLIN), 60, "code", "new.py")],
                key=LAPTOP, host="laptop")
    cells.save(index, generation, store.user_id, BERLIN, D2, stale, us(2030, 1, 1))
    assert rows(store) == {}  # the write came after the build: nothing stored
    fresh = index.day(D2, BERLIN)
    assert sum(fresh.totals.values()) == sum(stale.totals.values()) + 60 * S
    assert list(rows(store)) == [D2.isoformat()]


def test_bad_rows_are_rebuilt(store):
    fill(Data(store))
    cells = CellStore(store, background=False)
    built = tables(ActivityIndex(store, persisted=cells))
    with store.engine.begin() as conn:
        c = activity_cells.c
        conn.execute(update(activity_cells).where(c.day == D1.isoformat()).values(cells=b"junk"))
        conn.execute(update(activity_cells).where(c.day == D2.isoformat())
                     .values(start_us=c.start_us + 3600 * S))  # other zone rules
    assert tables(ActivityIndex(store, persisted=restart(cells, background=False))) == built


def test_encoding_round_trip(store):
    fill(Data(store))
    index = ActivityIndex(store)
    day = index.day(D1, BERLIN)
    blob = encode(day, index.subjects)
    other = ActivityIndex(store)
    back = decode(blob, day.start, day.end, other.intern_many)
    assert [(s, other.subjects[i], us_) for s, i, us_ in back.cells] == \
        [(s, index.subjects[i], us_) for s, i, us_ in day.cells]
    assert {other.subjects[i]: v for i, v in back.totals.items()} == \
        {index.subjects[i]: v for i, v in day.totals.items()}
    for bad in (b"", blob[:-3], b"x" * 40):
        with pytest.raises(ValueError):
            decode(bad, day.start, day.end, other.intern_many)


def test_a_failing_delete_fails_no_write(store, monkeypatch):
    data = Data(store)
    fill(data)
    cells = CellStore(store, background=False)
    index = ActivityIndex(store, persisted=cells)
    before = tables(index)

    class Broken:
        def _write(self):
            raise RuntimeError("database gone")

    monkeypatch.setattr(cells, "store", Broken())
    data.window([(us(D2.year, D2.month, D2.day, 12, tz=BERLIN), 60, "code", "new.py")],
                key=LAPTOP, host="laptop")  # commits; the listener's failure is contained
    assert not cells.enabled
    after = tables(index)  # the in-memory cells followed the write
    assert after != before and after == tables(ActivityIndex(store))


def test_cells_survive_only_a_clean_shutdown(tmp_path):
    """A crash between a write's commit and the listener's delete could leave stale rows,
    so rows are trusted only after a clean shutdown."""
    from sqlalchemy import func, insert, select

    from hourwise.analytics.cellstore import CellStore
    from hourwise.store import Store
    from hourwise.store.schema import activity_cells

    url = f"sqlite:///{tmp_path / 'cells.db'}"
    store = Store(url)
    store.migrate()
    row = {"user_id": 1, "zone": "UTC", "day": "2024-01-02", "start_us": 0, "end_us": 1,
           "version": 1, "cells": b"x"}
    columns = {c.name for c in activity_cells.c}
    row = {k: v for k, v in row.items() if k in columns}

    def count(st):
        with st.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(activity_cells)).scalar()

    cells = CellStore(store, background=False)
    with store._write() as conn:
        conn.execute(insert(activity_cells).values(**row))
    cells.close()  # clean: kept
    CellStore(store, background=False)
    assert count(store) == 1
    # no close() this time: as after a crash, the next start forgets every row
    CellStore(store, background=False)
    assert count(store) == 0
