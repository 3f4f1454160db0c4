"""Schedules: stored weekly time filters (RescueTime's ``restrict_schedule_id``).

A schedule is a set of weekly local-time intervals, such as "Mon-Fri 09:00-17:00".
Reports filtered by a schedule count only time whose 5-minute slot starts inside one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from hourwise.analytics.periods import US, WEEKDAYS
from hourwise.errors import InvalidInput


@dataclass(frozen=True)
class Interval:
    weekday: int  # 0 Monday .. 6 Sunday
    start: int  # minutes after local midnight, inclusive
    end: int  # minutes after local midnight, exclusive (1440 = midnight)


@dataclass(frozen=True)
class Schedule:
    id: int
    name: str
    intervals: tuple[Interval, ...]

    def contains(self, us: int, tz: tzinfo) -> bool:
        """Whether the local wall-clock time of an instant falls in the schedule."""
        dt = datetime.fromtimestamp(us // US, tz)
        minute = dt.hour * 60 + dt.minute
        wd = dt.weekday()
        return any(i.weekday == wd and i.start <= minute < i.end for i in self.intervals)

    def intervals_json(self) -> list[dict[str, Any]]:
        return [
            {"day": WEEKDAYS[i.weekday], "start": _hhmm(i.start), "end": _hhmm(i.end)}
            for i in self.intervals
        ]


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(text: Any) -> int:
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{1,2}:[0-9]{2}", text.strip()):
        raise InvalidInput(f"not a time of day (HH:MM): {text!r}")
    hh, mm = text.strip().split(":")
    value = int(hh) * 60 + int(mm)
    if not 0 <= value <= 1440 or not 0 <= int(mm) < 60:
        raise InvalidInput(f"not a time of day (HH:MM): {text!r}")
    return value


MAX_INTERVALS = 500
GROUPS = {"weekdays": range(5), "weekend": (5, 6), "daily": range(7), "everyday": range(7)}


def weekday_number(name: Any) -> int:
    """0 Monday .. 6 Sunday from a day's name or its first three letters."""
    key = str(name).strip().lower()
    for i, day in enumerate(WEEKDAYS):
        if key == day or key == day[:3]:
            return i
    raise InvalidInput(f"unknown day {name!r}")


def days_of(name: Any) -> list[int]:
    """The weekdays a day name, group (``weekdays``, ``weekend``, ``daily``) or range
    (``mon-fri``, ``friday-monday``) stands for."""
    key = str(name).strip().lower()
    if key in GROUPS:
        return list(GROUPS[key])
    if "-" in key:
        first, _, last = key.partition("-")
        a, b = weekday_number(first), weekday_number(last)
        return [(a + i) % 7 for i in range((b - a) % 7 + 1)]
    return [weekday_number(key)]


def parse_intervals(raw: Any) -> tuple[Interval, ...]:
    """Intervals from ``[{"day": "monday", "start": "09:00", "end": "17:00"}, ...]``;
    ``day`` may also be a list of days, a three-letter name, a range (``"mon-fri"``) or
    ``"weekdays"``/``"weekend"``/``"daily"``. ``end`` may be ``"24:00"``."""
    if not isinstance(raw, list):
        raise InvalidInput("intervals must be a list")
    if len(raw) > MAX_INTERVALS:
        raise InvalidInput(f"at most {MAX_INTERVALS} intervals")
    out: list[Interval] = []
    for item in raw:
        if not isinstance(item, dict):
            raise InvalidInput("each interval is an object with day, start and end")
        days = item.get("day", item.get("days"))
        if days is None:
            raise InvalidInput("each interval needs a day")
        names = days if isinstance(days, list) else [days]
        start, end = _minutes(item.get("start")), _minutes(item.get("end"))
        if end <= start:
            raise InvalidInput("an interval must end after it starts (split overnight ones)")
        for name in names:
            out.extend(Interval(d, start, end) for d in days_of(name))
    return tuple(out)
