"""The syntax tree of a query2 program: frozen nodes, each with the span it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union


@dataclass(frozen=True, slots=True)
class Span:
    """Where a node starts in the program text (1-based line and column)."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}"


@dataclass(frozen=True, slots=True)
class Literal:
    """A string, number, ``true``/``false`` or ``null``."""

    value: Any
    span: Span


@dataclass(frozen=True, slots=True)
class Name:
    """A variable reference."""

    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Call:
    """``name(arg, ...)``."""

    name: str
    args: tuple["Expr", ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ListExpr:
    items: tuple["Expr", ...]
    span: Span


@dataclass(frozen=True, slots=True)
class DictExpr:
    """``{"key": value, ...}``; keys are always strings."""

    keys: tuple[str, ...]
    values: tuple["Expr", ...]
    span: Span


Expr = Union[Literal, Name, Call, ListExpr, DictExpr]


@dataclass(frozen=True, slots=True)
class Assign:
    """``name = expr;`` (``return expr;`` is an assignment to ``RETURN``)."""

    target: str
    value: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Program:
    statements: tuple[Assign, ...]
