"""The store's accounts: users and API keys. A mixin of ``Store`` (shares its engine and lock)."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from sqlalchemy import delete, func, insert, select, update

from hourwise.errors import Conflict, NotFound
from hourwise.models import now_us
from hourwise.store import schema as t


@dataclass(frozen=True)
class User:
    id: int
    name: str
    has_password: bool
    created: int


@dataclass(frozen=True)
class ApiKey:
    """An API key's record. The secret itself is never stored, only its SHA-256."""

    id: int
    user_id: int
    label: str
    prefix: str
    scopes: tuple[str, ...] | None  # None: every scope
    read_only: bool
    created: int
    last_used: int | None
    revoked: int | None


def _user(row) -> User:
    return User(row.id, row.name, row.password_hash is not None, row.created)


def _key(row) -> ApiKey:
    scopes = tuple(orjson.loads(row.scopes)) if row.scopes is not None else None
    return ApiKey(row.id, row.user_id, row.label, row.prefix, scopes, bool(row.read_only),
                  row.created, row.last_used, row.revoked)


class AccountRecords:
    def list_users(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(select(t.users).order_by(t.users.c.id))]

    def find_user(self, name: str) -> tuple[User, str | None] | None:
        """A user and their password hash, by name."""
        with self.engine.connect() as conn:
            row = conn.execute(select(t.users).where(t.users.c.name == name)).first()
        return (_user(row), row.password_hash) if row is not None else None

    def get_user(self, user_id: int) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.users).where(t.users.c.id == user_id)).first()
        return _user(row) if row is not None else None

    def add_user(self, name: str, password_hash: str | None) -> User:
        with self._write() as conn:
            if conn.execute(select(t.users.c.id).where(t.users.c.name == name)).first():
                raise Conflict(f"a user named {name!r} exists already")
            ident = conn.execute(
                insert(t.users)
                .values(name=name, password_hash=password_hash, created=now_us())
                .returning(t.users.c.id)
            ).scalar_one()
        return self.get_user(ident)

    def set_password_hash(self, user_id: int, password_hash: str | None) -> None:
        with self._write() as conn:
            changed = conn.execute(
                update(t.users).where(t.users.c.id == user_id).values(password_hash=password_hash)
            ).rowcount
            if not changed:
                raise NotFound(f"no user with id {user_id}")

    def remove_user(self, user_id: int) -> None:
        """Delete a user with every bucket, event, setting and key they own."""
        theirs = self.for_user(user_id)
        for bucket in theirs.list_buckets():
            theirs.delete_bucket(bucket.id)
        with self._write() as conn:
            conn.execute(delete(t.api_keys).where(t.api_keys.c.user_id == user_id))
            conn.execute(delete(t.settings).where(t.settings.c.user_id == user_id))
            conn.execute(delete(t.users).where(t.users.c.id == user_id))

    def count_users_with_credentials(self) -> int:
        """Users who can authenticate: a password or an unrevoked API key."""
        k = t.api_keys.c
        with self.engine.connect() as conn:
            with_keys = select(k.user_id).where(k.revoked.is_(None))
            return int(
                conn.execute(
                    select(func.count()).select_from(t.users).where(
                        (t.users.c.password_hash.is_not(None)) | (t.users.c.id.in_(with_keys))
                    )
                ).scalar()
                or 0
            )

    def add_api_key(self, user_id: int, label: str, prefix: str, secret_hash: bytes,
                    scopes: list[str] | None, read_only: bool) -> ApiKey:
        with self._write() as conn:
            ident = conn.execute(
                insert(t.api_keys)
                .values(
                    user_id=user_id, label=label, prefix=prefix, secret_hash=secret_hash,
                    scopes=orjson.dumps(scopes).decode() if scopes is not None else None,
                    read_only=read_only, created=now_us(),
                )
                .returning(t.api_keys.c.id)
            ).scalar_one()
            row = conn.execute(select(t.api_keys).where(t.api_keys.c.id == ident)).first()
        return _key(row)

    def list_api_keys(self, user_id: int) -> list[ApiKey]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.api_keys).where(t.api_keys.c.user_id == user_id).order_by(t.api_keys.c.id)
            )
            return [_key(r) for r in rows]

    def keys_with_prefix(self, prefix: str) -> list[tuple[ApiKey, bytes]]:
        """Unrevoked keys whose secret starts with ``prefix``, with their stored hashes."""
        k = t.api_keys.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.api_keys).where(k.prefix == prefix, k.revoked.is_(None))
            ).all()
        return [(_key(r), bytes(r.secret_hash)) for r in rows]

    def touch_api_key(self, key_id: int, when: int) -> bool:
        """Record a key's last use, only if no other write is under way (False then).

        Authentication may run on the event loop, which must never wait behind a long
        write such as an import; a skipped update is made by a later request.
        """
        if not self.try_write_lock():
            return False
        try:
            with self._write() as conn:
                conn.execute(
                    update(t.api_keys).where(t.api_keys.c.id == key_id).values(last_used=when)
                )
            return True
        finally:
            self.release_write_lock()

    def revoke_api_key(self, user_id: int, key_id: int) -> bool:
        k = t.api_keys.c
        with self._write() as conn:
            return bool(
                conn.execute(
                    update(t.api_keys)
                    .where(k.id == key_id, k.user_id == user_id, k.revoked.is_(None))
                    .values(revoked=now_us())
                ).rowcount
            )
