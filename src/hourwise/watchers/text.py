"""Turning X11 text properties into ``str``, whatever bytes the application put there.

Titles arrive in four forms: ``UTF8_STRING`` (``_NET_WM_NAME``, almost every modern
toolkit), ``STRING`` (ISO 8859-1 by the ICCCM, though some programs write UTF-8 anyway),
``COMPOUND_TEXT`` (ISO 2022 with charset switches, from old Xt/Motif programs in
non-Latin locales) and, rarely, anything else. None of them may raise: a byte that
cannot be decoded becomes U+FFFD and the rest of the title survives.
"""

from __future__ import annotations

# ISO 2022 designations of 96-character sets to the right half (ESC - F).
_GR_96 = {
    "A": "latin-1",
    "B": "iso8859-2",
    "C": "iso8859-3",
    "D": "iso8859-4",
    "F": "iso8859-7",
    "G": "iso8859-6",
    "H": "iso8859-8",
    "L": "iso8859-5",
    "M": "iso8859-9",
    "b": "iso8859-15",
}
# Designations of 94x94 sets to the right half (ESC $ ) F); their GR bytes are EUC.
_GR_94N = {"A": "euc_cn", "B": "euc_jp", "C": "euc_kr"}


def decode_compound_text(raw: bytes) -> str:
    """Decode X11 ``COMPOUND_TEXT`` (ICCCM's subset of ISO 2022).

    Plain ASCII passes through; the right half starts as ISO 8859-1 and follows
    ``ESC - F`` (other 8859 parts) and ``ESC $ ) F`` (GB 2312, JIS X 0208, KS C 5601)
    designations; ``ESC % G`` ... ``ESC % @`` wraps UTF-8. Unknown sets decode as U+FFFD.
    """
    out: list[str] = []
    gr: str | None = "latin-1"
    i, n = 0, len(raw)
    while i < n:
        if raw[i] != 0x1B:
            end = raw.find(b"\x1b", i)
            end = n if end < 0 else end
            chunk = raw[i:end]
            if gr is None:
                out.append("".join(chr(b) if b < 0x80 else "\ufffd" for b in chunk))
            else:
                out.append(chunk.decode(gr, errors="replace"))
            i = end
            continue
        # An escape sequence: ESC, intermediate bytes 0x20-0x2F, one final byte.
        j = i + 1
        while j < n and 0x20 <= raw[j] <= 0x2F:
            j += 1
        intermediates = raw[i + 1 : j].decode("latin-1")
        final = chr(raw[j]) if j < n else ""
        i = j + 1
        if intermediates == "%" and final == "G":
            end = raw.find(b"\x1b%@", i)
            end = n if end < 0 else end
            out.append(raw[i:end].decode("utf-8", errors="replace"))
            i = end + 3
        elif intermediates == "-":
            gr = _GR_96.get(final)
        elif intermediates == "$)":
            gr = _GR_94N.get(final)
        elif intermediates == ")":
            gr = None  # a 94-character right half (e.g. JIS X 0201 katakana): rare
        # GL designations (ESC ( B, ...) and direction controls change nothing we decode.
    return "".join(out)


def decode_text_property(raw: bytes | str, type_name: str) -> str:
    """A text property's value as ``str``, given its type's atom name."""
    if isinstance(raw, str):  # very old python-xlib versions hand back str
        raw = raw.encode("latin-1", errors="replace")
    raw = raw.rstrip(b"\0")
    if type_name == "UTF8_STRING":
        return raw.decode("utf-8", errors="replace")
    if type_name == "COMPOUND_TEXT":
        return decode_compound_text(raw)
    # STRING is Latin-1 by the ICCCM, but programs that write UTF-8 into it are common;
    # valid UTF-8 is very unlikely to be intended Latin-1, so try it first.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def split_wm_class(raw: bytes | str) -> tuple[str, str]:
    """``WM_CLASS`` (``instance\\0class\\0``) as (instance, class); missing parts are ''."""
    parts = decode_text_property(raw, "STRING").split("\0")
    instance = parts[0] if parts else ""
    klass = parts[1] if len(parts) > 1 else ""
    return instance, klass
