"""``MISSING``: the value of a key a data object does not have.

Shared by the store (which hands out event data in columns, one column per key) and
the query engine (which reads one key of many data objects at once); ``None`` cannot
stand in for it, as ``null`` is a value event data may hold.
"""

from __future__ import annotations

from typing import Any


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"  # pickles as the one instance


MISSING: Any = _Missing()
