"""Time inside Hourwise: integer microseconds since the Unix epoch, always UTC.

Integers make storage compact, comparisons exact and durations free of float drift;
conversion to ISO 8601 text happens only at the edges (the wire formats).
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US_PER_SECOND = 1_000_000

# Extended-format dates only (YYYY-MM-DD...). datetime.fromisoformat would also read
# "20240302" or a bare number as a date, which no ActivityWatch client sends and which
# is far more likely a mistake (an epoch number sent as a string) than a timestamp.
_EXTENDED_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class InvalidTimestamp(ValueError):
    """Raised when a value cannot be read as an ISO 8601 timestamp."""


def now_us() -> int:
    """The current time in microseconds since the epoch (UTC)."""
    return time.time_ns() // 1000


def datetime_to_us(value: datetime) -> int:
    """Microseconds since the epoch for a datetime; a naive datetime is read as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - EPOCH
    return (delta.days * 86_400 + delta.seconds) * US_PER_SECOND + delta.microseconds


def us_to_datetime(us: int) -> datetime:
    """A timezone-aware UTC datetime for microseconds since the epoch."""
    return EPOCH + timedelta(microseconds=us)


def parse_timestamp(text: object) -> int:
    """Parse an ISO 8601 timestamp into microseconds since the epoch (UTC).

    Accepts what ActivityWatch's Python server accepts: a date-time with an offset or
    ``Z``, a naive date-time (read as UTC) or a bare date (midnight UTC). Fractions
    beyond microseconds are truncated.
    """
    if not isinstance(text, str):
        raise InvalidTimestamp(f"timestamp must be an ISO 8601 string, not {type(text).__name__}")
    candidate = text.strip()
    if not _EXTENDED_DATE.match(candidate):
        raise InvalidTimestamp(f"invalid ISO 8601 timestamp: {text!r}")
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        raise InvalidTimestamp(f"invalid ISO 8601 timestamp: {text!r}") from None
    try:
        return datetime_to_us(parsed)
    except OverflowError:
        raise InvalidTimestamp(f"timestamp out of range: {text!r}") from None


_US_PER_DAY = 86_400 * US_PER_SECOND
_day_prefixes: dict[int, str] = {}


def _day_prefix(day: int) -> str:
    prefix = _day_prefixes.get(day)
    if prefix is None:
        date = (EPOCH + timedelta(days=day)).date()
        prefix = f"{date.year:04d}-{date.month:02d}-{date.day:02d}T"
        if len(_day_prefixes) > 100_000:
            _day_prefixes.clear()
        _day_prefixes[day] = prefix
    return prefix


_clock_texts: list[str | None] = [None] * 86_400


def _clock_text(second_of_day: int) -> str:
    text = _clock_texts[second_of_day]
    if text is None:
        hours, rest = divmod(second_of_day, 3600)
        text = _clock_texts[second_of_day] = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    return text


def format_timestamp(us: int) -> str:
    """ISO 8601 text in UTC, as ActivityWatch's Python server writes it.

    ``2024-01-01T08:00:00+00:00`` or ``2024-01-01T08:00:00.123000+00:00``. Built with
    integer arithmetic and a cached date prefix: listing events formats one timestamp
    per event, and this is several times faster than going through datetime (the date and
    the time-of-day texts are each made once and reused).
    """
    day, rest = divmod(us, _US_PER_DAY)
    seconds, fraction = divmod(rest, US_PER_SECOND)
    if fraction:
        return f"{_day_prefix(day)}{_clock_text(seconds)}.{fraction:06d}+00:00"
    return f"{_day_prefix(day)}{_clock_text(seconds)}+00:00"


def seconds_to_us(seconds: float) -> int:
    """Float seconds (the wire's duration unit) to integer microseconds, rounded."""
    return round(seconds * US_PER_SECOND)


def us_to_seconds(us: int) -> float:
    """Integer microseconds to float seconds."""
    return us / US_PER_SECOND
