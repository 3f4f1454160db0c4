"""Memory management helpers for the hot paths."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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


def return_large_frees_to_os() -> bool:
    """Have glibc's malloc give every large block (over 128 KiB) back to the system as
    soon as it is freed; returns whether it could (False off glibc).

    The query engine works on arrays of several megabytes that live for one function
    call. By default glibc raises its mmap threshold after each such array is freed,
    up to 32 MiB, so later ones come from the heap, where freed memory mostly stays
    with the process: the server then holds on to its largest query's working set
    for good, and each query's peak adds to what the last one left behind. A fixed
    threshold keeps them mapped and unmapped one by one (measured: 20-25 MB less at
    the peak of a 365-day query, no measurable cost in time).
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return False
    m_mmap_threshold = -3
    return bool(mallopt(m_mmap_threshold, 128 * 1024))


_malloc_trim: Any = None


def release_free_memory() -> bool:
    """Give the memory glibc's malloc holds free back to the system (``malloc_trim``);
    returns whether it could (False off glibc).

    A long query decodes and drops hundreds of thousands of strings and small arrays.
    What they used stays with the process, as free space between blocks still in use,
    and every later query's peak then adds to it (measured on a year of data: 13 MB,
    in about 2 ms). Called after such queries, not after every request.
    """
    global _malloc_trim
    if _malloc_trim is None:
        import ctypes
        import ctypes.util

        _malloc_trim = False
        name = ctypes.util.find_library("c")
        if name is not None:
            try:
                _malloc_trim = ctypes.CDLL(name).malloc_trim
            except (OSError, AttributeError):  # not glibc
                pass
    if _malloc_trim is False:
        return False
    _malloc_trim(0)
    return True
