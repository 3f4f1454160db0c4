"""Events and buckets, the two nouns of the ActivityWatch data model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hourwise.models.timeutil import format_timestamp


class Event:
    """One span of activity: a start, a duration and a data object.

    ``start`` and ``duration`` are integer microseconds (UTC epoch and length). ``data``
    dicts read from storage are shared between every event that has the same data, so
    they must be treated as immutable: code that changes data builds a new dict.
    """

    __slots__ = ("id", "start", "duration", "data")

    def __init__(self, id: int | None, start: int, duration: int, data: dict[str, Any]):
        self.id = id
        self.start = start
        self.duration = duration
        self.data = data

    @property
    def end(self) -> int:
        return self.start + self.duration

    def to_json(self) -> dict[str, Any]:
        """The ActivityWatch wire form (timestamp text, duration in float seconds)."""
        return {
            "id": self.id,
            "timestamp": format_timestamp(self.start),
            "duration": self.duration / 1_000_000,
            "data": self.data,
        }

    def __eq__(self, other: object) -> bool:
        # As in ActivityWatch, identity (id) does not take part in equality.
        if not isinstance(other, Event):
            return NotImplemented
        return (
            self.start == other.start
            and self.duration == other.duration
            and self.data == other.data
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, like aw-core's Event

    def __repr__(self) -> str:
        return (
            f"Event(id={self.id!r}, start={format_timestamp(self.start)}, "
            f"duration={self.duration / 1_000_000}s, data={self.data!r})"
        )


@dataclass
class Bucket:
    """A bucket's stored metadata, plus the time span its events cover."""

    id: str
    type: str
    client: str
    hostname: str
    created: int
    data: dict[str, Any] = field(default_factory=dict)
    name: str | None = None
    first_start: int | None = None
    last_end: int | None = None

    def to_json(self) -> dict[str, Any]:
        """Both servers' fields: Python's ``last_updated`` and Rust's ``metadata``."""
        start = format_timestamp(self.first_start) if self.first_start is not None else None
        end = format_timestamp(self.last_end) if self.last_end is not None else None
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "client": self.client,
            "hostname": self.hostname,
            "created": format_timestamp(self.created),
            "data": self.data,
            "metadata": {"start": start, "end": end},
        }
        if end is not None:
            out["last_updated"] = end
        return out
