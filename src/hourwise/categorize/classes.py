"""The category model in ActivityWatch's web UI ``classes`` format, both ways.

A class is ``{"id": n, "name": [..], "rule": {"type": "regex"|"none"|null, "regex",
"ignore_case", "select_keys"?, "priority"?}, "data": {"color", "score"}}``. The first two
names are RescueTime's category and sub-category; ``data.score`` is the level.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

from hourwise.categorize.model import (
    RULE_FIELDS,
    CategoryConfig,
    Rule,
    category_of,
    clamp_level,
)
from hourwise.categorize.taxonomy import Taxonomy, default_taxonomy


def _path(raw: Any) -> tuple[str, ...] | None:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw or not all(isinstance(p, str) and p for p in raw):
        return None
    return tuple(raw)


def _identity(entry: dict[str, Any]) -> tuple[Any, ...] | None:
    """What makes a class one of the shipped defaults: its path and regex (colours, ids,
    scores and rule extras the web UI may drop do not count)."""
    path = _path(entry.get("name"))
    rule = entry.get("rule")
    if path is None or not isinstance(rule, dict) or rule.get("type") in (None, "none"):
        return None
    if not isinstance(rule.get("regex"), str):
        return None
    return (path, rule.get("regex"), bool(rule.get("ignore_case")))


@functools.cache
def _shipped() -> dict[tuple[Any, ...], tuple[tuple[str, str], str]]:
    """Identity of each shipped default rule -> (category, "app" | "site")."""
    out: dict[tuple[Any, ...], tuple[tuple[str, str], str]] = {}
    for entry in taxonomy_classes():
        ident = _identity(entry)
        if ident is not None:
            kind = "app" if entry["rule"].get("select_keys") == ["app"] else "site"
            out[ident] = (category_of(entry["name"]), kind)
    return out


def from_classes(classes: Any, overrides: Any = None, *, defaults: bool = True) -> CategoryConfig:
    """A configuration from the web UI's ``classes`` (and Hourwise's stored overrides).

    Malformed entries are skipped rather than refused: the web UI stores whatever its
    editor produced, and one bad class must not break every report.

    Classes identical to the shipped defaults (``taxonomy_classes``, which the web UI
    shows while the user has stored none) are the shipped taxonomy, not user rules: user
    rules are tried first and the taxonomy after them, so user rules win. A shipped
    class the user deleted or edited switches that part of the taxonomy off (apps or
    sites of one sub-category; the group's untouched classes then apply as rules).
    With ``defaults=False`` every class is a rule.
    """
    config = CategoryConfig(overrides=CategoryConfig.parse_overrides(overrides))
    if not isinstance(classes, list):
        return config
    shipped = _shipped() if defaults else {}
    seen_shipped: dict[tuple[Any, ...], Rule] = {}
    for entry in classes:
        if not isinstance(entry, dict):
            continue
        path = _path(entry.get("name"))
        if path is None:
            continue
        config.extra_classes.append(entry)  # copied once below, only if kept
        data = entry.get("data")
        if isinstance(data, dict) and data.get("score") is not None:
            config.levels[path[:2]] = clamp_level(data["score"])
        rule = entry.get("rule")
        if not isinstance(rule, dict) or rule.get("type") in (None, "none"):
            continue
        regex = rule.get("regex")
        if not isinstance(regex, str) or not regex:
            continue
        keys = rule.get("select_keys")
        fields = None
        if isinstance(keys, list) and keys:
            fields = tuple(k for k in keys if k in RULE_FIELDS) or ("__none__",)
        priority = rule.get("priority", rule.get("weight"))
        made = Rule(
            path,
            regex,
            ignore_case=bool(rule.get("ignore_case")),
            fields=fields,
            priority=int(priority) if isinstance(priority, (int, float)) else None,
        )
        ident = _identity(entry)
        if ident in shipped:
            seen_shipped[ident] = made  # the taxonomy itself, unless its group was edited
            continue
        config.rules.append(made)
    if seen_shipped:
        # Started from the shipped classes: missing ones were deleted or edited.
        disabled = {group for ident, group in shipped.items() if ident not in seen_shipped}
        config.disabled_defaults = frozenset(disabled)
        # The untouched rest of a disabled group still applies, as rules.
        kept = [(shipped[ident], made) for ident, made in seen_shipped.items()]
        config.rules[:0] = [made for group, made in kept if group in disabled]
    config.extra_classes = copy.deepcopy(config.extra_classes)
    return config


def _rule_json(rule: Rule) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "regex", "regex": rule.regex}
    if rule.ignore_case:
        out["ignore_case"] = True
    if rule.fields is not None:
        out["select_keys"] = list(rule.fields)
    if rule.priority is not None:
        out["priority"] = rule.priority
    return out


def to_classes(config: CategoryConfig) -> list[dict[str, Any]]:
    """The configuration as ``classes``: the stored entries, updated, then new paths."""
    out: list[dict[str, Any]] = []
    rules_by_path: dict[tuple[str, ...], list[Rule]] = {}
    for rule in config.rules:
        rules_by_path.setdefault(rule.path, []).append(rule)
    seen: set[tuple[str, ...]] = set()
    next_id = 1 + max(
        (c["id"] for c in config.extra_classes if isinstance(c.get("id"), int)), default=-1
    )
    for entry in config.extra_classes:
        path = _path(entry.get("name"))
        assert path is not None
        item = copy.deepcopy(entry)
        pending = rules_by_path.get(path)
        if path not in seen:
            seen.add(path)
            if pending:
                item["rule"] = _rule_json(pending.pop(0))
            elif (isinstance(item.get("rule"), dict) and item["rule"].get("type") == "regex"
                  and _identity(item) not in _shipped()):
                item["rule"] = {"type": "none"}
        elif pending:
            item["rule"] = _rule_json(pending.pop(0))
        if path[:2] in config.levels:
            data = item.get("data") if isinstance(item.get("data"), dict) else {}
            item["data"] = {**data, "score": config.levels[path[:2]]}
        out.append(item)
    for path, rules in rules_by_path.items():
        for rule in rules:
            item = {"id": next_id, "name": list(path), "rule": _rule_json(rule)}
            if path[:2] in config.levels:
                item["data"] = {"score": config.levels[path[:2]]}
            out.append(item)
            seen.add(path)
            next_id += 1
    for path, level in config.levels.items():
        if path not in seen:
            out.append({"id": next_id, "name": list(path), "rule": {"type": "none"},
                        "data": {"score": level}})
            next_id += 1
    return out


def taxonomy_classes(taxonomy: Taxonomy | None = None) -> list[dict[str, Any]]:
    """The shipped taxonomy as ``classes``, for a web UI that has none stored yet
    (a fresh copy; the default taxonomy's is computed once)."""
    if taxonomy is None:
        return copy.deepcopy(_default_classes())
    return _taxonomy_classes(taxonomy)


@functools.cache
def _default_classes() -> list[dict[str, Any]]:
    return _taxonomy_classes(default_taxonomy())


def _taxonomy_classes(taxonomy: Taxonomy | None = None) -> list[dict[str, Any]]:
    """Each sub-category gets one regex that matches its apps exactly and its sites by
    URL host (``www.`` and other subdomains allowed), case-insensitively.
    """
    tax = taxonomy or default_taxonomy()
    apps: dict[tuple[str, str], list[str]] = {}
    sites: dict[tuple[str, str], list[str]] = {}
    for app, cat in tax.apps.items():
        apps.setdefault(cat, []).append(app)
    for site, cat in tax.sites.items():
        sites.setdefault(cat, []).append(site)
    out: list[dict[str, Any]] = []
    tops: dict[str, None] = dict.fromkeys(top for top, _ in tax.levels)
    for top in tops:
        general = tax.level(top, f"General {top}")
        out.append({"id": len(out), "name": [top], "rule": {"type": "none"},
                    "data": {"score": general if general is not None else 0}})
        for (t, sub), level in tax.levels.items():
            if t != top or (t, sub) == ("Uncategorized", "Uncategorized"):
                continue
            # apps by exact name; sites by URL host, ranked above apps so a page beats
            # the browser it is shown in
            # Priorities stay below 10, the rank of the shallowest rule the web UI makes
            # without one, so user rules win in ActivityWatch's categorize as well.
            rules: list[dict[str, Any]] = []
            if apps.get((t, sub)):
                names = "|".join(re.escape(a) for a in sorted(apps[(t, sub)]))
                rules.append({"type": "regex", "regex": f"^(?:{names})(?:\\.exe|\\.app)?$",
                              "ignore_case": True, "select_keys": ["app"], "priority": 1})
            # more specific sites (more labels, a path) rank higher: the longest match wins
            by_depth: dict[int, list[str]] = {}
            for h in sites.get((t, sub), []):
                by_depth.setdefault(h.count(".") + 2 * h.count("/"), []).append(h)
            for depth in sorted(by_depth):
                hosts = "|".join(re.escape(h) for h in sorted(by_depth[depth]))
                rules.append({"type": "regex",
                              "regex": f"^(?:https?://)?(?:[^/?#]*\\.)?(?:{hosts})(?:[:/?#]|$)",
                              "ignore_case": True, "select_keys": ["url"],
                              "priority": min(9, 2 + depth)})
            for rule in rules or [{"type": "none"}]:
                out.append({"id": len(out), "name": [t, sub], "rule": rule, "data": {"score": level}})
    return out
