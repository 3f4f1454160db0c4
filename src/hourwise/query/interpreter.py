"""Evaluates a parsed program once per time period, against a read-only event source.

Each period runs in a fresh namespace holding ``STARTTIME``, ``ENDTIME`` (ISO 8601
text, as aw-core binds them), ``TIMEINTERVAL`` (``"start/end"``, as aw-server-rust
binds it) and ``NAME``. Limits are enforced cooperatively: the clock is checked before
every statement and call and inside long-running functions, and every event list a
function builds is measured.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol

from hourwise.memory import paused_gc
from hourwise.models import Bucket, Event, InvalidTimestamp, parse_timestamp
from hourwise.query.ast import Call, DictExpr, Expr, ListExpr, Literal, Name, Program
from hourwise.query.cache import Reads
from hourwise.query.errors import (
    QueryError,
    QueryFunctionError,
    QueryInterpretError,
    QueryLimitError,
    QueryParseError,
    at,
)
from hourwise.query.values import EventList, materialize
from hourwise.transforms.columnar.frame import EventFrame


class EventSource(Protocol):
    """What queries read: the store satisfies it."""

    def get_events(self, key: str, start: int | None = None, end: int | None = None,
                   limit: int | None = None) -> list[Event]: ...

    def count_events(self, key: str, start: int | None = None, end: int | None = None) -> int: ...

    def list_buckets(self) -> list[Bucket]: ...


@dataclass(frozen=True)
class Limits:
    time_seconds: float = 30.0
    max_events: int = 5_000_000


@dataclass(frozen=True)
class Period:
    """One ``start/end`` time period: microseconds plus the ISO text bound for queries."""

    start: int
    end: int
    start_text: str
    end_text: str


def _iso(text: str) -> tuple[int, str]:
    us = parse_timestamp(text)
    parsed = datetime.fromisoformat(text.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return us, parsed.isoformat()


def parse_period(text: Any, position: int = 0) -> Period:
    """Read ``"start/end"``; anything after a second ``/`` is ignored, as in aw-core."""
    parts = text.split("/") if isinstance(text, str) else []
    if len(parts) < 2:
        raise QueryParseError(
            f"Invalid timeperiod {position}: {text!r} is not 'start/end' in ISO 8601"
        )
    try:
        start, start_text = _iso(parts[0])
        end, end_text = _iso(parts[1])
    except (InvalidTimestamp, ValueError) as exc:
        raise QueryParseError(f"Invalid timeperiod {position}: {text!r}: {exc}") from None
    return Period(start, end, start_text, end_text)


YIELD_EVERY = 0.002  # seconds of evaluation between two offers of the GIL


class Budget:
    """The time limit of one request, checked cooperatively.

    Each check also lets other threads run at least every ``YIELD_EVERY`` seconds: a
    CPU-bound query would otherwise keep the GIL for whole switch intervals at a time,
    and the requests queued behind it (heartbeats, ``/info``) would each wait many of
    them.
    """

    __slots__ = ("deadline", "next_yield", "seconds")

    def __init__(self, seconds: float):
        self.seconds = seconds
        now = time.monotonic()
        self.deadline = now + seconds
        self.next_yield = now + YIELD_EVERY

    def check(self) -> None:
        now = time.monotonic()
        if now >= self.next_yield:
            time.sleep(0)  # releases the GIL; another thread waiting for it takes it
            now = time.monotonic()
            self.next_yield = now + YIELD_EVERY
        if now > self.deadline:
            raise QueryLimitError(
                f"Query exceeded the time limit of {self.seconds:g} s; "
                "ask for shorter or fewer time periods"
            )


@dataclass
class Context:
    """What a query function can see while it runs."""

    source: EventSource
    namespace: dict[str, Any]
    budget: Budget
    limits: Limits
    times: dict[str, int] = field(default_factory=dict)
    reads: Reads = field(default_factory=Reads)

    @property
    def user_id(self) -> int | None:
        """Whose buckets ``source`` shows (stores are viewed per user)."""
        return getattr(self.source, "user_id", None)

    def time_of(self, variable: str) -> int:
        """``STARTTIME``/``ENDTIME`` as microseconds (queries may reassign them)."""
        text = self.namespace.get(variable)
        cached = self.times.get(text) if isinstance(text, str) else None
        if cached is not None:
            return cached
        try:
            value = parse_timestamp(text)
        except InvalidTimestamp:
            raise QueryFunctionError(f"Unable to parse {variable} {text!r}") from None
        self.times[text] = value
        return value

    def sized(self, events: list[Event] | EventFrame) -> EventList | EventFrame:
        """Wrap a function's event list, refusing ones over the size limit."""
        if len(events) > self.limits.max_events:
            raise QueryLimitError(
                f"Query built a list of {len(events)} events, more than the limit of "
                f"{self.limits.max_events}; ask for shorter time periods"
            )
        if type(events) is EventList or type(events) is EventFrame:
            return events
        return EventList(events)


