"""Server-side settings: a key-value store of arbitrary JSON (the web UI's preferences)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from hourwise.categorize.classes import taxonomy_classes
from hourwise.errors import InvalidInput
from hourwise.store import Store

MAX_KEY_LENGTH = 128

# What a key reads as while the user has stored nothing under it. The web UI's category
# rules start as Hourwise's shipped taxonomy, so it shows and edits the rules the
# RescueTime API reports with; whatever it posts back is the user's.
DEFAULTS: dict[str, Callable[[], Any]] = {"classes": taxonomy_classes}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_key(key: str) -> str:
    """A settings key: 1 to 127 characters, no control characters."""
    if not key:
        raise InvalidInput("Missing required parameter key")
    if len(key) >= MAX_KEY_LENGTH:
        raise InvalidInput("Too long key")
    if _CONTROL.search(key):
        raise InvalidInput("setting keys cannot contain control characters")
    return key


class SettingsService:
    """Any JSON value under a key, including ``false``, ``0`` and ``null``."""

    def __init__(self, store: Store):
        self.store = store

    def all(self) -> dict[str, Any]:
        """Every setting, as one object (defaults for keys not stored)."""
        stored = self.store.list_settings()
        return {**{k: make() for k, make in DEFAULTS.items() if k not in stored}, **stored}

    def get(self, key: str) -> Any:
        """A setting's value, its default, or None when it is not set."""
        found, value = self.store.get_setting(check_key(key))
        if not found and key in DEFAULTS:
            return DEFAULTS[key]()
        return value

    def stored(self, key: str) -> Any:
        """A setting's stored value, or None (no defaults)."""
        return self.store.get_setting(check_key(key))[1]

    def set(self, key: str, value: Any) -> Any:
        """Store a value; returns it."""
        self.store.set_setting(check_key(key), value)
        return value

    def delete(self, key: str) -> bool:
        """Forget a setting; True if it was set."""
        return self.store.delete_setting(check_key(key))
