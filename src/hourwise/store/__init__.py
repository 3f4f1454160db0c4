"""Persistence: one SQL store for SQLite (default) and PostgreSQL."""

from hourwise.store.sql import Store

__all__ = ["Store"]
