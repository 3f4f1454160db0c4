"""Memory management helpers for the hot paths."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a block builds many short-lived objects.

    Listing a month of events or running a query allocates hundreds of thousands of
    tuples, dicts and strings, none in reference cycles; the collector's repeated full
    passes over them cost more than the work itself. Reference counting still frees
    everything. Nested and concurrent holders are counted; the last one re-enables it.
    """
    global _holders
    with _lock:
        _holders += 1
        if _holders == 1:
            gc.disable()
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                gc.enable()
