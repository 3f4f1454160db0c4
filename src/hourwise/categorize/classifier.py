"""Classifying activities: rules, then the shipped taxonomy, then per-activity overrides.

Each distinct subject (activity, app, title, URL) is classified once per configuration
and remembered; a year of events holds about a million events but only tens of
thousands of distinct subjects.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple

from hourwise.categorize.model import (
    RULE_FIELDS,
    UNCATEGORIZED,
    CategoryConfig,
    category_of,
)
from hourwise.categorize.taxonomy import Taxonomy, default_taxonomy


class Subject(NamedTuple):
    """What is classified: an activity and the raw strings it came from.

    ``activity`` is the app name, or the site's domain when ``site`` is true; ``path``
    is the URL path of a site (the document), used for path-specific taxonomy entries.
    """

    activity: str
    app: str = ""
    title: str = ""
    url: str = ""
    site: bool = False
    path: str = ""


@dataclass(frozen=True, slots=True)
class Classification:
    top: str  # top-level ("overview") category
    sub: str  # sub-category
    level: int  # productivity level, -2..2


class Classifier:
    """Classifies subjects for one configuration, remembering every answer."""

    def __init__(self, config: CategoryConfig | None = None, taxonomy: Taxonomy | None = None):
        self.config = config or CategoryConfig()
        self.taxonomy = taxonomy or default_taxonomy()
        self._rules: list[tuple[int, tuple[str, str], re.Pattern[str], tuple[str, ...]]] = []
        for rule in self.config.rules:
            try:
                pattern = rule.compile()
            except re.error:
                continue  # a broken rule from the web UI matches nothing rather than failing
            fields = tuple(f for f in (rule.fields or RULE_FIELDS) if f in RULE_FIELDS)
            self._rules.append((rule.rank, category_of(rule.path), pattern, fields))
        self._memo: dict[Subject, Classification] = {}
        self._by_category: dict[tuple[str, str], Classification] = {}

    def __call__(self, subject: Subject) -> Classification:
        found = self._memo.get(subject)
        if found is None:
            found = self._memo[subject] = self._classify(subject)
        return found

    def _match_rules(self, s: Subject) -> tuple[str, str] | None:
        if not self._rules:
            return None
        values = {"app": s.app, "title": s.title, "url": s.url, "domain": s.activity if s.site else ""}
        best: tuple[str, str] | None = None
        best_rank = -(1 << 30)
        for rank, category, pattern, fields in self._rules:
            if rank < best_rank:
                continue
            for name in fields:
                value = values[name]
                if value and pattern.search(value):
                    best, best_rank = category, rank  # later rules win ties
                    break
        return best

    def _classify(self, s: Subject) -> Classification:
        category = self._match_rules(s)
        if category is None:
            if s.site:
                category = self.taxonomy.lookup_site(s.activity, s.path)
            else:
                category = self.taxonomy.lookup_app(s.activity)
            disabled = self.config.disabled_defaults
            if category is not None and disabled and (
                    (category, "site" if s.site else "app") in disabled):
                category = None
        override = self.config.overrides.get(s.activity.lower())
        if override is not None and override.category is not None:
            category = override.category
        top, sub = category or UNCATEGORIZED
        if override is not None and override.level is not None:
            return Classification(top, sub, override.level)
        return self.category(top, sub)

    def category(self, top: str, sub: str) -> Classification:
        """The classification of a category itself (its level after inheritance)."""
        found = self._by_category.get((top, sub))
        if found is None:
            levels = self.config.levels
            level = levels.get((top, sub))
            if level is None:
                level = levels.get((top,))
            if level is None:
                level = self.taxonomy.level(top, sub)
            found = Classification(top, sub, level or 0)
            self._by_category[(top, sub)] = found
        return found


_CACHE: OrderedDict[tuple[object, ...], Classifier] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def classifier_for(config: CategoryConfig) -> Classifier:
    """A shared classifier for a configuration, so its memo survives across requests."""
    key = config.fingerprint()
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    made = Classifier(config)
    with _CACHE_LOCK:
        _CACHE[key] = made
        while len(_CACHE) > 16:
            _CACHE.popitem(last=False)
    return made
