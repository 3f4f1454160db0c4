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

``CoalescingHttpToolsProtocol.with_inline`` also answers plain local heartbeats without
the ASGI app (``api/inline.py``): their response goes out in one write as well.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

from hourwise.api.inline import (
    INTERNAL_ERROR_BODY,
    INTERNAL_ERROR_HEADERS,
    InlineHeartbeats,
    log,
)


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
    """``HttpToolsProtocol`` writing through a ``CoalescingTransport``, answering plain
    local heartbeats inline when ``inline`` is set (see ``api/inline.py``)."""

    inline: InlineHeartbeats | None = None  # set on a subclass by ``with_inline``
    _deferred: list[bytes] | None = None  # an inline candidate's body parts, while read
    _target: tuple[str, bytes, bool] | None = None  # its InlineHeartbeats.accepts answer
    _scoped = True  # whether uvicorn's on_message_begin ran for the current request
    # The keep-alive timeout after an inline answer (see _idle_after_inline).
    _idle_until: float | None = None
    _idle_timer: asyncio.TimerHandle | None = None

    @classmethod
    def with_inline(cls, inline: InlineHeartbeats | None) -> type[CoalescingHttpToolsProtocol]:
        """This protocol class, answering heartbeats through ``inline`` (None: never)."""
        return type(cls.__name__, (cls,), {"inline": inline})

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescingTransport(transport, self))  # type: ignore[arg-type]
        if self.root_path or self.limit_concurrency is not None:
            # a root path changes the ASGI path, a concurrency limit may answer 503:
            # both are the ASGI path's business (and fixed for the server's lifetime)
            self.inline = None

    def on_response_complete(self) -> None:
        self.transport.flush()  # type: ignore[attr-defined]  # a head still held (HEAD)
        super().on_response_complete()

    # -- inline heartbeats ---------------------------------------------------------------
    # A candidate's ASGI cycle is not created when its headers are complete, as uvicorn
    # does, but when its body is: then either the answer is written here, or uvicorn's
    # own on_headers_complete, on_body and on_message_complete run one after another, as
    # they would have for a request whose body arrived with its headers.

    def on_message_begin(self) -> None:
        if self.inline is None:
            super().on_message_begin()
            return
        # uvicorn builds the request's ASGI scope here, which an inline answer never
        # reads: _begin_asgi builds it when the request turns out to need it.
        self.url = b""
        self.expect_100_continue = False
        self.headers = []
        self._scoped = False

    def _begin_asgi(self) -> None:
        """uvicorn's on_message_begin, late: the URL and headers read so far are kept."""
        if self._scoped:
            return
        url, headers, expect = self.url, self.headers, self.expect_100_continue
        super().on_message_begin()
        self._scoped = True
        self.url, self.expect_100_continue = url, expect
        self.headers.extend(headers)  # the scope's own list

    def on_headers_complete(self) -> None:
        inline = self.inline
        if (
            inline is not None
            and not self.expect_100_continue  # the ASGI path sends 100 Continue
            and (self.cycle is None or self.cycle.response_complete)
            and not self.pipeline  # nothing answered before the requests queued ahead
            and self.parser.get_method() == b"POST"
            and self.parser.get_http_version() == "1.1"
            and self.parser.should_keep_alive()
            and not self.parser.should_upgrade()
        ):
            self._target = inline.accepts(self.url, self.headers)
            if self._target is not None:
                self._deferred = []
                return
        self._begin_asgi()
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if self._deferred is not None:
            self._deferred.append(body)
            return
        super().on_body(body)

    def on_message_complete(self) -> None:
        deferred = self._deferred
        if deferred is None:
            super().on_message_complete()
            return
        self._deferred = None
        target, self._target = self._target, None
        body = deferred[0] if len(deferred) == 1 else b"".join(deferred)
        inline: InlineHeartbeats = self.inline  # type: ignore[assignment]
        try:
            answer = inline.answer(target, body)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001  # answered as the ASGI path would
            self._answer_internal_error(exc)
            return
        if answer is None:
            self._deferred = [body]
            self._to_asgi_path()
            super().on_message_complete()
            return
        status, payload = answer
        transport: CoalescingTransport = self.transport  # type: ignore[assignment]
        response = inline.response(status, payload, self.server_state.default_headers)
        if transport._held is None:  # always, between requests: written as is
            transport._transport.write(response)
        else:
            transport.write(response)
        if self.access_log:
            self._log_access(status)
        self._complete_inline()

    def _complete_inline(self) -> None:
        """uvicorn's on_response_complete for an inline answer, whose request nothing
        is queued behind and whose keep-alive timer data_received already stopped."""
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self.flow.resume_reading()
        self._idle_after_inline()

    # uvicorn stops the keep-alive timer when a request's bytes arrive and starts a new
    # one when its response is complete: a timer made and cancelled per request. After
    # an inline answer one timer is kept instead, and when it fires it closes the
    # connection only if the connection has been idle for the whole timeout since its
    # last answer; else it is set again for the time that remains.

    def _idle_after_inline(self) -> None:
        self._idle_until = self.loop.time() + self.timeout_keep_alive
        if self._idle_timer is None:
            self._idle_timer = self.loop.call_at(self._idle_until, self._idle_timer_fired)

    def _idle_timer_fired(self) -> None:
        self._idle_timer = None
        until = self._idle_until
        if until is None:
            return  # a request came in since: uvicorn's own timer takes over after it
        if self.loop.time() < until:
            self._idle_timer = self.loop.call_at(until, self._idle_timer_fired)
            return
        self._idle_until = None
        self.timeout_keep_alive_handler()

    def _unset_keepalive_if_required(self) -> None:
        # uvicorn's "stop the keep-alive timer" (data arrived, the connection is lost, or
        # a response is complete): the connection is no longer idle since an inline answer
        self._idle_until = None
        if self.timeout_keep_alive_task is not None:
            super()._unset_keepalive_if_required()

    def _to_asgi_path(self) -> None:
        """Hand the deferred request to uvicorn's own path, with the body read so far."""
        body = b"".join(self._deferred or ())
        self._deferred = self._target = None
        self._begin_asgi()
        super().on_headers_complete()
        if body:
            super().on_body(body)

    def shutdown(self) -> None:
        # A heartbeat whose body is still on its way is finished, as uvicorn finishes a
        # request in progress, before the connection closes.
        if self._deferred is not None:
            self._to_asgi_path()
        super().shutdown()

    def _log_access(self, status: int) -> None:
        """uvicorn's access log line, from the scope it would have built."""
        path, _, query = self.url.partition(b"?")
        scope = {"client": self.client, "root_path": "", "path": path.decode("ascii"),
                 "query_string": query}
        self.access_logger.info(
            '%s - "%s %s HTTP/%s" %d', get_client_addr(scope), "POST",
            get_path_with_query_string(scope), "1.1", status,
        )

    def _write_head_and(self, status: int, tail: bytes) -> None:
        """Write a response: uvicorn's status line and default headers, then ``tail``."""
        content = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            content.extend([name.lower(), b": ", value, b"\r\n"])
        content.append(tail)
        self.transport.write(b"".join(content))
        if self.access_log:
            self._log_access(status)

    def _answer_internal_error(self, exc: Exception) -> None:
        # What the ASGI path does: api/errors.py's handler logs and answers 500 (through
        # Starlette's ServerErrorMiddleware, outside CORS), then uvicorn logs the
        # exception again and closes the connection.
        path = self.url.split(b"?", 1)[0].decode("ascii")
        log.error("unhandled error on %s %s", "POST", path, exc_info=exc)
        self._write_head_and(500, INTERNAL_ERROR_HEADERS + INTERNAL_ERROR_BODY)
        self.on_response_complete()
        self.logger.error("Exception in ASGI application\n", exc_info=exc)
        self.transport.close()
