"""The store's OAuth2 records: clients, codes and tokens. A mixin of ``Store``."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from sqlalchemy import delete, func, insert, select, update

from hourwise.models import now_us
from hourwise.store import schema as t


@dataclass(frozen=True)
class OAuthClient:
    client_id: str
    secret_hash: bytes
    name: str
    redirect_uris: tuple[str, ...]


@dataclass(frozen=True)
class AuthorizationCode:
    client_id: str
    user_id: int
    redirect_uri: str
    scopes: tuple[str, ...]
    code_challenge: str | None
    code_challenge_method: str | None
    expires: int
    used: bool


@dataclass(frozen=True)
class AccessToken:
    id: int
    client_id: str
    user_id: int
    scopes: tuple[str, ...]
    expires: int


@dataclass(frozen=True)
class ConnectedApp:
    client_id: str
    name: str
    scopes: tuple[str, ...]
    first_authorized: int


def _client(row) -> OAuthClient:
    return OAuthClient(row.client_id, bytes(row.secret_hash), row.name,
                       tuple(orjson.loads(row.redirect_uris)))


class OAuthRecords:
    def add_oauth_client(self, client_id: str, secret_hash: bytes, name: str,
                         redirect_uris: list[str]) -> None:
        with self._write() as conn:
            conn.execute(insert(t.oauth_clients).values(
                client_id=client_id, secret_hash=secret_hash, name=name,
                redirect_uris=orjson.dumps(redirect_uris).decode(), created=now_us(),
            ))

    def get_oauth_client(self, client_id: str) -> OAuthClient | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.oauth_clients).where(t.oauth_clients.c.client_id == client_id)
            ).first()
        return _client(row) if row is not None else None

    def list_oauth_clients(self) -> list[OAuthClient]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.oauth_clients).order_by(t.oauth_clients.c.id)).all()
        return [_client(row) for row in rows]

    def save_oauth_code(self, code_hash: bytes, code: AuthorizationCode) -> None:
        with self._write() as conn:
            conn.execute(delete(t.oauth_codes).where(t.oauth_codes.c.expires < now_us()))
            conn.execute(insert(t.oauth_codes).values(
                code_hash=code_hash, client_id=code.client_id, user_id=code.user_id,
                redirect_uri=code.redirect_uri, scopes=orjson.dumps(list(code.scopes)).decode(),
                code_challenge=code.code_challenge,
                code_challenge_method=code.code_challenge_method, expires=code.expires,
            ))

    def get_oauth_code(self, code_hash: bytes) -> AuthorizationCode | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.oauth_codes).where(t.oauth_codes.c.code_hash == code_hash)
            ).first()
        if row is None:
            return None
        return AuthorizationCode(row.client_id, row.user_id, row.redirect_uri,
                                 tuple(orjson.loads(row.scopes)), row.code_challenge,
                                 row.code_challenge_method, row.expires, bool(row.used))

    def use_oauth_code(self, code_hash: bytes) -> bool:
        """Mark a code used; False if it already was (codes work once)."""
        c = t.oauth_codes.c
        with self._write() as conn:
            return bool(conn.execute(
                update(t.oauth_codes).where(c.code_hash == code_hash, c.used.is_(False))
                .values(used=True)
            ).rowcount)

    def save_oauth_token(self, token_hash: bytes, client_id: str, user_id: int,
                         scopes: list[str], expires: int) -> None:
        with self._write() as conn:
            conn.execute(insert(t.oauth_tokens).values(
                token_hash=token_hash, client_id=client_id, user_id=user_id,
                scopes=orjson.dumps(scopes).decode(), created=now_us(), expires=expires,
            ))

    def find_oauth_token(self, token_hash: bytes) -> AccessToken | None:
        """An active (unrevoked, unexpired) token by the hash of its secret."""
        k = t.oauth_tokens.c
        with self.engine.connect() as conn:
            row = conn.execute(select(t.oauth_tokens).where(
                k.token_hash == token_hash, k.revoked.is_(None), k.expires > now_us()
            )).first()
        if row is None:
            return None
        return AccessToken(row.id, row.client_id, row.user_id, tuple(orjson.loads(row.scopes)),
                           row.expires)

    def connected_apps(self, user_id: int) -> list[ConnectedApp]:
        """The applications holding an active token for a user, with the scopes granted."""
        k = t.oauth_tokens.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(k.client_id, t.oauth_clients.c.name, k.scopes, func.min(k.created))
                .join_from(t.oauth_tokens, t.oauth_clients,
                           k.client_id == t.oauth_clients.c.client_id)
                .where(k.user_id == user_id, k.revoked.is_(None), k.expires > now_us())
                .group_by(k.client_id, t.oauth_clients.c.name, k.scopes)
                .order_by(t.oauth_clients.c.name)
            ).all()
        merged: dict[str, ConnectedApp] = {}
        for client_id, name, scopes, first in rows:
            known = merged.get(client_id)
            granted = set(orjson.loads(scopes)) | set(known.scopes if known else ())
            start = min(first, known.first_authorized) if known else first
            merged[client_id] = ConnectedApp(client_id, name, tuple(sorted(granted)), start)
        return list(merged.values())

    def revoke_oauth_tokens(self, user_id: int, client_id: str) -> int:
        k = t.oauth_tokens.c
        with self._write() as conn:
            return conn.execute(
                update(t.oauth_tokens)
                .where(k.user_id == user_id, k.client_id == client_id, k.revoked.is_(None))
                .values(revoked=now_us())
            ).rowcount
