"""Split browser events' ``url`` into the ``$``-prefixed keys the web UI groups by."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlparse

from hourwise.models import Event
from hourwise.transforms.data_map import map_data


def url_parts(url: str) -> dict[str, str]:
    """``$protocol``, ``$domain``, ``$path``, ``$params``, ``$options``, ``$identifier``.

    ``$domain`` is the network location without a leading ``www.``; a URL without one
    (``file://``, ``about:blank``) uses its scheme, so such pages don't all group under
    an empty domain. ``$params`` is the ``;params`` part, ``$options`` the query string
    and ``$identifier`` the fragment (aw-core's names).
    """
    parsed = urlparse(url)
    netloc = parsed.netloc
    if netloc:
        domain = netloc[4:] if netloc[:4] == "www." else netloc
    else:
        domain = parsed.scheme
    return {
        "$protocol": parsed.scheme,
        "$domain": domain,
        "$path": parsed.path,
        "$params": parsed.params,
        "$options": parsed.query,
        "$identifier": parsed.fragment,
    }


class SplitData(dict):
    """A data object this module built: its ``$`` keys already come from its ``url``.

    Splitting it again would build an equal dict, so it is kept as it is (the web UI
    splits browser events twice). Any change makes a plain dict again (data objects
    are never changed in place; transforms build new ones).
    """

    __slots__ = ()


def splitter() -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The per-data rewrite of ``split_url_events``: a data object with a string
    ``url`` gets the keys of ``url_parts`` added (each URL parsed once); any other is
    returned as it is."""
    parts: dict[str, dict[str, str]] = {}

    def split(data: dict[str, Any]) -> dict[str, Any]:
        url = data.get("url")
        if type(data) is SplitData or not isinstance(url, str):
            return data
        found = parts.get(url)
        if found is None:
            found = parts[url] = url_parts(url)
        new = SplitData(data)
        new.update(found)
        return new

    return split


def split_url_events(events: Sequence[Event]) -> list[Event]:
    """Events with a string ``data["url"]`` get the keys of ``url_parts`` added.

    Other events pass through unchanged. Each distinct data object is parsed once.
    """
    return map_data(events, splitter())
