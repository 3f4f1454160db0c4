"""Timestamps in and out: ISO 8601 text <-> integer microseconds, UTC."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hourwise.models import InvalidTimestamp, format_timestamp, parse_timestamp
from hourwise.models.timeutil import datetime_to_us, us_to_datetime

T = 1_704_096_000_000_000  # 2024-01-01T08:00:00Z


@pytest.mark.parametrize("text, expected", [
    ("2024-01-01T08:00:00Z", T),
    ("2024-01-01T08:00:00+00:00", T),
    ("2024-01-01T10:00:00+02:00", T),
    ("2024-01-01T03:00:00-05:00", T),
    ("2024-01-01T08:00:00", T),  # naive is UTC, as ActivityWatch reads it
    ("2024-01-01 08:00:00", T),
    ("2024-01-01T08:00:00.5Z", T + 500_000),
    ("2024-01-01T08:00:00.123456789Z", T + 123_456),  # nanoseconds truncated
    ("2024-01-01", T - 8 * 3600 * 1_000_000),  # a bare date is midnight UTC
    ("  2024-01-01T08:00:00Z ", T),
])
def test_parse(text, expected):
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize("value", [
    "", "garbage", "1704096000", "20240101T080000Z", "2024-13-01", "2024-01-01T24:00:01Z",
    "2024-01-01T08:00:00+25:00", 1704096000, None, 1.5, ["2024-01-01"],
])
def test_parse_rejects(value):
    with pytest.raises(InvalidTimestamp):
        parse_timestamp(value)


def test_format_is_utc_iso():
    assert format_timestamp(T) == "2024-01-01T08:00:00+00:00"
    assert format_timestamp(T + 123_000) == "2024-01-01T08:00:00.123000+00:00"
    assert format_timestamp(-1) == "1969-12-31T23:59:59.999999+00:00"


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(timezone.utc)))
def test_round_trip(moment):
    us = datetime_to_us(moment)
    assert us_to_datetime(us) == moment
    assert parse_timestamp(format_timestamp(us)) == us


@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1)),
       st.integers(-14 * 60, 14 * 60))
def test_offsets_normalise_to_utc(moment, offset_minutes):
    zone = timezone(timedelta(minutes=offset_minutes))
    aware = moment.replace(tzinfo=zone)
    assert parse_timestamp(aware.isoformat()) == datetime_to_us(aware.astimezone(timezone.utc))
