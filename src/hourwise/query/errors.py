"""Query errors: 400 ``{"type", "message"}`` as ActivityWatch's Python server answers.

The ``type`` names are aw-core's exception class names, so clients that branch on them
keep working. Every message says what is wrong and, when known, where (line, column).
"""

from __future__ import annotations

from hourwise.errors import HourwiseError


class QueryError(HourwiseError):
    """Base of every error a query program can cause."""

    status = 400
    type = "QueryException"

    def body(self) -> dict:
        return {"type": self.type, "message": self.message}


class QueryParseError(QueryError):
    """The program text is not valid query2 (or never assigns RETURN)."""

    type = "QueryParseException"


class QueryInterpretError(QueryError):
    """Evaluation failed outside a function: unknown variable or function, bad arity."""

    type = "QueryInterpretException"


class QueryFunctionError(QueryError):
    """A function refused its arguments or failed on them."""

    type = "QueryFunctionException"


class QueryLimitError(QueryError):
    """The query ran longer, or built bigger event lists, than the server allows."""

    status = 422
    type = "QueryLimitExceeded"


def at(line: int, column: int) -> str:
    """The location suffix used in messages: ``at line 2, column 7``."""
    return f"at line {line}, column {column}"
