"""RescueTime's analytic tables: every kind × perspective × resolution, with filters.

The answer is a :class:`Table` (row headers and rows) that the wire layer renders as
JSON or CSV. Rank rows are sorted by time descending (then by name); interval rows by
date ascending, then time descending, then name. Empty buckets produce no rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

from hourwise.analytics.index import ActivityIndex, DayCells
from hourwise.analytics.periods import US, days_between, label
from hourwise.analytics.schedules import Schedule
from hourwise.categorize.classifier import Classification, Classifier, Subject
from hourwise.categorize.model import LEVEL_NAMES

KINDS = ("overview", "category", "activity", "productivity", "document", "efficiency")
PERSPECTIVES = ("rank", "interval")

TIME, PEOPLE = "Time Spent (seconds)", "Number of People"


@dataclass(frozen=True)
class AnalyticQuery:
    begin: date
    end: date
    perspective: str = "rank"
    resolution: str = "hour"
    kind: str = "activity"
    thing: str | None = None
    thingy: str | None = None
    source_type: str | None = None
    schedule: Schedule | None = None


@dataclass(frozen=True)
class Table:
    row_headers: list[str]
    rows: list[list[Any]]


def seconds(us: int) -> int:
    """Whole seconds, rounded half up."""
    return (us + US // 2) // US


def _norm(name: str) -> str:
    name = name.strip().lower()
    return name[4:] if name.startswith("www.") else name


def document_of(subject: Subject) -> str:
    return subject.path if subject.site else subject.title


# A layout: (headers after Rank/Date + time + people, key function, row values)
Key = tuple[Any, ...]


def _layout(q: AnalyticQuery) -> tuple[list[str], Callable[[Subject, Classification], Key]]:
    """Columns and grouping key for a query (restrict_thing changes both, as observed)."""
    kind, thing = q.kind, q.thing
    activity_cols = ["Activity", "Category", "Productivity"]
    if thing and kind in ("overview", "category"):
        return activity_cols, lambda s, c: (s.activity, c.sub, c.level)
    if thing and kind == "activity":  # the documents of one activity, in the activity layout
        return activity_cols, lambda s, c: (document_of(s), c.sub, c.level)
    if kind == "overview":
        return ["Category"], lambda s, c: (c.top,)
    if kind == "category":
        return ["Category"], lambda s, c: (c.sub,)
    if kind == "productivity":
        return ["Productivity"], lambda s, c: (c.level,)
    if kind == "document":
        return (["Activity", "Document", "Category", "Productivity"],
                lambda s, c: (s.activity, document_of(s), c.sub, c.level))
    if kind == "efficiency":
        return ["Efficiency"], lambda s, c: (c.level,)
    return activity_cols, lambda s, c: (s.activity, c.sub, c.level)


def _subject_filter(q: AnalyticQuery) -> Callable[[Subject, Classification], bool] | None:
    thing = _norm(q.thing) if q.thing else None
    thingy = q.thingy.strip().lower() if q.thingy else None
    if thing is None and thingy is None:
        return None
    kind = q.kind

    def keep(s: Subject, c: Classification) -> bool:
        if thing is not None:
            if kind == "overview":
                ok = c.top.lower() == thing
            elif kind == "category":
                ok = c.sub.lower() == thing
            elif kind in ("activity", "document"):
                ok = _norm(s.activity) == thing
            else:
                ok = thing in (c.top.lower(), c.sub.lower(), _norm(s.activity))
            if not ok:
                return False
        if thingy is not None:
            doc = document_of(s).lower()
            if doc != thingy and doc.lstrip("/") != thingy.lstrip("/"):
                return False
        return True

    return keep


def _sort_name(key: Key) -> tuple[Any, ...]:
    return tuple(str(k).lower() if isinstance(k, str) else k for k in key)


def analytic_table(
    index: ActivityIndex,
    classifier: Classifier,
    q: AnalyticQuery,
    tz: tzinfo,
    week_start: int = 6,
) -> Table:
    """The table RescueTime's ``/anapi/data`` answers for a query, in a user's time zone."""
    days = list(index.days(days_between(q.begin, q.end), tz))
    return table_from_cells(index.subjects, days, classifier, q, tz, week_start)


def table_from_cells(
    subjects: list[tuple[Subject, str]],
    days: Iterable[DayCells],
    classifier: Classifier,
    q: AnalyticQuery,
    tz: tzinfo,
    week_start: int = 6,
) -> Table:
    columns, key_of = _layout(q)
    keep = _subject_filter(q)
    # per subject id: its group key, or None when filtered out (decided once per subject)
    keys: dict[int, Key | None] = {}

    def key_for(sid: int) -> Key | None:
        subject, source = subjects[sid]
        if q.source_type is not None and source != q.source_type:
            return None
        c = classifier(subject)
        if keep is not None and not keep(subject, c):
            return None
        return key_of(subject, c)

    interval = q.perspective == "interval"
    schedule = q.schedule
    in_schedule: dict[int, bool] = {}
    labels: dict[int, str] = {}
    sums: dict[Any, int] = {}
    for day in days:
        if not interval and schedule is None:
            for sid, us in day.totals.items():
                key = keys[sid] if sid in keys else keys.setdefault(sid, key_for(sid))
                if key is not None:
                    sums[key] = sums.get(key, 0) + us
            continue
        for slot, sid, us in day.cells:
            key = keys[sid] if sid in keys else keys.setdefault(sid, key_for(sid))
            if key is None:
                continue
            if schedule is not None:
                ok = in_schedule.get(slot)
                if ok is None:
                    ok = in_schedule[slot] = schedule.contains(slot, tz)
                if not ok:
                    continue
            if interval:
                lab = labels.get(slot)
                if lab is None:
                    lab = labels[slot] = label(slot, q.resolution, tz, week_start)
                gk: Any = (lab, key)
            else:
                gk = key
            sums[gk] = sums.get(gk, 0) + us

    if q.kind == "efficiency":
        return _efficiency(sums, interval)
    head = ["Date" if interval else "Rank", TIME, PEOPLE, *columns]
    rows: list[list[Any]] = []
    if interval:
        ordered = sorted(sums.items(), key=lambda kv: (kv[0][0], -kv[1], _sort_name(kv[0][1])))
        for (lab, key), us in ordered:
            secs = seconds(us)
            if secs:
                rows.append([lab, secs, 1, *key])
    else:
        ordered = sorted(sums.items(), key=lambda kv: (-kv[1], _sort_name(kv[0])))
        for key, us in ordered:
            secs = seconds(us)
            if secs:
                rows.append([len(rows) + 1, secs, 1, *key])
    return Table(head, rows)


def _efficiency(sums: dict[Any, int], interval: bool) -> Table:
    """Efficiency: per bucket the time-weighted mean level and its percentage; in the
    rank perspective, time per level named "Very Productive Time" etc."""
    if not interval:
        rows: list[list[Any]] = []
        for (level,), us in sorted(sums.items(), key=lambda kv: (-kv[1], -kv[0][0])):
            secs = seconds(us)
            if secs:
                rows.append([len(rows) + 1, secs, 1, f"{LEVEL_NAMES[level]} Time"])
        return Table(["Rank", TIME, PEOPLE, "Efficiency"], rows)
    per: dict[str, list[int]] = {}
    for (lab, (level,)), us in sums.items():
        acc = per.setdefault(lab, [0, 0])
        acc[0] += us
        acc[1] += level * us
    rows = []
    for lab in sorted(per):
        total, weighted = per[lab]
        secs = seconds(total)
        if not secs:
            continue
        mean = weighted / total
        rows.append([lab, secs, 1, round(mean, 2), round((mean + 2) * 25, 2)])
    return Table(["Date", TIME, PEOPLE, "Efficiency (-2:2)", "Efficiency (percent)"], rows)
