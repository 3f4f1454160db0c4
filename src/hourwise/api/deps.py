"""Annotated dependencies shared by every endpoint."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from hourwise.auth.principal import Principal, resolve_principal
from hourwise.services import Services


# Both are async on purpose: FastAPI runs a sync dependency in the thread pool, and two
# extra thread hops per request cost more than everything a heartbeat does.
async def _services(request: Request) -> Services:
    return request.app.state.services


async def _principal(request: Request) -> Principal:
    return resolve_principal(dict(request.headers), dict(request.query_params))


ServicesDep = Annotated[Services, Depends(_services)]
PrincipalDep = Annotated[Principal, Depends(_principal)]
