"""Multi-row INSERT on SQLite: one statement per block of rows instead of one per row.

``executemany`` steps one prepared statement per row and binds each row's values from a
Python tuple; a ``VALUES (...), (...), ...`` statement binds a flat list once and lets
SQLite loop. For bulk event inserts that is about twice as fast. Blocks are powers of
two, so the handful of statement texts stay in the connection's statement cache.
"""

from __future__ import annotations

import sqlite3
from typing import Any

# SQLite before 3.32 allowed at most 999 parameters per statement: stay under that.
MAX_PARAMS = 999


def _block_sizes(rows: int, width: int) -> list[int]:
    """Rows per statement: as many of the largest block as fit, then the binary digits
    of the remainder (1000 rows of 4 columns: 128 * 7, 64, 32, 8)."""
    largest = 1
    while largest * 2 * width <= MAX_PARAMS:
        largest *= 2
    sizes = [largest] * (rows // largest)
    rest = rows % largest
    block = largest
    while rest:
        block //= 2
        if rest >= block:
            sizes.append(block)
            rest -= block
    return sizes


_sql_cache: dict[tuple[str, int, int, str], str] = {}


def _statements(prefix: str, width: int, params: list[Any], suffix: str = ""):
    """(statement, its parameters) for each block of the rows in ``params``."""
    at = 0
    for size in _block_sizes(len(params) // width, width):
        sql = _sql_cache.get((prefix, width, size, suffix))
        if sql is None:
            group = "(" + ",".join("?" * width) + ")"
            sql = prefix + " " + ",".join([group] * size) + (" " + suffix if suffix else "")
            _sql_cache[(prefix, width, size, suffix)] = sql
        end = at + size * width
        yield sql, params[at:end]
        at = end


def memory_statement_journals(connection: sqlite3.Connection) -> None:
    """Keep the connection's statement journals in memory (``PRAGMA temp_store``).

    A multi-row INSERT inside a transaction keeps a statement journal (the pages it
    changed, to undo just that statement if a constraint fails). SQLite holds the first
    64 KiB in memory and spills the rest to a temporary file; a block of 128 events
    changes far more than that (its rows land on scattered pages of the data-id index),
    so each bulk insert wrote some 300 pages to that file, one system call for each
    page and one for its number: most of the system time of a bulk insert. The journal
    only serves that rollback, never crash recovery, so memory loses nothing.

    The setting cannot change inside a transaction; it is made before the first write
    of one (Python's sqlite3 begins transactions at the first write) and then stays.
    """
    if not connection.in_transaction and connection.execute("PRAGMA temp_store").fetchone()[0] != 2:
        connection.execute("PRAGMA temp_store = MEMORY")


def insert_rows(cursor: sqlite3.Cursor, prefix: str, width: int, params: list[Any]) -> int:
    """Insert rows given as one flat list of ``width`` values each, with ``prefix``
    (``INSERT INTO t (a, b) VALUES``); returns last_insert_rowid() after the last row.

    The caller holds the only write transaction, so the new rowids are consecutive.
    """
    for sql, values in _statements(prefix, width, params):
        cursor.execute(sql, values)
    return cursor.execute("SELECT last_insert_rowid()").fetchone()[0]


def insert_rows_returning(cursor: sqlite3.Cursor, prefix: str, width: int, params: list[Any],
                          suffix: str) -> list[Any]:
    """``insert_rows`` with a ``suffix`` such as ``ON CONFLICT DO NOTHING RETURNING id``;
    returns the rows the statements returned."""
    out: list[Any] = []
    for sql, values in _statements(prefix, width, params, suffix):
        out += cursor.execute(sql, values).fetchall()
    return out