def evaluate(expr: Expr, ctx: Context) -> Any:
    kind = type(expr)
    if kind is Literal:
        return expr.value
    if kind is Name:
        try:
            return ctx.namespace[expr.name]
        except KeyError:
            raise QueryInterpretError(
                f"Tried to reference variable '{expr.name}' which is not defined "
                f"{at(expr.span.line, expr.span.column)}"
            ) from None
    if kind is Call:
        return call(expr, ctx)
    if kind is ListExpr:
        return [evaluate(item, ctx) for item in expr.items]
    if kind is DictExpr:
        return {key: evaluate(value, ctx) for key, value in zip(expr.keys, expr.values)}
    raise AssertionError(f"unknown node {expr!r}")  # pragma: no cover


def call(expr: Call, ctx: Context) -> Any:
    from hourwise.query.functions import REGISTRY

    function = REGISTRY.get(expr.name)
    where = at(expr.span.line, expr.span.column)
    if function is None:
        raise QueryInterpretError(
            f"Tried to call function '{expr.name}' which doesn't exist {where}"
        )
    args = [evaluate(arg, ctx) for arg in expr.args]
    ctx.budget.check()
    try:
        return function.invoke(ctx, args)
    except QueryError as exc:
        if not getattr(exc, "located", False) and not isinstance(exc, QueryLimitError):
            exc = type(exc)(f"{exc.message} (in {expr.name}() {where})")
            exc.located = True  # type: ignore[attr-defined]
            raise exc from None
        raise


def run_program(
    program: Program,
    periods: list[Period],
    source: EventSource,
    *,
    name: str = "",
    limits: Limits = Limits(),
    as_frames: bool = False,
) -> list[Any]:
    """The value of ``RETURN`` for each period, in order. Event lists come as
    ``EventList``s, or with ``as_frames`` as the engine's ``EventFrame``s (cheaper when
    the result is only going to be written out as JSON)."""
    budget = Budget(limits.time_seconds)
    with paused_gc():
        results = [run_period(program, period, source, name, limits, budget)[0]
                   for period in periods]
    return results if as_frames else [materialize(result) for result in results]


def run_period(program: Program, period: Period, source: EventSource, name: str,
               limits: Limits, budget: Budget) -> tuple[Any, Reads]:
    """``RETURN`` of one period, and what the evaluation read from ``source``."""
    namespace: dict[str, Any] = {
        "STARTTIME": period.start_text,
        "ENDTIME": period.end_text,
        "TIMEINTERVAL": f"{period.start_text}/{period.end_text}",
        "NAME": name,
    }
    ctx = Context(source, namespace, budget, limits)
    for statement, dead in zip(program.statements, _dead_after(program)):
        budget.check()
        namespace[statement.target] = evaluate(statement.value, ctx)
        for variable in dead:
            # never read again: free its (often large) event list now, not at the end
            del namespace[variable]
    return namespace["RETURN"], ctx.reads


_PREDEFINED = frozenset({"RETURN", "STARTTIME", "ENDTIME", "TIMEINTERVAL", "NAME"})
_dead_cache: dict[int, tuple[Program, list[tuple[str, ...]]]] = {}


def _names(expr: Expr, out: set[str]) -> set[str]:
    kind = type(expr)
    if kind is Name:
        out.add(expr.name)
    elif kind is Call or kind is ListExpr:
        for item in expr.args if kind is Call else expr.items:
            _names(item, out)
    elif kind is DictExpr:
        for item in expr.values:
            _names(item, out)
    return out


def _dead_after(program: Program) -> list[tuple[str, ...]]:
    """For each statement, the variables no later statement reads (deleted after it).

    ``RETURN`` and the predefined names stay (``query_bucket`` reads STARTTIME and
    ENDTIME implicitly). A long query holds each intermediate event list only as long
    as it is needed, which lowers its peak memory.
    """
    cached = _dead_cache.get(id(program))
    if cached is not None and cached[0] is program:
        return cached[1]
    later: set[str] = set()
    dead: list[tuple[str, ...]] = []
    for statement in reversed(program.statements):
        reads = _names(statement.value, set())
        candidates = (reads | {statement.target}) - later - _PREDEFINED
        dead.append(tuple(sorted(candidates)))
        later |= reads
    dead.reverse()
    if len(_dead_cache) >= 256:
        _dead_cache.clear()
    _dead_cache[id(program)] = (program, dead)
    return dead


