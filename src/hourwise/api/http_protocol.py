"""uvicorn's httptools protocol, with a response's head and first body part sent together.

uvicorn writes a response's status line and headers (its head), then its body, as two
socket writes. On a keep-alive connection that is two TCP segments and two system
calls, and the client wakes up for the head alone, although the body follows a few
microseconds later: every JSON answer here is complete before its head is sent. For a
heartbeat, the extra segment cost more than the heartbeat's database write.

``CoalescingHttpToolsProtocol`` gives uvicorn a transport that keeps back the head of
each response and sends it in one write with the next bytes of that response. The
bytes and their order are unchanged; only their grouping into writes is. The held head
goes out at the latest when the response completes (a HEAD request's response has no
body write), or when the connection is closed; a streaming response's head goes out
with its first chunk. Everything else (``100 Continue``, error answers written by
uvicorn itself, later body chunks) is written at once, as before.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class CoalescingTransport:
    """A transport proxy that holds a response's head until the response's next write."""

    __slots__ = ("_transport", "_protocol", "_held", "_held_for")

    def __init__(self, transport: asyncio.Transport, protocol: HttpToolsProtocol):
        self._transport = transport
        self._protocol = protocol
        self._held: bytes | None = None
        self._held_for: object = None  # the request cycle whose head was held last

    def write(self, data: bytes) -> None:
        held = self._held
        if held is not None:
            self._held = None
            self._transport.write(held + data)
            return
        cycle = self._protocol.cycle
        # uvicorn marks a response as started just before it writes the head, so the
        # first write after that, for a cycle not seen before, is the head.
        if (
            cycle is not None and cycle is not self._held_for
            and cycle.response_started and not cycle.response_complete
        ):
            self._held_for = cycle
            self._held = data
            return
        self._transport.write(data)

    def flush(self) -> None:
        """Send the held head, if any."""
        held = self._held
        if held is not None:
            self._held = None
            if not self._transport.is_closing():
                self._transport.write(held)

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def get_write_buffer_size(self) -> int:
        return len(self._held or b"") + self._transport.get_write_buffer_size()

    # What uvicorn calls on every request, forwarded without ``__getattr__``'s detour
    # (a failed attribute lookup first, then the call).
    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)  # everything else, as is


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` writing through a ``CoalescingTransport``."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescingTransport(transport, self))  # type: ignore[arg-type]

    def on_response_complete(self) -> None:
        self.transport.flush()  # type: ignore[attr-defined]  # a head still held (HEAD)
        super().on_response_complete()
