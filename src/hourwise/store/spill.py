"""Caches kept on disk rather than in the server's memory.

The store's read caches (events in columns, long strings of decoded data) hold tens of
megabytes for a year of activity. They are written once and read back whole, so they
need not stay in the process: a ``SpillFile`` keeps them in an unlinked temporary file
beside the database. Reading them back is a ``pread`` from the operating system's page
cache (gigabytes a second), which the kernel can give to others under memory pressure,
where memory held by the process it cannot.

A spill file is append-only. Space taken by entries the caches have dropped is given
back when the file is closed: callers start a new file once enough of the old one is
unused, and the old one closes when the last entry in it is dropped (it is closed when
garbage-collected). Where a file cannot be made or written (no ``pread``, a full disk),
``put`` answers None and the caller keeps the entry in memory.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading


class SpillFile:
    """Bytes written once and read back by offset (thread-safe; see module docstring)."""

    def __init__(self, directory: str | None = None) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._size = 0
        self._broken = not (hasattr(os, "pread") and hasattr(os, "pwrite"))

    @property
    def size(self) -> int:
        """Bytes written so far (entries still used or not)."""
        return self._size

    def _open(self) -> int | None:
        if self._fd is None and not self._broken:
            try:
                fd, path = tempfile.mkstemp(prefix="hourwise-cache-", suffix=".tmp",
                                            dir=self.directory)
            except OSError:
                try:  # the database's directory may be read-only: the system's temp dir
                    fd, path = tempfile.mkstemp(prefix="hourwise-cache-", suffix=".tmp")
                except OSError:
                    self._broken = True
                    return None
            os.unlink(path)  # nothing to clean up after a crash
            self._fd = fd
        return self._fd

    def put(self, data: bytes | bytearray | memoryview) -> int | None:
        """Write ``data``; returns its offset, or None if it could not be written."""
        size = len(data)
        with self._lock:
            fd = self._open()
            if fd is None:
                return None
            offset = self._size
            self._size += size
        try:
            written = 0
            view = memoryview(data).cast("B")
            while written < size:
                written += os.pwrite(fd, view[written:], offset + written)
        except OSError:
            return None  # the reserved space stays unused
        return offset

    def read(self, offset: int, size: int) -> bytes:
        """The ``size`` bytes written at ``offset`` by ``put``."""
        fd = self._fd
        if fd is None:
            raise ValueError("nothing was written to this spill file")
        data = os.pread(fd, size, offset)
        if len(data) == size:
            return data
        parts = [data]
        done = len(data)
        while done < size:
            more = os.pread(fd, size - done, offset + done)
            if not more:
                raise OSError(f"spill file ends at {offset + done}, {size - done} bytes early")
            parts.append(more)
            done += len(more)
        return b"".join(parts)

    def close(self) -> None:
        with self._lock:
            fd, self._fd = self._fd, None
            self._broken = True
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
