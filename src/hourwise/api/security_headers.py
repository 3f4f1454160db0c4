"""Headers every HTML page gets: no framing, no MIME sniffing, no referrer leaks.

Pages that know their needs set a Content-Security-Policy themselves (the web pages
allow no script at all); this layer adds a default one to HTML responses without one.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
DEFAULT_CSP = (b"content-security-policy",
               b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' "
               b"'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'")


class HtmlSecurityHeaders:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                content_type = dict(headers).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    headers += [h for h in HEADERS if h[0] not in names]
                    if b"content-security-policy" not in names:
                        headers.append(DEFAULT_CSP)
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
