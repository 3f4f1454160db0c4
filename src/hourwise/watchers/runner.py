"""Running the window and AFK watchers together, for ``hourwise watch`` and ``serve``."""

from __future__ import annotations

import logging
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

from hourwise.watchers.afk import DEFAULT_POLL as AFK_POLL
from hourwise.watchers.afk import DEFAULT_TIMEOUT as AFK_TIMEOUT
from hourwise.watchers.afk import AfkWatcher
from hourwise.watchers.base import Watcher
from hourwise.watchers.client import DEFAULT_COMMIT_INTERVAL, WatcherClient, queue_path_for
from hourwise.watchers.queue import QueueLocked
from hourwise.watchers.window import WindowWatcher

log = logging.getLogger(__name__)


class CannotWatch(Exception):
    """The watchers cannot start; the message says why, for the user."""


@dataclass
class WatchOptions:
    server_url: str
    data_dir: Path
    api_key: str | None = None
    window: bool = True
    afk: bool = True
    poll: float = 1.0
    afk_poll: float = AFK_POLL
    afk_timeout: float = AFK_TIMEOUT
    commit_interval: float = DEFAULT_COMMIT_INTERVAL
    hostname: str = ""
    display: str | None = None  # None: $DISPLAY


class WatcherSet:
    """The client and one thread per watcher; ``start`` then, eventually, ``stop``."""

    def __init__(self, options: WatchOptions):
        self.options = options
        self._stop = threading.Event()
        self._lock = threading.Lock()  # start and stop may race in ``hourwise serve``
        self._threads: list[threading.Thread] = []
        self.client: WatcherClient | None = None

    def start(self) -> None:
        """Start recording. Raises ``CannotWatch`` when another watcher already records
        to this server from this data directory."""
        with self._lock:
            if not self._stop.is_set():
                self._start()

    def _start(self) -> None:
        opts = self.options
        queue_path = queue_path_for(opts.data_dir, opts.server_url)
        try:
            self.client = WatcherClient(
                opts.server_url,
                queue_path,
                api_key=opts.api_key,
                commit_interval=opts.commit_interval,
            )
        except QueueLocked as exc:
            raise CannotWatch(
                f"another Hourwise watcher already records to {opts.server_url} ({exc})"
            ) from None
        self.client.start()
        hostname = opts.hostname or socket.gethostname()
        watchers: list[Watcher] = []
        if opts.window:
            watchers.append(
                WindowWatcher(self.client, hostname, poll=opts.poll, display_name=opts.display)
            )
        if opts.afk:
            watchers.append(
                AfkWatcher(
                    self.client,
                    hostname,
                    poll=opts.afk_poll,
                    display_name=opts.display,
                    timeout=opts.afk_timeout,
                )
            )
        for watcher in watchers:
            thread = threading.Thread(
                target=watcher.run,
                args=(self._stop,),
                name=f"hourwise-{watcher.bucket_prefix}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        log.info(
            "Watchers record to %s (buckets: %s)",
            opts.server_url,
            ", ".join(w.bucket_id for w in watchers) or "none",
        )

    def stop(self, deliver_for: float = 3.0) -> None:
        """Stop polling, commit what is pending, deliver for a while, keep the rest on disk."""
        with self._lock:
            self._stop.set()
        for thread in self._threads:
            thread.join(10)
        if self.client is not None:
            self.client.close(deliver_for=deliver_for)
            self.client = None


def serve_with_watchers(server, settings) -> None:
    """``server.run()`` with this desktop's watchers beside it (``hourwise serve``).

    uvicorn ends a signalled server by raising the signal again once it has shut down,
    which would kill the process before the watchers commit what they hold. So the
    signal is held until the watchers have stopped, then raised as uvicorn would.
    """
    import signal

    watchers = start_beside_server(server, settings)
    if watchers is None:
        server.run()
        return
    held: list[int] = []
    previous = {
        sig: signal.signal(sig, lambda signum, _: held.append(signum))
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        server.run()
    finally:
        # The server is down: what the watchers still hold waits on disk for its next start.
        watchers.stop(deliver_for=0)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    for sig in dict.fromkeys(held):
        signal.raise_signal(sig)


def start_beside_server(server, settings) -> WatcherSet | None:
    """Record this desktop into the server ``hourwise serve`` is starting.

    ``server`` is the ``uvicorn.Server``; the watchers start once it listens, so the
    first heartbeats do not meet a closed port. When there is nothing to record (no
    display, Wayland, another watcher already running) this says so once and returns
    None or a set that never starts.
    """
    import time

    from hourwise.watchers.session import detect_session, unavailable_reason
    from hourwise.watchers.x11 import DisplayGone, X11Display

    hint = "hourwise serve --no-watchers silences this"
    reason = unavailable_reason(detect_session())
    if reason is None:
        try:
            X11Display(None).close()
        except DisplayGone as exc:
            reason = str(exc)
    if reason is not None:
        log.warning("Not recording window and AFK activity: %s (%s).", reason, hint)
        return None

    options = WatchOptions(
        server_url="",
        data_dir=settings.effective_data_dir,
        commit_interval=5.0 if settings.testing else DEFAULT_COMMIT_INTERVAL,
        hostname=settings.hostname or "",
        afk_timeout=settings.watch_afk_timeout,
        api_key=settings.watch_api_key,
    )
    watchers = WatcherSet(options)

    def start_when_listening() -> None:
        while not server.started:
            if server.should_exit:
                return
            time.sleep(0.05)
        port = (
            server.servers[0].sockets[0].getsockname()[1]
            if server.servers
            else settings.effective_port
        )
        options.server_url = f"http://{_loopback_for(settings.host)}:{port}"
        try:
            watchers.start()
        except CannotWatch as exc:
            log.warning("Not recording window and AFK activity: %s (%s).", exc, hint)

    threading.Thread(
        target=start_when_listening, name="hourwise-watchers-start", daemon=True
    ).start()
    return watchers


def _loopback_for(host: str) -> str:
    """The address a local client uses to reach a server listening on ``host``."""
    if host in ("", "0.0.0.0", "localhost", "127.0.0.1"):
        return "127.0.0.1"
    if host in ("::", "::1"):
        return "[::1]"
    return f"[{host}]" if ":" in host else host
