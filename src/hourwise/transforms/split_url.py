"""Split browser events' ``url`` into the ``$``-prefixed keys the web UI groups by."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlparse

from hourwise.models import Event
from hourwise.transforms.data_map import map_data


_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")


def _split(url: str) -> tuple[str, str, str, str, str, str]:
    """``urlparse(url)``'s six parts. Plain ASCII URLs without spaces, brackets or
    ``;`` (nearly every browser URL) take a direct path with the same result; the rest
    go through ``urllib.parse``, which raises ValueError on malformed IPv6 hosts."""
    if not (url.isascii() and url.isprintable()) or any(c in url for c in " [];"):
        parsed = urlparse(url)
        return (parsed.scheme, parsed.netloc, parsed.path, parsed.params, parsed.query,
                parsed.fragment)
    scheme = ""
    colon = url.find(":")
    if colon > 0 and url[0].isalpha() and _SCHEME_CHARS.issuperset(url[:colon]):
        scheme, url = url[:colon].lower(), url[colon + 1:]
    netloc = query = fragment = ""
    if url[:2] == "//":
        end = len(url)
        for delimiter in "/?#":
            found = url.find(delimiter, 2)
            if 0 <= found < end:
                end = found
        netloc, url = url[2:end], url[end:]
    if "#" in url:
        url, fragment = url.split("#", 1)
    if "?" in url:
        url, query = url.split("?", 1)
    return scheme, netloc, url, "", query, fragment


URL_KEYS = ("$protocol", "$domain", "$path", "$params", "$options", "$identifier")


def url_part_values(url: str) -> tuple[str, str, str, str, str, str] | None:
    """The values of ``url_parts(url)``, in ``URL_KEYS`` order (no dict built)."""
    try:
        scheme, netloc, path, params, query, fragment = _split(url)
    except ValueError:
        return None
    if netloc:
        domain = netloc[4:] if netloc[:4] == "www." else netloc
    else:
        domain = scheme
    return scheme, domain, path, params, query, fragment


def url_parts(url: str) -> dict[str, str] | None:
    """``$protocol``, ``$domain``, ``$path``, ``$params``, ``$options``, ``$identifier``;
    None for a URL that cannot be parsed (a malformed IPv6 host).

    ``$domain`` is the network location without a leading ``www.``; a URL without one
    (``file://``, ``about:blank``) uses its scheme, so such pages don't all group under
    an empty domain. ``$params`` is the ``;params`` part, ``$options`` the query string
    and ``$identifier`` the fragment (aw-core's names).
    """
    values = url_part_values(url)
    return None if values is None else dict(zip(URL_KEYS, values))


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
        if url in parts:
            found = parts[url]
        else:
            found = parts[url] = url_parts(url)
        if found is None:
            return data
        new = SplitData(data)
        new.update(found)
        return new

    return split


def split_url_events(events: Sequence[Event]) -> list[Event]:
    """Events with a string ``data["url"]`` get the keys of ``url_parts`` added.

    Other events pass through unchanged. Each distinct data object is parsed once.
    """
    return map_data(events, splitter())
