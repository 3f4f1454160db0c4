"""Throwaway PostgreSQL databases on the local server (127.0.0.1:5432, user postgres)."""

from __future__ import annotations

import os
import uuid

ADMIN_URL = os.environ.get("HOURWISE_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def _admin():
    import psycopg

    return psycopg.connect(ADMIN_URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def create_database(prefix: str = "hourwise_test") -> str:
    """Create an empty database and return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
