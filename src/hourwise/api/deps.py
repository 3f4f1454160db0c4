"""Annotated dependencies shared by every endpoint."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from hourwise.auth.principal import Principal, resolve_principal
from hourwise.services import Services


def _services(request: Request) -> Services:
    return request.app.state.services


def _principal(request: Request) -> Principal:
    return resolve_principal(dict(request.headers), dict(request.query_params))


ServicesDep = Annotated[Services, Depends(_services)]
PrincipalDep = Annotated[Principal, Depends(_principal)]
