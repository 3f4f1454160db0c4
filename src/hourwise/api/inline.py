"""Heartbeats answered inside the HTTP protocol, before any ASGI machinery.

A watcher's heartbeat, once a second, is the server's most frequent request. On the
ASGI path it costs an asyncio task, a scope, the middleware chain (FastAPI's outer
layers, the request guard, CORS, the authentication gate, the write fast path) and
uvicorn's response encoding: together more than the heartbeat's merge and commit.
``CoalescingHttpToolsProtocol`` (``api/http_protocol.py``) hands each request that
*looks* like a plain local heartbeat to ``InlineHeartbeats``, which answers it
synchronously when it is one, with the same checks, the same service call and the
same response bytes as the ASGI path.

What it takes is narrow on purpose: SQLite, local mode (no credential presented, so
the principal is the local owner), an allowed Host header, no Origin (no CORS work), a
declared body length, a path that needs no normalising or percent-decoding, and a body
and query that ``plain_heartbeat`` finds plainly valid. Everything else (and any
heartbeat whose bucket or the store's write lock is busy) goes to the ASGI app
unchanged, so every error message and edge case keeps exactly one implementation.

A watcher sends the same target, Host header and (while its window stays) the same
body but for the timestamp, every second: what was worked out for them is kept and
looked up (``_targets``, ``_good_hosts``, ``_bodies``), as are the answer's text around
its duration and the response head. The one rule repeated here is how ``plain_event``
reads a timestamp (``parse_timestamp`` and the MIN_US/MAX_US bounds);
``tests/api/test_inline_shortcuts.py`` checks the memo against ``plain_heartbeat``.
"""

from __future__ import annotations

import logging
import re

import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE

from hourwise.api.activitywatch.fastpath import plain_heartbeat
from hourwise.api.activitywatch.schemas import MAX_US, MIN_US, check_bucket_id
from hourwise.api.auth_gate import presents_credential
from hourwise.api.middleware import HostCheck
from hourwise.auth.principal import LOCAL_OWNER
from hourwise.errors import HourwiseError
from hourwise.models import Event
from hourwise.models.timeutil import InvalidTimestamp, format_timestamp, parse_timestamp
from hourwise.services import Services

log = logging.getLogger("hourwise")  # the logger of api/errors.py's 500 handler

# The request target as the client sent it: a path without percent-escapes (the ASGI
# path's decoded path would differ), doubled or trailing slashes (RequestGuard would
# rewrite those) or anything but printable ASCII; a query (raw on both paths); no
# fragment.
_TARGET = re.compile(rb"/api/0/buckets/([^/?#%\x00-\x20\x7f-\xff]+)/heartbeat(?:\?([^#]*))?")
# A heartbeat body is a few hundred bytes; anything much larger takes the ASGI path.
MAX_INLINE_BODY = 1 << 20
# What the ASGI path answers: send_bytes' two headers, then CORS's Vary without Origin.
_JSON_HEADERS = b"content-type: application/json\r\ncontent-length: %d\r\nvary: Origin\r\n\r\n"
# api/errors.py's handler for unexpected errors, as Starlette's ServerErrorMiddleware
# sends it (outside CORS, so without Vary).
INTERNAL_ERROR_BODY = b'{"message":"Internal Server Error"}'
INTERNAL_ERROR_HEADERS = (b"content-length: %d\r\ncontent-type: application/json\r\n\r\n"
                          % len(INTERNAL_ERROR_BODY))


# Names of request headers that send a candidate down the ASGI path: CORS, a
# credential, or a body without a declared length.
_REFUSED_HEADERS = frozenset({b"origin", b"authorization", b"transfer-encoding"})
# Bounds of the per-target and per-bucket memos (a client uses a handful of each).
_MEMO_LIMIT = 256
# How a body opens when its timestamp comes first, as watchers send it (compact, or as
# Python's json.dumps writes it).
_TIMESTAMP_FIRST = (b'{"timestamp":"', b'{"timestamp": "')
# A timestamp's text that JSON and parse_timestamp read alike (no escapes, no control
# characters): only such text is read without orjson.
_TIMESTAMP_TEXT = re.compile(rb"[0-9TZ:.,+\- ]*")


