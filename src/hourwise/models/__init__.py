"""Plain domain objects shared by every layer: events, buckets and time values."""

from hourwise.models.event import Bucket, Event
from hourwise.models.timeutil import (
    InvalidTimestamp,
    format_timestamp,
    now_us,
    parse_timestamp,
    seconds_to_us,
    us_to_seconds,
)

__all__ = [
    "Bucket",
    "Event",
    "InvalidTimestamp",
    "format_timestamp",
    "now_us",
    "parse_timestamp",
    "seconds_to_us",
    "us_to_seconds",
]
