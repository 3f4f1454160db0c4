"""Normalise window titles so the same document groups under one title."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from hourwise.models import Event
from hourwise.transforms.data_map import map_data

_PARENS_PREFIX = re.compile(r"^\([0-9]+\)\s*")  # "(2) Inbox" -> "Inbox"
_LEADING_MARK = re.compile(r"^(●|\*)\s*")  # "● main.py" (unsaved, VS Code, gedit) -> "main.py"
_FPS = re.compile(r"FPS:\s+[0-9\.]+")  # "Cemu - FPS: 59.2" -> "Cemu - FPS: ..."


def simplify_string(value: str, *, window_title: bool) -> str:
    """The simplified text; the FPS and unsaved-mark rules apply to window titles only."""
    value = _PARENS_PREFIX.sub("", value)
    if window_title:
        value = _FPS.sub("FPS: ...", value)
        value = _LEADING_MARK.sub("", value)
    return value


def simplify_window_titles(events: Sequence[Event], key: str) -> list[Event]:
    """Strip ``(N)`` counters from ``data[key]``; for ``title`` on window events (those
    with ``app``) also drop a leading ``●``/``*`` and blank out ``FPS: <number>``.

    Events whose ``key`` is missing or not a string pass through unchanged.
    """
    def simplified(data: dict[str, Any]) -> dict[str, Any]:
        value = data.get(key)
        if not isinstance(value, str):
            return data
        return {**data, key: simplify_string(value, window_title=key == "title" and "app" in data)}

    return map_data(events, simplified)
