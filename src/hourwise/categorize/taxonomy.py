"""The shipped default taxonomy: categories, default levels, known apps and sites."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

from hourwise.categorize.model import general_sub


def app_key(name: str) -> str:
    """How app names are compared: case-insensitive, without ``.exe``/``.app``."""
    key = name.strip().lower()
    for suffix in (".exe", ".app"):
        if key.endswith(suffix):
            key = key[: -len(suffix)]
    return key


@dataclass(frozen=True)
class Taxonomy:
    """Categories with default levels, plus app and site assignments to sub-categories."""

    levels: dict[tuple[str, str], int]  # (top, sub) -> level
    apps: dict[str, tuple[str, str]]  # app_key -> (top, sub)
    sites: dict[str, tuple[str, str]]  # domain or "domain/path" -> (top, sub)

    def level(self, top: str, sub: str) -> int | None:
        found = self.levels.get((top, sub))
        if found is None:
            found = self.levels.get((top, general_sub(top)))
        return found

    def lookup_app(self, app: str) -> tuple[str, str] | None:
        return self.apps.get(app_key(app))

    def lookup_site(self, domain: str, path: str = "") -> tuple[str, str] | None:
        """The sub-category of a site: the longest known domain suffix, with the first
        path segments when the taxonomy names them (``docs.google.com/spreadsheets``)."""
        host = domain.lower()
        if not host.startswith("[") and host.count(":") == 1:
            host = host.partition(":")[0]  # ports are part of the activity, not the site
        segments = [s for s in path.split("/", 3)[:2] if s]
        labels = host.split(".")
        for i in range(len(labels) - 1 if len(labels) > 1 else 1):
            candidate = ".".join(labels[i:])
            for n in range(len(segments), 0, -1):
                found = self.sites.get(candidate + "/" + "/".join(segments[:n]))
                if found is not None:
                    return found
            found = self.sites.get(candidate)
            if found is not None:
                return found
        return None

    def browsers(self) -> frozenset[str]:
        """App keys of the web browsers (the Utilities > Browsers sub-category)."""
        return frozenset(k for k, v in self.apps.items() if v == ("Utilities", "Browsers"))


def parse_taxonomy(text: str) -> Taxonomy:
    doc = tomllib.loads(text)
    levels: dict[tuple[str, str], int] = {}
    for top, subs in doc["levels"].items():
        for sub, level in subs.items():
            levels[(top, sub)] = int(level)
    apps: dict[str, tuple[str, str]] = {}
    sites: dict[str, tuple[str, str]] = {}
    for entry in doc.get("map", []):
        top, sub = entry["category"]
        if (top, sub) not in levels:
            raise ValueError(f"unknown category {top} > {sub}")
        for app in entry.get("apps", []):
            apps.setdefault(app_key(app), (top, sub))
        for site in entry.get("sites", []):
            sites.setdefault(site.lower(), (top, sub))
    return Taxonomy(levels, apps, sites)


@functools.cache
def default_taxonomy() -> Taxonomy:
    """The taxonomy shipped in ``defaults.toml`` (parsed once)."""
    text = resources.files("hourwise.categorize").joinpath("defaults.toml").read_text("utf-8")
    return parse_taxonomy(text)
