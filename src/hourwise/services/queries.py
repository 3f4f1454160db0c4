"""Runs query2 programs (``POST /api/0/query/``) over time periods, within limits."""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any

from hourwise.memory import paused_gc, release_free_memory
from hourwise.query.ast import Program
from hourwise.query.cache import ResultCache
from hourwise.query.interpreter import (
    Budget,
    EventSource,
    Limits,
    parse_period,
    run_period,
    run_program,
)
from hourwise.query.parser import parse
from hourwise.query.values import dumps


# Seconds of evaluation after which the memory the query freed is given back to the
# system (``release_free_memory``, ~2 ms after a year-long query): long queries only.
TRIM_AFTER = 0.1


@lru_cache(maxsize=128)
def _parse_cached(text: str) -> Program:
    # Clients send the same few canned programs over and over; syntax trees are immutable.
    return parse(text)


class QueryService:
    """Parses a program once and evaluates it once per time period.

    With a ``cache``, the JSON of each period that ended before the request arrived is
    kept and reused until a write touches data the period's evaluation read (see
    ``hourwise.query.cache``).
    """

    def __init__(self, source: EventSource, limits: Limits, *, cached: bool = False,
                 cache: ResultCache | None = None):
        self.source = source
        self.limits = limits
        if cached and cache is None:
            cache = ResultCache()
        if cache is not None:
            # Told about every committed write, so cached results stay exact.
            source.add_write_listener(cache.changed)  # type: ignore[attr-defined]
        self.cache = cache

    def run(self, query: list[str], timeperiods: list[str], name: str = "") -> list[Any]:
        """One result per period, in order (Python values; never cached). Statements
        are joined with newlines (as aw-server-rust does), so a missing ``;`` between
        two lines is reported rather than silently gluing them together."""
        periods = [parse_period(text, position) for position, text in enumerate(timeperiods)]
        program = _parse_cached("\n".join(query))
        return run_program(program, periods, self.source, name=name, limits=self.limits)

    def run_json(self, query: list[str], timeperiods: list[str], name: str = "",
                 source: EventSource | None = None) -> bytes:
        """The response body: a JSON array with one result per period. ``source``
        defaults to the service's store (pass a user's view of it to query as them)."""
        source = source if source is not None else self.source
        periods = [parse_period(text, position) for position, text in enumerate(timeperiods)]
        text = "\n".join(query)
        program = _parse_cached(text)
        cache = self.cache
        if cache is None:
            return dumps(run_program(program, periods, source, name=name, limits=self.limits,
                                     as_frames=True))
        now = cache.cacheable_before()
        program_key = cache.program_key(text)
        user = getattr(source, "user_id", None)
        parts: list[bytes] = []
        budget = Budget(self.limits.time_seconds)
        for period in periods:
            key = (program_key, user, name, period.start_text, period.end_text)
            past = period.end < now
            if past:
                hit = cache.get(key)
                if hit is not None:
                    parts.append(hit)
                    continue
            token = cache.token()
            started = time.perf_counter()
            with paused_gc():
                value, reads = run_period(program, period, source, name, self.limits, budget)
                encoded = dumps(value)
                del value
            if time.perf_counter() - started > TRIM_AFTER:
                release_free_memory()
            if past:
                cache.put(key, encoded, reads, token, now)
            parts.append(encoded)
        return b"[" + b",".join(parts) + b"]"
