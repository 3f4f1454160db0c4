"""Failed-authentication throttling: a client that keeps presenting bad secrets is slowed
down to a trickle, so keys cannot be guessed at network speed."""

from __future__ import annotations

import threading
import time
from collections import deque


class FailedAuthLimiter:
    """At most ``limit`` failed authentications per client address per ``window`` seconds."""

    def __init__(self, limit: int = 20, window: float = 60.0, clock=time.monotonic):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> float:
        """Seconds until ``client`` may try again; 0 when it may try now."""
        with self._lock:
            failures = self._prune(client)
            if len(failures) < self.limit:
                return 0.0
            return max(0.0, failures[0] + self.window - self.clock())

    def failed(self, client: str) -> None:
        with self._lock:
            self._prune(client).append(self.clock())
            if len(self._failures) > 10_000:  # forget idle clients
                for name in [n for n, q in self._failures.items() if not q][:5_000]:
                    del self._failures[name]

    def _prune(self, client: str) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        cutoff = self.clock() - self.window
        while failures and failures[0] < cutoff:
            failures.popleft()
        return failures
