"""Categories and tags from regex rules (the ActivityWatch ``classes`` format).

A rule is a dict: ``regex`` (searched, not anchored), ``ignore_case``, optional
``select_keys`` (the data keys to test; by default every string value) and optional
integer ``priority`` (alias ``weight``). As in aw-core, ``type`` is not consulted: a
rule with a non-empty regex can match, one without never does.

Each rule runs once per distinct data object, not once per event.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from hourwise.models import Event
from hourwise.transforms.data_map import map_data

UNCATEGORIZED = ["Uncategorized"]


class RuleError(ValueError):
    """A rule dict that cannot be used."""


class Rule:
    __slots__ = ("regex", "select_keys", "priority")

    def __init__(self, spec: Any):
        if not isinstance(spec, dict):
            raise RuleError(f"a rule must be a dict, not {type(spec).__name__}")
        select_keys = spec.get("select_keys")
        if select_keys is not None and not (
            isinstance(select_keys, list) and all(isinstance(k, str) for k in select_keys)
        ):
            raise RuleError("select_keys must be a list of strings")
        self.select_keys: list[str] | None = select_keys or None
        priority = spec["priority"] if "priority" in spec else spec.get("weight")
        if priority is not None and (isinstance(priority, bool) or not isinstance(priority, int)):
            raise RuleError("priority/weight must be an integer")
        self.priority: int | None = priority
        pattern = spec.get("regex")
        if pattern is not None and not isinstance(pattern, str):
            raise RuleError("regex must be a string")
        flags = re.IGNORECASE if spec.get("ignore_case", False) else 0
        try:
            self.regex = re.compile(pattern, flags) if pattern else None
        except re.error as exc:
            raise RuleError(f"invalid regex {pattern!r}: {exc}") from None

    def match(self, data: dict[str, Any]) -> bool:
        """Whether the regex is found in one of the selected string values."""
        if self.regex is None:
            return False
        search = self.regex.search
        if self.select_keys:
            values = [data.get(key) for key in self.select_keys]
        else:
            values = data.values()
        for value in values:
            if isinstance(value, str) and search(value):
                return True
        return False


def parse_classes(classes: Sequence[Any], *, tags: bool = False) -> list[tuple[Any, Rule]]:
    """``[[name, rule], ...]`` to (name, Rule) pairs; category names must be lists of
    strings, tag names strings."""
    out: list[tuple[Any, Rule]] = []
    for position, entry in enumerate(classes):
        if not isinstance(entry, list) or len(entry) != 2:
            raise RuleError(f"class {position} must be a [name, rule] pair")
        name, spec = entry
        if tags:
            if not isinstance(name, str):
                raise RuleError(f"tag {position} must be a string")
        elif not (isinstance(name, list) and all(isinstance(part, str) for part in name)):
            raise RuleError(f"category {position} must be a list of strings, such as [\"Work\"]")
        out.append((name, Rule(spec)))
    return out


def _rank(name: list[str], rule: Rule) -> int:
    # Without a priority, deeper categories win (depth 1 -> 10, depth 2 -> 20).
    return rule.priority if rule.priority is not None else len(name) * 10


def _by_preference(classes: Sequence[tuple[list[str], Rule]]) -> list[tuple[list[str], Rule]]:
    """Non-empty categories, best first: highest rank, and among equal ranks the later
    rule. The first match in this order is the category aw-core would pick."""
    ranked = [(_rank(name, rule), i, name, rule) for i, (name, rule) in enumerate(classes) if name]
    ranked.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [(name, rule) for _, _, name, rule in ranked if rule.regex is not None]


MEMO_LIMIT = 100_000  # remembered categories per rule set (then forgotten all at once)
_memos: dict[tuple, dict[tuple, list[str]]] = {}


def rules_signature(classes: Sequence[tuple[list[str], Rule]]) -> tuple:
    """A hashable value equal for rule sets that categorise alike."""
    return tuple(
        (tuple(name), rule.regex.pattern if rule.regex else None,
         rule.regex.flags if rule.regex else 0,
         tuple(rule.select_keys) if rule.select_keys else None, rule.priority)
        for name, rule in classes
    )


def _known_categories(classes: Sequence[tuple[list[str], Rule]]) -> dict[tuple, list[str]]:
    """Categories already found with these rules, by the data's string values.

    A rule only ever looks at string values, so equal string values get equal
    categories: the web UI categorises the same window titles with the same rules for
    every period it asks about, and the regexes (a dozen or more, some ignoring case)
    are the most expensive part of a query. Kept for a few rule sets, bounded.
    """
    signature = rules_signature(classes)
    memo = _memos.get(signature)
    if memo is None:
        if len(_memos) >= 4:
            _memos.clear()
        memo = _memos[signature] = {}
    return memo


def category_matcher(classes: Sequence[tuple[list[str], Rule]]) -> Callable[[dict[str, Any]], list[str]]:
    """The category ``categorize`` gives a data object (a list never to be changed;
    the same list for the same category), found by trying the rules anew each call."""
    preferred = _by_preference(classes)

    def category_of(data: dict[str, Any]) -> list[str]:
        for name, rule in preferred:
            if rule.match(data):
                return name
        return UNCATEGORIZED

    return category_of


def category_finder(classes: Sequence[tuple[list[str], Rule]]) -> Callable[[dict[str, Any]], list[str]]:
    """``category_matcher``, remembering the categories of recently seen string values."""
    match = category_matcher(classes)
    known = _known_categories(classes)

    def category_of(data: dict[str, Any]) -> list[str]:
        strings = tuple([(k, v) for k, v in data.items() if type(v) is str])
        category = known.get(strings)
        if category is None:
            category = match(data)
            if len(known) >= MEMO_LIMIT:
                known.clear()
            known[strings] = category
        return category

    return category_of


def categorizer(classes: Sequence[tuple[list[str], Rule]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The per-data rewrite of ``categorize``: the data with ``$category`` set."""
    category_of = category_finder(classes)
    return lambda data: {**data, "$category": list(category_of(data))}


def categorize(
    events: Sequence[Event],
    classes: Sequence[tuple[list[str], Rule]],
    tick: Callable[[], None] | None = None,
) -> list[Event]:
    """Set ``data["$category"]`` to the best matching category path, or
    ``["Uncategorized"]``. ``tick`` is called now and then on long inputs."""
    return map_data(events, categorizer(classes), tick)


def tagger(classes: Sequence[tuple[str, Rule]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The per-data rewrite of ``tag``: the data with ``$tags`` set."""
    return lambda data: {**data, "$tags": [n for n, rule in classes if rule.match(data)]}


def tag(
    events: Sequence[Event],
    classes: Sequence[tuple[str, Rule]],
    tick: Callable[[], None] | None = None,
) -> list[Event]:
    """Set ``data["$tags"]`` to every matching tag, in rule order (duplicates kept)."""
    return map_data(events, tagger(classes), tick)
