"""Local days, weeks and months, and the labels of RescueTime's interval rows.

Events are stored in UTC; every boundary here is a wall-clock boundary in the user's
time zone (zoneinfo), so a DST day has 23 or 25 hours and its hours are labelled by
local time (the repeated hour of a fall-back night is one row, as on a wall clock).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

US = 1_000_000
SLOT_US = 300 * US  # the finest resolution: RescueTime's "minute" rows are 5 minutes

RESOLUTIONS = ("month", "week", "day", "hour", "minute")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def local_midnight_us(day: date, tz: tzinfo) -> int:
    """The UTC microsecond of a local day's first instant."""
    dt = datetime(day.year, day.month, day.day, tzinfo=tz)
    return int(dt.timestamp()) * US


def day_bounds(day: date, tz: tzinfo) -> tuple[int, int]:
    """[start, end) of a local day in UTC microseconds (23, 24 or 25 hours long)."""
    return local_midnight_us(day, tz), local_midnight_us(day + timedelta(days=1), tz)


def week_start_index(value: str | int | None) -> int:
    """0 (Monday) .. 6 (Sunday) from a weekday name or number; RescueTime's weeks start on Sunday."""
    if value is None:
        return 6
    if isinstance(value, int):
        return value % 7
    return WEEKDAYS.index(value.strip().lower())


def label(us: int, resolution: str, tz: tzinfo, week_start: int = 6) -> str:
    """The ``Date`` of the row an instant belongs to: its bucket's local start, no offset."""
    dt = datetime.fromtimestamp(us // US, tz).replace(tzinfo=None)
    if resolution == "minute":
        dt = dt.replace(minute=dt.minute - dt.minute % 5, second=0)
    elif resolution == "hour":
        dt = dt.replace(minute=0, second=0)
    else:
        dt = dt.replace(hour=0, minute=0, second=0)
        if resolution == "week":
            dt -= timedelta(days=(dt.weekday() - week_start) % 7)
        elif resolution == "month":
            dt = dt.replace(day=1)
    return dt.strftime("%Y-%m-%dT%H:%M:%S")


def days_between(begin: date, end: date) -> list[date]:
    """Every day from ``begin`` to ``end``, both inclusive."""
    return [begin + timedelta(days=i) for i in range((end - begin).days + 1)]
