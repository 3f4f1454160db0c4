"""URL splitting: the direct path for plain URLs agrees with ``urllib.parse.urlparse``."""

from __future__ import annotations

from urllib.parse import urlparse

from hypothesis import given, settings
from hypothesis import strategies as st

from hourwise.models import Event
from hourwise.transforms.split_url import _split, split_url_events, url_parts

PIECES = st.sampled_from(["http", "HTTPS", "file", "about", "x+y-z.w", "1ab", ":", "//", "/",
                          "?", "#", "www.", "a", "b.c", ":8080", "@", "%20", "&", "=", ";",
                          "[", "]", " ", "é", "\t", "blank", "..", "-", "_", "~"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join))
def test_direct_path_agrees_with_urlparse(url):
    try:
        expected = tuple(urlparse(url))
    except ValueError:
        assert url_parts(url) is None
        return
    assert _split(url) == expected


def test_common_urls():
    assert url_parts("https://www.github.com/a/b?q=1#top") == {
        "$protocol": "https", "$domain": "github.com", "$path": "/a/b", "$params": "",
        "$options": "q=1", "$identifier": "top"}
    assert url_parts("about:blank")["$domain"] == "about"
    assert url_parts("file:///home/x.pdf")["$domain"] == "file"


def test_malformed_ipv6_host_is_left_unsplit():
    data = {"url": "http://[::1/page", "title": "t"}
    [event] = split_url_events([Event(1, 0, 1, data)])
    assert event.data == data
