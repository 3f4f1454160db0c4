"""The function registry: ``@query_function`` declares a function's parameters and kinds.

A kind names what an argument must be; the interpreter checks arity and kinds before
calling, so a function body only sees valid values. The function's docstring is its
entry in the query-language reference (``docs/query-language.md``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hourwise.query.errors import QueryFunctionError, QueryInterpretError
from hourwise.query.values import as_events, is_event_list, type_name
from hourwise.transforms.columnar.frame import EventFrame

REQUIRED = inspect.Parameter.empty

# kind -> (check, description used in messages and docs)
KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "events": (is_event_list, "a list of events"),
    "list": (lambda v: isinstance(v, list), "a list"),
    "strings": (lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
                "a list of strings"),
    "str": (lambda v: isinstance(v, str), "a string"),
    "str?": (lambda v: v is None or isinstance(v, str), "a string or null"),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer"),
    "number": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), "a number"),
    "collection": (lambda v: isinstance(v, (list, dict)), "a list or a dict"),
    "any": (lambda v: True, "any value"),
}


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    default: Any = REQUIRED


@dataclass(frozen=True)
class QueryFunction:
    name: str
    params: tuple[Param, ...]
    body: Callable[..., Any]
    variadic: bool = False

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.body) or ""

    @property
    def signature(self) -> str:
        parts = []
        for param in self.params:
            text = f"{param.name}: {param.kind}"
            if param.default is not REQUIRED:
                text += f" = {_literal(param.default)}"
            parts.append(text)
        if self.variadic:
            parts.append("...")
        return f"{self.name}({', '.join(parts)})"

    def invoke(self, ctx: Any, args: list[Any]) -> Any:
        required = sum(1 for p in self.params if p.default is REQUIRED)
        if len(args) < required or (len(args) > len(self.params) and not self.variadic):
            raise QueryInterpretError(
                f"Tried to call function {self.name} with invalid amount of arguments: "
                f"got {len(args)}, expected {self.signature}"
            )
        for position, value in enumerate(args):
            param = self.params[min(position, len(self.params) - 1)]
            if type(value) is EventFrame and param.kind != "events":
                # a function that takes any list sees events as it always did
                value = args[position] = as_events(value)
            check, description = KINDS[param.kind]
            if not check(value):
                raise QueryFunctionError(
                    f"Argument {position + 1} ({param.name}) of {self.name} must be "
                    f"{description}, got {type_name(value)}"
                )
        return self.body(ctx, *args)


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


REGISTRY: dict[str, QueryFunction] = {}


def query_function(*, variadic: bool = False, **kinds: str) -> Callable[[Callable], Callable]:
    """Register ``body(ctx, *args)`` under its own name with the given parameter kinds."""

    def register(body: Callable[..., Any]) -> Callable[..., Any]:
        defaults = {
            name: p.default for name, p in inspect.signature(body).parameters.items()
        }
        params = tuple(Param(name, kind, defaults.get(name, REQUIRED)) for name, kind in kinds.items())
        unknown = [p.kind for p in params if p.kind not in KINDS]
        if unknown:
            raise ValueError(f"unknown kinds {unknown} for {body.__name__}")
        REGISTRY[body.__name__] = QueryFunction(body.__name__, params, body, variadic)
        return body

    return register
