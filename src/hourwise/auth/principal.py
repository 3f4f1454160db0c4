"""Who a request acts as: resolved once per request, in ``AuthGate`` (api/auth_gate.py).

*Local mode* (bound to loopback): a request without credentials acts as the local owner,
as ActivityWatch does on localhost (the Host and Origin checks still apply). A request
*with* credentials must present valid ones, and then acts as that key's user with that
key's limits. *Server mode* (any other address): every request but ``/api/0/info``
must authenticate.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

OWNER_ID = 1


@dataclass(frozen=True)
class Principal:
    """Who a request acts as, and what it may do."""

    user_id: int
    name: str
    scopes: frozenset[str] | None = None  # None: every scope
    read_only: bool = False
    key_id: int | None = None
    via: str = "owner"  # "owner" (local, no credentials), "key", "oauth" or "anonymous"

    def allows(self, scope: str) -> bool:
        return self.scopes is None or scope in self.scopes


LOCAL_OWNER = Principal(user_id=OWNER_ID, name="owner")
# An unauthenticated request to a public path in server mode: sees nobody's data.
ANONYMOUS = Principal(user_id=0, name="anonymous", scopes=frozenset(), read_only=True,
                      via="anonymous")


def presented_secret(headers: dict[str, str], query: dict[str, str]) -> str | None:
    """The credential a request carries, wherever its client puts it.

    ``Authorization: Bearer`` (aw-server-rust and newer aw-client), Basic auth with the
    key as password, ``?token=`` (the ActivityWatch web UI's URL parameter), ``?key=``
    (RescueTime's API keys) and ``?access_token=`` (RescueTime's OAuth2 tokens).
    """
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic" and value.strip():
        # The key as the password of HTTP Basic auth: what requests sends from ~/.netrc,
        # so clients that cannot set headers (aw-client 0.5.15) can still authenticate.
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return "invalid"
        return decoded.partition(":")[2] or "invalid"
    for name in ("token", "key", "access_token"):
        if query.get(name):
            return query[name]
    return None
