"""The authentication gate: resolves every request's principal, in one place.

It sits after the request guard (Host, Origin, body size) and before the routes. The
principal goes into the ASGI scope's state, where the routes' dependencies and the
heartbeat fast path read it. Secrets are never logged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool

from hourwise.api.middleware import HEADERS_KEY
from hourwise.api.responses import send_json
from hourwise.auth.principal import ANONYMOUS, LOCAL_OWNER, Principal, presented_secret
from hourwise.auth.ratelimit import FailedAuthLimiter
from hourwise.services.accounts import AccountService
from hourwise.services.oauth import OAuthService

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]

PUBLIC_PATHS = frozenset({"/api/0/info"})  # clients use it as a health check
# Unauthenticated requests are refused under /api/ only. Everything else is a page that
# authenticates itself (sign-in and OAuth use a session cookie or a client's secret) or
# static files without user data (the API browser's assets, a configured web UI, which
# then reads its key from ?token= and sends it with every API call).
GATED_PREFIX = "/api/"
OPEN_UNDER_API = ("/api/static/",)
# RescueTime's API answers authentication failures in its own format (HTTP 200 with an
# error body): the gate resolves the principal there but leaves refusing to the routes.
RESCUETIME_PATHS = ("/anapi/", "/api/oauth/")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_ONLY_POSTS = frozenset({"/api/0/query"})  # a query reads, whatever its method
_CREDENTIAL_PARAM = re.compile(rb"(?:^|&)(?:key|token|access_token)=")
INVALID_KEY = "Missing or invalid API key. Send it as 'Authorization: Bearer <key>'."


def presents_credential(headers: dict[str, str], raw_query: bytes) -> bool:
    """Whether a request may carry an API key or token (header or query parameter).

    False means it certainly carries none: it is then the local owner's in local mode,
    and refused under /api/ in server mode.
    """
    return "authorization" in headers or _CREDENTIAL_PARAM.search(raw_query) is not None


async def _deny(send: Send, status: int, message: str, headers: list | None = None) -> None:
    await send_json(send, status, {"message": message}, headers)


class AuthGate:
    def __init__(self, app, *, accounts: AccountService, oauth: OAuthService, server_mode: bool,
                 limiter: FailedAuthLimiter, inline_lookups: bool):
        self.app = app
        self.accounts = accounts
        self.oauth = oauth
        self.server_mode = server_mode
        self.limiter = limiter
        # SQLite key lookups are quick enough for the event loop; PostgreSQL's are not.
        self.inline_lookups = inline_lookups

    async def __call__(self, scope: MutableMapping[str, Any], receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        headers = scope.get(HEADERS_KEY) or {
            k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]
        }
        raw_query = scope.get("query_string", b"")
        # Most requests (watchers on localhost) carry no credential at all: skip parsing.
        if not presents_credential(headers, raw_query):
            secret = None
        else:
            secret = presented_secret(headers, dict(parse_qsl(raw_query.decode("latin-1"))))

        principal: Principal | None
        if secret is None:
            principal = None if self.server_mode else LOCAL_OWNER
        else:
            client = (scope.get("client") or ("unknown", 0))[0]
            wait = self.limiter.retry_after(client)
            if wait:
                await _deny(send, 429, "Too many failed authentication attempts; try again later",
                            [(b"retry-after", str(math.ceil(wait)).encode())])
                return
            principal = (
                self._authenticate(secret) if self.inline_lookups
                else await run_in_threadpool(self._authenticate, secret)
            )
            if principal is None:
                self.limiter.failed(client)
                if not path.startswith(RESCUETIME_PATHS):
                    await _deny(send, 401, INVALID_KEY, [(b"www-authenticate", b"Bearer")])
                    return

        if path.startswith(RESCUETIME_PATHS):
            scope.setdefault("state", {})["principal"] = principal or ANONYMOUS
            await self.app(scope, receive, send)
            return
        if principal is None:
            gated = path.startswith(GATED_PREFIX) and not path.startswith(OPEN_UNDER_API)
            if gated and path not in PUBLIC_PATHS:
                await _deny(send, 401, INVALID_KEY, [(b"www-authenticate", b"Bearer")])
                return
        elif path.startswith("/api/0/"):
            if not principal.allows("activitywatch"):
                await _deny(send, 403, "this key may not use the ActivityWatch API")
                return
            writes = scope["method"] not in READ_METHODS and path not in READ_ONLY_POSTS
            if principal.read_only and writes:
                await _deny(send, 403, "this key is read-only")
                return
        scope.setdefault("state", {})["principal"] = principal or ANONYMOUS
        await self.app(scope, receive, send)

    def _authenticate(self, secret: str) -> Principal | None:
        """The principal of an API key or an OAuth2 access token, or None."""
        key = self.accounts.authenticate_key(secret)
        if key is not None:
            return Principal(
                user_id=key.user_id, name=f"key {key.prefix}",
                scopes=frozenset(key.scopes) if key.scopes is not None else None,
                read_only=key.read_only, key_id=key.id, via="key",
            )
        token = self.oauth.authenticate_token(secret)
        if token is not None:
            # An application's token grants exactly the scopes the user consented to,
            # never the ActivityWatch API.
            return Principal(user_id=token.user_id, name=f"app {token.client_id}",
                             scopes=frozenset(token.scopes), via="oauth")
        return None