class InlineHeartbeats:
    """Answers plain local heartbeats for the HTTP protocol; see the module docstring."""

    def __init__(self, services: Services, hosts: HostCheck, max_body: int):
        self.heartbeats = services.for_user(LOCAL_OWNER.user_id).heartbeats
        self.hosts = hosts
        self.max_body = min(max_body, MAX_INLINE_BODY)
        # A watcher sends the same target, Host header and bucket every second: what
        # was worked out for them once is looked up afterwards.
        self._targets: dict[bytes, tuple[str, bytes, bool]] = {}  # see _target
        self._good_hosts: set[bytes | None] = set()
        self._shapes: dict[str, tuple[int, int, object, bytes, bytes]] = {}  # see event_json
        self._heads: dict[int, bytes] = {}  # see response
        self._heads_for: list[tuple[bytes, bytes]] | None = None
        self._bodies: dict[str, _BodyMemo] = {}  # see _heartbeat

    def accepts(
        self, target: bytes, headers: list[tuple[bytes, bytes]]
    ) -> tuple[str, bytes, bool] | None:
        """The target's bucket id, query and whether the id is valid, when a POST with
        these headers may be answered inline.

        Checked when the headers are complete, before the body arrives: a None sends
        the request down the ASGI path at once.
        """
        plain = self._targets.get(target)
        if plain is None:
            plain = self._target(target)
            if plain is None:
                return None
        fields = dict(headers)  # names are lower case; the last one wins, as in RequestGuard
        if not _REFUSED_HEADERS.isdisjoint(fields):
            return None
        length = fields.get(b"content-length")
        if length is None or not length.isdigit() or int(length) > self.max_body:
            return None
        host = fields.get(b"host")
        if host not in self._good_hosts:
            # the allowlist is fixed when the server starts, so a pass stays a pass
            if self.hosts.refusal(None if host is None else host.decode("latin-1")) is not None:
                return None
            if len(self._good_hosts) < _MEMO_LIMIT:
                self._good_hosts.add(host)
        return plain

    def _target(self, target: bytes) -> tuple[str, bytes, bool] | None:
        """(bucket id, query, id valid) for a heartbeat target without a credential in
        its query, remembered; None for anything else."""
        match = _TARGET.fullmatch(target)
        if match is None:
            return None
        query = match.group(2) or b""
        if presents_credential({}, query):
            return None
        key = match.group(1).decode("ascii")
        try:
            check_bucket_id(key)
        except HourwiseError:
            return key, query, False  # answered by answer(), not remembered: rare
        if len(self._targets) >= _MEMO_LIMIT:
            self._targets.clear()
        plain = self._targets[target] = (key, query, True)
        return plain

    def answer(self, target: tuple[str, bytes, bool], body: bytes) -> tuple[int, bytes] | None:
        """The response's status and JSON body, or None for the ASGI path.

        Raises what the service raises, other than ``HourwiseError`` (the caller answers
        it as the ASGI path's error handler does).
        """
        key, query, valid = target
        plain = self._heartbeat(key, query, body)
        if plain is None:
            return None
        try:
            if not valid:
                check_bucket_id(key)
            result = self.heartbeats.heartbeat_nowait(key, plain[0], plain[1])
        except HourwiseError as exc:
            return exc.status, orjson.dumps(exc.body())
        if result is None:
            return None  # the bucket or the store is busy: the ASGI path waits in a thread
        return 200, self.event_json(key, result)

    def _heartbeat(self, key: str, query: bytes, body: bytes) -> tuple[Event, int] | None:
        """``plain_heartbeat(query, body)``, mostly without decoding the body.

        A watcher's heartbeats to one bucket differ only in their timestamp while its
        window stays the same: the bytes before and after the timestamp's text, the
        query, and what ``plain_heartbeat`` made of them are kept per bucket. A body
        with the same bytes around its timestamp only has the timestamp read, as
        ``plain_event`` reads it; its event shares the data object made before.
        """
        memo = self._bodies.get(key)
        if memo is not None and body.startswith(memo.before) and query == memo.query:
            end = body.find(b'"', len(memo.before))
            if end > 0 and body[end:] == memo.after:
                text = body[len(memo.before):end]
                # anything unusual (an escape, a control character) is read by orjson
                if _TIMESTAMP_TEXT.fullmatch(text):
                    try:
                        start = parse_timestamp(text.decode("ascii"))
                    except InvalidTimestamp:
                        return None  # as plain_event: invalid, for the ASGI path to answer
                    if start < MIN_US or start + memo.duration > MAX_US:
                        return None
                    return Event(memo.ident, start, memo.duration, memo.data), memo.pulsetime
        plain = plain_heartbeat(query, body)
        if plain is not None:
            memo = _BodyMemo.of(query, body, *plain)
            if memo is not None:
                if len(self._bodies) >= _MEMO_LIMIT:
                    self._bodies.clear()
                self._bodies[key] = memo
        return plain

    def event_json(self, key: str, event: Event) -> bytes:
        """``orjson.dumps(event.to_json())``, byte for byte.

        A merged heartbeat's answer differs from the one before only in its duration:
        the text before and after the duration is kept per bucket (with the id, start
        and data object it was made for) and the duration alone is encoded.
        """
        shape = self._shapes.get(key)
        if (
            shape is not None and shape[0] == event.id and shape[1] == event.start
            and shape[2] is event.data  # data dicts are never changed in place
        ):
            return shape[3] + orjson.dumps(event.duration / 1_000_000) + shape[4]
        whole = orjson.dumps(event.to_json())
        before = orjson.dumps({"id": event.id, "timestamp": format_timestamp(event.start)})
        before = before[:-1] + b',"duration":'
        after = b',"data":' + orjson.dumps(event.data) + b"}"
        if before + orjson.dumps(event.duration / 1_000_000) + after == whole:
            if len(self._shapes) >= _MEMO_LIMIT:
                self._shapes.clear()
            self._shapes[key] = (event.id, event.start, event.data, before, after)
        return whole

    def response(self, status: int, body: bytes, default_headers: list) -> bytes:
        """The whole response: uvicorn's status line and default headers (``date``,
        ``server``), the JSON headers the ASGI path sends, and ``body``."""
        if default_headers is not self._heads_for:  # uvicorn replaces it every second
            self._heads = {}
            self._heads_for = default_headers
        head = self._heads.get(status)
        if head is None:
            lines = [STATUS_LINE[status]]
            for name, value in default_headers:
                lines.extend([name.lower(), b": ", value, b"\r\n"])
            # a template for bytes' % operator: escape the default headers' own %
            head = self._heads[status] = b"".join(lines).replace(b"%", b"%%") + _JSON_HEADERS
        return head % len(body) + body


