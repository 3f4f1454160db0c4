"""API key secrets: generated, hashed and compared without leaking timing."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

ALPHABET = string.ascii_letters + string.digits
KEY_LENGTH = 40  # the shape of RescueTime's keys: 40 alphanumeric characters
PREFIX_LENGTH = 8


def generate_secret() -> str:
    """A new random key: 40 base62 characters (about 238 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(KEY_LENGTH))


def secret_hash(secret: str) -> bytes:
    """SHA-256 of the secret. Keys are long random strings, so a fast hash is enough;
    passwords, which are not, use argon2 instead."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).digest()


def secret_prefix(secret: str) -> str:
    """The first characters, kept in clear to find the key and to show it in lists."""
    return secret[:PREFIX_LENGTH]


def same_hash(a: bytes, b: bytes) -> bool:
    """Constant-time comparison."""
    return hmac.compare_digest(a, b)
