"""Start and stop real ``hourwise serve`` processes for tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """A ``hourwise serve`` subprocess on a free port with its own data directory."""

    def __init__(self, data_dir: Path, *args: str, port: int | None = None,
                 env: dict[str, str] | None = None):
        self.data_dir = data_dir
        self.args = list(args)
        self.port = port or free_port()
        self.env = {**os.environ, **(env or {})}
        self.log_path = data_dir / f"server-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return f"{self.url}/api/0"

    def start(self, timeout: float = 30.0) -> "ServerProcess":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "hourwise", "serve",
            "--port", str(self.port), "--data-dir", str(self.data_dir), *self.args,
        ]
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hourwise serve exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.api}/info", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"hourwise serve did not start in {timeout}s:\n{self.log()}")

    def stop(self, *, kill: bool = False) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def restart(self) -> "ServerProcess":
        self.stop()
        return self.start()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-20000:]
        except OSError:
            return ""
