"""Users and API keys: create, list, revoke, and authenticate a presented secret."""

from __future__ import annotations

import re

from hourwise.auth.keys import generate_secret, same_hash, secret_hash, secret_prefix
from hourwise.auth.passwords import hash_password, verify_password
from hourwise.errors import InvalidInput, NotFound
from hourwise.models import now_us
from hourwise.store import Store
from hourwise.store.accounts import ApiKey, User

# The scopes of RescueTime's OAuth2 API, plus one for the ActivityWatch API.
SCOPES = (
    "activitywatch",
    "time_data",
    "category_data",
    "productivity_data",
    "alert_data",
    "highlight_data",
    "focustime_data",
)
_USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")
LAST_USED_RESOLUTION_US = 60 * 1_000_000  # record "last used" at most once a minute


class AccountService:
    """Accounts for the whole server (not scoped to one user)."""

    def __init__(self, store: Store):
        self.store = store

    # -- users -----------------------------------------------------------------------

    def add_user(self, name: str, password: str | None) -> User:
        """Create a user; ``password`` may be None for a key-only account."""
        if not _USER_NAME.fullmatch(name):
            raise InvalidInput("user names are 1-128 letters, digits and . _ @ -, starting alphanumeric")
        return self.store.add_user(name, hash_password(password) if password else None)

    def users(self) -> list[User]:
        return self.store.list_users()

    def user(self, name: str) -> User:
        found = self.store.find_user(name)
        if found is None:
            raise NotFound(f"no user named {name!r}")
        return found[0]

    def set_password(self, name: str, password: str | None) -> None:
        """Set (or, with None, remove) a user's password."""
        if password is not None and len(password) < 8:
            raise InvalidInput("passwords must be at least 8 characters long")
        self.store.set_password_hash(self.user(name).id, hash_password(password) if password else None)

    def remove_user(self, name: str) -> None:
        """Delete a user and everything they own. The local owner cannot be removed."""
        user = self.user(name)
        if user.id == 1:
            raise InvalidInput("the owner account cannot be removed")
        self.store.remove_user(user.id)

    def check_password(self, name: str, password: str) -> User | None:
        found = self.store.find_user(name)
        stored = found[1] if found is not None else None
        return found[0] if verify_password(password, stored) and found else None

    def anyone_can_sign_in(self) -> bool:
        """Whether at least one user has a password or an active API key."""
        return self.store.count_users_with_credentials() > 0

    # -- API keys --------------------------------------------------------------------

    def create_key(self, user_id: int, label: str, scopes: list[str] | None = None,
                   read_only: bool = False) -> tuple[ApiKey, str]:
        """A new key for a user; returns its record and the secret (shown only once)."""
        label = label.strip()
        if not label or len(label) > 200:
            raise InvalidInput("a key needs a label of 1 to 200 characters")
        if scopes is not None:
            unknown = sorted(set(scopes) - set(SCOPES))
            if unknown:
                raise InvalidInput(f"unknown scopes {unknown}; known: {list(SCOPES)}")
            scopes = sorted(set(scopes))
        secret = generate_secret()
        record = self.store.add_api_key(
            user_id, label, secret_prefix(secret), secret_hash(secret), scopes, read_only
        )
        return record, secret

    def keys(self, user_id: int) -> list[ApiKey]:
        return self.store.list_api_keys(user_id)

    def revoke_key(self, user_id: int, key_id: int) -> None:
        """Revoke one of a user's keys; it is refused from the next request on."""
        if not self.store.revoke_api_key(user_id, key_id):
            raise NotFound(f"no active key {key_id}")

    def authenticate_key(self, secret: str) -> ApiKey | None:
        """The active key whose secret this is, or None."""
        if not 16 <= len(secret) <= 256:
            return None
        digest = secret_hash(secret)
        for record, stored in self.store.keys_with_prefix(secret_prefix(secret)):
            if same_hash(stored, digest):
                now = now_us()
                if record.last_used is None or now - record.last_used > LAST_USED_RESOLUTION_US:
                    self.store.touch_api_key(record.id, now)
                return record
        return None
