"""Analytic Data API parameters: every principal name, short name, alias and alias short.

When several spellings of one parameter are given, the principal name wins, then the
short name, the alias and the alias short name. Values are case-insensitive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from hourwise.analytics.activities import SOURCE_TYPES
from hourwise.analytics.periods import RESOLUTIONS
from hourwise.analytics.tables import KINDS, AnalyticQuery

# principal name -> spellings in precedence order
SPELLINGS: dict[str, tuple[str, ...]] = {
    "perspective": ("perspective", "pv", "by"),
    "resolution_time": ("resolution_time", "rs", "interval", "i"),
    "restrict_begin": ("restrict_begin", "rb"),
    "restrict_end": ("restrict_end", "re"),
    "restrict_kind": ("restrict_kind", "rk", "taxonomy", "ty"),
    "restrict_thing": ("restrict_thing", "rt", "taxon", "tx"),
    "restrict_thingy": ("restrict_thingy", "ry", "sub_taxon", "tn"),
    "restrict_source_type": ("restrict_source_type",),
    "restrict_schedule_id": ("restrict_schedule_id", "rsi", "schedule_id", "s"),
    "format": ("format",),
}
PERSPECTIVES = {"rank": "rank", "interval": "interval", "member": "rank"}  # one person: member = rank
MAX_DAYS = 3660


class ParameterError(ValueError):
    """A badly formatted or missing parameter (RescueTime's "# query error")."""


@dataclass(frozen=True)
class DataRequest:
    query: AnalyticQuery
    format: str  # "json" | "csv"
    schedule_id: int | None


def pick(params: Mapping[str, str], name: str) -> str | None:
    """The value of a parameter under whichever spelling has the highest precedence."""
    for spelling in SPELLINGS[name]:
        value = params.get(spelling)
        if value is not None and value.strip() != "":
            return value.strip()
    return None


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value[:10]) if len(value) >= 10 else date.fromisoformat(value)
    except ValueError:
        raise ParameterError(f"not a date: {value!r}") from None


def parse_data_params(params: Mapping[str, str], today: date) -> DataRequest:
    """A query from the request's parameters; ``today`` is the user's local date.

    Defaults: rank perspective, hour resolution, activity kind, JSON, today only; with
    only a begin date, from then to today; with only an end date, that day alone.
    """
    fmt = (pick(params, "format") or "json").lower()
    if fmt not in ("json", "csv"):
        raise ParameterError("format is json or csv")
    perspective = PERSPECTIVES.get((pick(params, "perspective") or "rank").lower())
    if perspective is None:
        raise ParameterError("perspective is rank or interval")
    resolution = (pick(params, "resolution_time") or "hour").lower()
    if resolution not in RESOLUTIONS:
        raise ParameterError("resolution_time is month, week, day, hour or minute")
    kind = (pick(params, "restrict_kind") or "activity").lower()
    if kind not in KINDS:
        raise ParameterError("unknown restrict_kind")
    rb, re_ = pick(params, "restrict_begin"), pick(params, "restrict_end")
    begin = _date(rb) if rb else None
    end = _date(re_) if re_ else None
    if begin is None and end is None:
        begin = end = today
    elif end is None:
        end = max(today, begin)  # type: ignore[type-var]
    elif begin is None:
        begin = end
    assert begin is not None and end is not None
    if (end - begin).days >= MAX_DAYS:
        raise ParameterError("date range too long")
    source = pick(params, "restrict_source_type")
    if source is not None:
        source = source.lower()
        if source not in SOURCE_TYPES:
            raise ParameterError("restrict_source_type is computers, mobile or offline")
    schedule_raw = pick(params, "restrict_schedule_id")
    schedule_id = None
    if schedule_raw is not None:
        try:
            schedule_id = int(schedule_raw)
        except ValueError:
            raise ParameterError("restrict_schedule_id is an integer") from None
    query = AnalyticQuery(
        begin=begin,
        end=end,
        perspective=perspective,
        resolution=resolution,
        kind=kind,
        thing=pick(params, "restrict_thing"),
        thingy=pick(params, "restrict_thingy"),
        source_type=source,
    )
    return DataRequest(query, fmt, schedule_id)
