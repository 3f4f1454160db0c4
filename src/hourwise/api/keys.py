"""``/api/keys``: a user's API keys (create, list, revoke)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from hourwise.api.body import RawBody, json_body_doc, parse_body
from hourwise.api.deps import PrincipalDep, ServicesDep
from hourwise.api.responses import JSONResponse
from hourwise.auth.principal import Principal
from hourwise.errors import Forbidden
from hourwise.models import format_timestamp
from hourwise.store.accounts import ApiKey

router = APIRouter(prefix="/api/keys", tags=["Accounts"])


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=200)
    scopes: list[str] | None = Field(None, description="Limit the key to these scopes")
    read_only: bool = False


class KeyOut(BaseModel):
    id: int
    label: str
    prefix: str
    scopes: list[str] | None
    read_only: bool
    created: str
    last_used: str | None
    revoked: str | None


KEY_CREATE = TypeAdapter(KeyCreate)


def _out(key: ApiKey) -> dict:
    return {
        "id": key.id,
        "label": key.label,
        "prefix": key.prefix,
        "scopes": list(key.scopes) if key.scopes is not None else None,
        "read_only": key.read_only,
        "created": format_timestamp(key.created),
        "last_used": format_timestamp(key.last_used) if key.last_used else None,
        "revoked": format_timestamp(key.revoked) if key.revoked else None,
    }


def _require_full_access(principal: Principal) -> None:
    # A limited key must not be able to mint itself a less limited one.
    if principal.user_id == 0 or principal.scopes is not None or principal.read_only:
        raise Forbidden("managing keys needs the owner or a key without limits")


@router.get("", response_model=list[KeyOut], response_class=JSONResponse)
def list_keys(services: ServicesDep, principal: PrincipalDep) -> JSONResponse:
    """The user's keys (never their secrets)."""
    _require_full_access(principal)
    return JSONResponse([_out(k) for k in services.accounts.keys(principal.user_id)])


@router.post("", status_code=201, response_class=JSONResponse, openapi_extra=json_body_doc(KEY_CREATE))
def create_key(body: RawBody, services: ServicesDep, principal: PrincipalDep) -> JSONResponse:
    """Create a key. The answer's ``secret`` is shown this once and never again."""
    _require_full_access(principal)
    payload = parse_body(body, KEY_CREATE)
    record, secret = services.accounts.create_key(
        principal.user_id, payload.label, payload.scopes, payload.read_only
    )
    return JSONResponse({**_out(record), "secret": secret}, status_code=201)


@router.delete("/{key_id}", response_class=JSONResponse)
def revoke_key(
    key_id: Annotated[int, Path(ge=1, le=2**31)], services: ServicesDep, principal: PrincipalDep
) -> JSONResponse:
    """Revoke a key: it is refused from the very next request on."""
    _require_full_access(principal)
    services.accounts.revoke_key(principal.user_id, key_id)
    return JSONResponse({"revoked": key_id})
