"""Runs query2 programs (``POST /api/0/query/``) over time periods, within limits."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from hourwise.query.ast import Program
from hourwise.query.interpreter import EventSource, Limits, parse_period, run_program
from hourwise.query.parser import parse


@lru_cache(maxsize=128)
def _parse_cached(text: str) -> Program:
    # Clients send the same few canned programs over and over; syntax trees are immutable.
    return parse(text)


class QueryService:
    """Parses a program once and evaluates it once per time period."""

    def __init__(self, source: EventSource, limits: Limits):
        self.source = source
        self.limits = limits

    def run(self, query: list[str], timeperiods: list[str], name: str = "") -> list[Any]:
        """One result per period, in order. Statements are joined with newlines (as
        aw-server-rust does), so a missing ``;`` between two lines is reported rather
        than silently gluing them together."""
        periods = [parse_period(text, position) for position, text in enumerate(timeperiods)]
        program = _parse_cached("\n".join(query))
        return run_program(program, periods, self.source, name=name, limits=self.limits)
