"""Server-side settings: a key-value store of arbitrary JSON (the web UI's preferences)."""

from __future__ import annotations

import re
from typing import Any

from hourwise.errors import InvalidInput
from hourwise.store import Store

MAX_KEY_LENGTH = 128
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
        """Every setting, as one object."""
        return self.store.list_settings()

    def get(self, key: str) -> Any:
        """A setting's value, or None when it is not set."""
        return self.store.get_setting(check_key(key))[1]

    def set(self, key: str, value: Any) -> Any:
        """Store a value; returns it."""
        self.store.set_setting(check_key(key), value)
        return value

    def delete(self, key: str) -> bool:
        """Forget a setting; True if it was set."""
        return self.store.delete_setting(check_key(key))
