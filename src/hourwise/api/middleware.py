"""The request guard: one pure-ASGI layer in front of every route.

In order, it
1. normalises the path (``//api`` and trailing slashes under ``/api/0/``), so both forms
   of every route work and no double-slash form slips past a later check;
2. refuses Host headers outside the allowlist (DNS-rebinding defence, as ActivityWatch);
3. refuses state-changing requests from browser origins that are not allowed (CORS only
   stops pages *reading* responses; a cross-site form POST would still write);
4. caps the request body size (413 instead of reading an unbounded body).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from hourwise.api.responses import send_json

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]", "::1")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HEADERS_KEY = "hourwise.headers"  # the request's headers as a str dict, in the ASGI scope
_SLASHES = re.compile(r"/{2,}")


class OriginPolicy:
    """Which browser origins may call the API (exact names and regular expressions)."""

    def __init__(self, exact: list[str], patterns: list[str]):
        self.exact = {origin.rstrip("/").lower() for origin in exact}
        self.pattern = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None

    def allows(self, origin: str) -> bool:
        origin = origin.rstrip("/").lower()
        if origin in self.exact:
            return True
        return bool(self.pattern and self.pattern.fullmatch(origin))


class BodyTooLarge(Exception):
    pass


def host_name(host_header: str) -> str:
    """The name part of a Host header: ``localhost:5600`` -> ``localhost``, ``[::1]:1`` -> ``[::1]``."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.split(":", 1)[0]


class HostCheck:
    """The Host header allowlist (a defence against DNS rebinding)."""

    def __init__(self, allowed_hosts: list[str] | None):
        # None disables the Host check (a server bound to a public address behind auth).
        self.allowed_hosts = (
            None if allowed_hosts is None
            else {host_name(h) for h in allowed_hosts} | set(LOOPBACK_NAMES)
        )
        self.accepted_hosts: set[str] = set()  # Host header values seen to pass the check

    def refusal(self, host: str | None) -> str | None:
        """Why a request with this Host header (None: without one) is refused, or None."""
        if self.allowed_hosts is None or host in self.accepted_hosts:
            return None
        if not host:
            return "host header is missing"
        if host_name(host) not in self.allowed_hosts:
            return f"host header is invalid (was {host})"
        # Clients send the same Host header every time: remember it as accepted.
        if len(self.accepted_hosts) < 64:
            self.accepted_hosts.add(host)
        return None


class RequestGuard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_hosts: list[str] | None = None,
        hosts: HostCheck | None = None,
        origins: OriginPolicy,
        max_body: int,
        large_body_paths: dict[str, int],
    ):
        self.app = app
        # One HostCheck may be shared with the inline heartbeat path (api/inline.py).
        self.hosts = hosts if hosts is not None else HostCheck(allowed_hosts)
        self.origins = origins
        self.max_body = max_body
        self.large_body_paths = large_body_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if "//" in path:
            path = _SLASHES.sub("/", path)
        if path.endswith("/") and path.startswith("/api/0/") and len(path) > len("/api/0/"):
            path = path.rstrip("/")
        if path != scope["path"]:
            scope = dict(scope, path=path, raw_path=path.encode())

        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        # decoded once for every layer behind this one (the authentication gate reads it)
        scope[HEADERS_KEY] = headers
        host = headers.get("host")
        refusal = self.hosts.refusal(host)
        if refusal is not None:
            await send_json(send, 400, {"message": refusal})
            return

        origin = headers.get("origin")
        if origin and scope["method"] not in SAFE_METHODS and not self._same_origin(origin, host):
            if not self.origins.allows(origin):
                await send_json(
                    send, 403, {"message": f"requests from origin {origin} are not allowed"}
                )
                return

        limit = self.large_body_paths.get(path, self.max_body)
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await send_json(send, 400, {"message": "invalid Content-Length header"})
                return
            if int(declared) > limit:
                await send_json(send, 413, {"message": f"request body exceeds {limit} bytes"})
                return
            # The HTTP parser never delivers more than the declared length (anything after
            # it is the next request), so a declared body within the limit needs no counting.
            await self.app(scope, receive, send)
            return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await send_json(send, 413, {"message": f"request body exceeds {limit} bytes"})

    @staticmethod
    def _same_origin(origin: str, host: str | None) -> bool:
        if not host:
            return False
        try:
            return urlsplit(origin).netloc.lower() == host.strip().lower()
        except ValueError:
            return False
