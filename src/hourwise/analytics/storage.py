"""Tables of the analytics: frozen daily summaries and schedules (migration 0003).

Daily summaries are point in time: once a past day is summarised the stored JSON is
served unchanged, even after the rules change. Days without logged time are not
stored (a watcher's queue may still deliver them).
"""

from __future__ import annotations

import time
from datetime import date, timedelta, tzinfo
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    insert,
    select,
)

from hourwise.analytics.index import ActivityIndex
from hourwise.analytics.schedules import Schedule, parse_intervals
from hourwise.analytics.summary import summarise
from hourwise.categorize.classifier import Classifier
from hourwise.errors import InvalidInput, NotFound
from hourwise.store import Store

metadata = MetaData()

daily_summaries = Table(
    "daily_summaries",
    metadata,
    Column("user_id", Integer, primary_key=True),
    Column("day", String(10), primary_key=True),  # YYYY-MM-DD, the user's local date
    Column("data", Text, nullable=False),  # the summary object as served
    Column("created", BigInteger, nullable=False),  # microseconds, UTC
)

schedules = Table(
    "schedules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("intervals", Text, nullable=False),  # JSON: [{"day", "start", "end"}]
    Column("created", BigInteger, nullable=False),
)

FEED_DAYS = 14


def daily_summary_feed(
    store: Store,
    index: ActivityIndex,
    classifier: Classifier,
    user_id: int,
    tz: tzinfo,
    today: date,
) -> list[dict[str, Any]]:
    """The previous 14 local days (today excluded) that have logged time, newest first."""
    days = [today - timedelta(days=i) for i in range(1, FEED_DAYS + 1)]
    s = daily_summaries.c
    with store.engine.connect() as conn:
        stored = {
            row.day: orjson.loads(row.data)
            for row in conn.execute(
                select(s.day, s.data).where(
                    and_(s.user_id == user_id, s.day.in_([d.isoformat() for d in days]))
                )
            )
        }
    out: list[dict[str, Any]] = []
    fresh: list[dict[str, Any]] = []
    for day in days:
        summary = stored.get(day.isoformat())
        if summary is None:
            cells = index.day(day, tz)
            if not cells.totals:
                continue
            summary = summarise(day, tz, index.subjects, cells, classifier)
            fresh.append(summary)
        out.append(summary)
    if fresh:
        now = int(time.time() * 1_000_000)
        with store.engine.begin() as conn:
            for summary in fresh:
                exists = conn.execute(
                    select(s.day).where(s.user_id == user_id, s.day == summary["date"])
                ).first()
                if exists is None:  # another request may have frozen it meanwhile
                    conn.execute(insert(daily_summaries).values(
                        user_id=user_id, day=summary["date"],
                        data=orjson.dumps(summary).decode(), created=now))
    return out


# -- schedules --------------------------------------------------------------------------


def _schedule(row: Any) -> Schedule:
    return Schedule(row.id, row.name, parse_intervals(orjson.loads(row.intervals)))


def create_schedule(store: Store, user_id: int, name: str, intervals: Any) -> Schedule:
    """Store a schedule (InvalidInput for a blank name, bad or no intervals)."""
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise InvalidInput("a schedule needs a name of 1 to 200 characters")
    parsed = parse_intervals(intervals)
    if not parsed:
        raise InvalidInput("a schedule needs at least one interval")
    probe = Schedule(0, name, parsed)
    with store.engine.begin() as conn:
        ident = conn.execute(insert(schedules).values(
            user_id=user_id, name=name, intervals=orjson.dumps(probe.intervals_json()).decode(),
            created=int(time.time() * 1_000_000))).inserted_primary_key[0]
    return Schedule(int(ident), name, parsed)


def list_schedules(store: Store, user_id: int) -> list[Schedule]:
    c = schedules.c
    with store.engine.connect() as conn:
        rows = conn.execute(select(schedules).where(c.user_id == user_id).order_by(c.id)).all()
    return [_schedule(r) for r in rows]


def get_schedule(store: Store, user_id: int, schedule_id: int) -> Schedule:
    c = schedules.c
    with store.engine.connect() as conn:
        row = conn.execute(
            select(schedules).where(c.user_id == user_id, c.id == schedule_id)
        ).first()
    if row is None:
        raise NotFound(f"no schedule {schedule_id}")
    return _schedule(row)


def delete_schedule(store: Store, user_id: int, schedule_id: int) -> bool:
    c = schedules.c
    with store.engine.begin() as conn:
        return bool(conn.execute(
            delete(schedules).where(c.user_id == user_id, c.id == schedule_id)).rowcount)
