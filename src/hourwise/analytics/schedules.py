"""Schedules: stored weekly time filters (RescueTime's ``restrict_schedule_id``).

A schedule is a set of weekly local-time intervals, such as "Mon-Fri 09:00-17:00".
Reports filtered by a schedule count only time whose 5-minute slot starts inside one.
"""

from __future__ import annotations

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
    try:
        hh, mm = str(text).split(":")
        value = int(hh) * 60 + int(mm)
    except ValueError:
        raise InvalidInput(f"not a time of day (HH:MM): {text!r}") from None
    if not 0 <= value <= 1440 or not 0 <= int(mm) < 60:
        raise InvalidInput(f"not a time of day (HH:MM): {text!r}")
    return value


def parse_intervals(raw: Any) -> tuple[Interval, ...]:
    """Intervals from ``[{"day": "monday", "start": "09:00", "end": "17:00"}, ...]``;
    ``day`` may also be a list of days or ``"weekdays"``/``"weekend"``/``"daily"``."""
    if not isinstance(raw, list):
        raise InvalidInput("intervals must be a list")
    groups = {"weekdays": range(5), "weekend": (5, 6), "daily": range(7), "everyday": range(7)}
    out: list[Interval] = []
    for item in raw:
        if not isinstance(item, dict):
            raise InvalidInput("each interval is an object with day, start and end")
        days = item.get("day", item.get("days"))
        names = days if isinstance(days, list) else [days]
        start, end = _minutes(item.get("start")), _minutes(item.get("end"))
        if end <= start:
            raise InvalidInput("an interval must end after it starts (split overnight ones)")
        for name in names:
            key = str(name).strip().lower()
            if key in groups:
                out.extend(Interval(d, start, end) for d in groups[key])
            elif key in WEEKDAYS:
                out.append(Interval(WEEKDAYS.index(key), start, end))
            else:
                raise InvalidInput(f"unknown day {name!r}")
    return tuple(out)
