"""The category model: levels, the category tree, rules and per-activity overrides."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Productivity levels, as RescueTime names them.
LEVEL_NAMES: dict[int, str] = {
    2: "Very Productive",
    1: "Productive",
    0: "Neutral",
    -1: "Distracting",
    -2: "Very Distracting",
}

# RescueTime's eleven top-level ("overview") categories, with the daily summary's stem.
OVERVIEW_CATEGORIES: dict[str, str] = {
    "Uncategorized": "uncategorized",
    "Business": "business",
    "Communication & Scheduling": "communication_and_scheduling",
    "Social Networking": "social_networking",
    "Design & Composition": "design_and_composition",
    "Entertainment": "entertainment",
    "News & Opinion": "news",
    "Software Development": "software_development",
    "Reference & Learning": "reference_and_learning",
    "Shopping": "shopping",
    "Utilities": "utilities",
}

UNCATEGORIZED = ("Uncategorized", "Uncategorized")

# The string values a rule can test; a rule without ``fields`` tests all of them, as
# ActivityWatch's categorize tests every string value of an event's data.
RULE_FIELDS = ("app", "title", "url", "domain")


def clamp_level(value: Any) -> int:
    """A productivity level from any number: rounded and clamped to -2..2."""
    try:
        level = round(float(value))
    except (TypeError, ValueError):
        return 0
    return max(-2, min(2, level))


def general_sub(top: str) -> str:
    """The sub-category a one-level category path stands for ("General Business")."""
    return top if top == "Uncategorized" else f"General {top}"


def category_of(path: tuple[str, ...] | list[str]) -> tuple[str, str]:
    """(top, sub) for a name path: deeper levels than two are folded into the second."""
    if not path:
        return UNCATEGORIZED
    if len(path) == 1:
        return path[0], general_sub(path[0])
    return path[0], path[1]


@dataclass(frozen=True)
class Rule:
    """A regex searched (not anchored) in an activity's app, title, URL or domain.

    The category is the rule's name path. When several rules match, the highest rank
    wins: ``priority`` if set, otherwise ten times the depth of the path; on equal rank
    the later rule wins (ActivityWatch's choice).
    """

    path: tuple[str, ...]
    regex: str
    ignore_case: bool = False
    fields: tuple[str, ...] | None = None
    priority: int | None = None

    def compile(self) -> re.Pattern[str]:
        return re.compile(self.regex, re.IGNORECASE if self.ignore_case else 0)

    @property
    def rank(self) -> int:
        return self.priority if self.priority is not None else 10 * len(self.path)


@dataclass(frozen=True)
class ActivityOverride:
    """A user's choice for one activity: another category, another level, or both."""

    category: tuple[str, str] | None = None
    level: int | None = None


@dataclass
class CategoryConfig:
    """One user's categorisation: rules, category levels and per-activity overrides.

    ``levels`` maps a category path (one or two names) to the user's productivity level
    for it; paths without one inherit from their parent, then from the shipped taxonomy.
    ``overrides`` is keyed by lower-cased activity name.
    """

    rules: list[Rule] = field(default_factory=list)
    levels: dict[tuple[str, ...], int] = field(default_factory=dict)
    overrides: dict[str, ActivityOverride] = field(default_factory=dict)
    # The web UI's extra fields (colours, ids, categories without rules) for round trips.
    extra_classes: list[dict[str, Any]] = field(default_factory=list)
    # Parts of the shipped taxonomy the user removed: ((top, sub), "app" | "site").
    disabled_defaults: frozenset[tuple[tuple[str, str], str]] = frozenset()

    def fingerprint(self) -> tuple[Any, ...]:
        """A hashable identity: equal configurations classify alike (classifier cache key)."""
        return (
            tuple(self.rules),
            tuple(sorted(self.levels.items())),
            tuple(sorted(self.overrides.items(), key=lambda kv: kv[0])),
            tuple(sorted(self.disabled_defaults)),
        )

    @staticmethod
    def parse_overrides(raw: Any) -> dict[str, ActivityOverride]:
        """Overrides from their stored JSON: ``{activity: {"category": [top, sub], "score": n}}``."""
        out: dict[str, ActivityOverride] = {}
        if not isinstance(raw, dict):
            return out
        for name, spec in raw.items():
            if not isinstance(name, str) or not isinstance(spec, dict):
                continue
            cat = spec.get("category")
            category = None
            if isinstance(cat, list) and cat and all(isinstance(c, str) for c in cat):
                category = category_of(cat)
            level = clamp_level(spec["score"]) if spec.get("score") is not None else None
            out[name.lower()] = ActivityOverride(category, level)
        return out