class _BodyMemo:
    """A heartbeat body split around its timestamp's text, and what it was read as."""

    __slots__ = ("query", "before", "after", "data", "duration", "ident", "pulsetime")

    def __init__(self, query: bytes, before: bytes, after: bytes, event: Event, pulsetime: int):
        self.query, self.before, self.after = query, before, after
        self.data, self.duration, self.ident = event.data, event.duration, event.id
        self.pulsetime = pulsetime

    @classmethod
    def of(cls, query: bytes, body: bytes, event: Event, pulsetime: int) -> _BodyMemo | None:
        """The memo of a body ``plain_heartbeat`` read as ``event``, or None when its
        timestamp does not come first or any other text could change what it means."""
        for before in _TIMESTAMP_FIRST:
            if body.startswith(before):
                break
        else:
            return None
        end = body.find(b'"', len(before))
        if end < 0 or not _TIMESTAMP_TEXT.fullmatch(body[len(before):end]):
            return None
        after = body[end:]
        # The text after the timestamp must not name a timestamp of its own (a repeated
        # key, perhaps escaped, would be the one orjson keeps): with a marker in the
        # timestamp's place, the body must read as that marker.
        try:
            marked = orjson.loads(before + b"?" + after)
        except orjson.JSONDecodeError:
            return None
        if type(marked) is not dict or marked.get("timestamp") != "?":
            return None
        return cls(query, before, after, event, pulsetime)
