"""The request principal, resolved in exactly one place for every endpoint.

Today a server has one owner and every request that passed the Host and Origin checks
acts as that owner, as ActivityWatch does on localhost. Accounts, API keys and OAuth2
scopes will plug in here without touching the endpoints.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """Who a request acts as, and what it may do."""

    name: str
    read_only: bool = False


LOCAL_OWNER = Principal(name="owner")


def resolve_principal(headers: dict[str, str], query: dict[str, str]) -> Principal:
    """The principal for a request (its headers and query parameters)."""
    return LOCAL_OWNER
