"""The authentication gate: resolves every request's principal, in one place.

It sits after the request guard (Host, Origin, body size) and before the routes. The
principal goes into the ASGI scope's state, where the routes' dependencies and the
heartbeat fast path read it. Secrets are never logged.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.concurrency import run_in_threadpool

from hourwise.auth.principal import ANONYMOUS, LOCAL_OWNER, Principal, presented_secret
from hourwise.auth.ratelimit import FailedAuthLimiter
from hourwise.services.accounts import AccountService

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]

PUBLIC_PATHS = frozenset({"/api/0/info"})  # clients use it as a health check
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_ONLY_POSTS = frozenset({"/api/0/query"})  # a query reads, whatever its method
INVALID_KEY = "Missing or invalid API key. Send it as 'Authorization: Bearer <key>'."


async def _deny(send: Send, status: int, message: str, headers: list | None = None) -> None:
    body = orjson.dumps({"message": message})
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())] + (headers or []),
    })
    await send({"type": "http.response.body", "body": body})


class AuthGate:
    def __init__(self, app, *, accounts: AccountService, server_mode: bool,
                 limiter: FailedAuthLimiter, inline_lookups: bool):
        self.app = app
        self.accounts = accounts
        self.server_mode = server_mode
        self.limiter = limiter
        # SQLite key lookups are quick enough for the event loop; PostgreSQL's are not.
        self.inline_lookups = inline_lookups

    async def __call__(self, scope: MutableMapping[str, Any], receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        secret = presented_secret(headers, query)

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
            record = (
                self.accounts.authenticate_key(secret) if self.inline_lookups
                else await run_in_threadpool(self.accounts.authenticate_key, secret)
            )
            if record is None:
                self.limiter.failed(client)
                await _deny(send, 401, INVALID_KEY, [(b"www-authenticate", b"Bearer")])
                return
            principal = Principal(
                user_id=record.user_id,
                name=f"key {record.prefix}",
                scopes=frozenset(record.scopes) if record.scopes is not None else None,
                read_only=record.read_only,
                key_id=record.id,
            )

        if principal is None:
            if path not in PUBLIC_PATHS and not path.startswith("/api/static/"):
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
