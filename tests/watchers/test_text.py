"""Decoding X11 text properties: titles in any encoding never raise."""

import pytest

from hourwise.watchers.text import decode_compound_text, decode_text_property, split_wm_class


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"plain ascii", "plain ascii"),
        (b"caf\xe9", "café"),  # the right half starts as ISO 8859-1
        (b"\x1b-B\xb9koda", "škoda"),  # ESC - B: ISO 8859-2
        (b"\x1b-L\xbf\xe0\xd8\xd2\xd5\xe2", "Привет"),  # ESC - L: ISO 8859-5
        (b"a \x1b%G\xe2\x9c\x93\x1b%@ b", "a ✓ b"),  # UTF-8 inside ESC % G ... ESC % @
        (b"\x1b$)B" + "日本語".encode("euc_jp"), "日本語"),  # JIS X 0208 in the right half
        (b"\x1b)I\xb1", "\ufffd"),  # a 94-set right half we do not map
        (b"\x1b", ""),  # a truncated escape
    ],
)
def test_compound_text(raw, expected):
    assert decode_compound_text(raw) == expected


def test_text_property_types():
    assert decode_text_property(b"bad \xff\xfe title", "UTF8_STRING") == "bad \ufffd\ufffd title"
    assert decode_text_property(b"caf\xe9\0", "STRING") == "café"
    assert decode_text_property("café".encode(), "STRING") == "café"  # UTF-8 in STRING: common
    assert decode_text_property(b"\x1b-L\xbf", "COMPOUND_TEXT") == "П"
    assert decode_text_property(b"\xff", "SOMETHING_ELSE") == "ÿ"


def test_wm_class():
    assert split_wm_class(b"navigator\0Firefox\0") == ("navigator", "Firefox")
    assert split_wm_class(b"solo") == ("solo", "")
    assert split_wm_class(b"") == ("", "")
