"""Annotated dependencies shared by every endpoint."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from hourwise.auth.principal import Principal
from hourwise.services import Services


# Both are async on purpose: FastAPI runs a sync dependency in the thread pool, and two
# extra thread hops per request cost more than everything a heartbeat does.
async def _principal(request: Request) -> Principal:
    return request.scope["state"]["principal"]  # set by AuthGate for every request


async def _services(request: Request) -> Services:
    principal: Principal = request.scope["state"]["principal"]
    return request.app.state.services.for_user(principal.user_id)


async def _server_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(_services)]  # scoped to the request's user
ServerServicesDep = Annotated[Services, Depends(_server_services)]  # for server-wide facts
PrincipalDep = Annotated[Principal, Depends(_principal)]
