"""Password hashing with argon2id (through pwdlib, a maintained library)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _hasher():
    from pwdlib import PasswordHash

    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, stored: str | None) -> bool:
    """True if ``password`` matches; a user without a password never matches."""
    if stored is None:
        # Still spend the time of one verification, so timing does not tell which
        # user names exist.
        _hasher().verify(password, _DUMMY)
        return False
    return _hasher().verify(password, stored)


_DUMMY = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$0n4ydR5eBF1gVNuzD8f0lg0a2bZBXnq1gFJ5XpDGoO8"
