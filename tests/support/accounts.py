"""Users and keys for tests, made with the real CLI against a server's database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def hourwise(*args: str, data_dir: Path, testing: bool = True, stdin: str | None = None) -> str:
    command = [sys.executable, "-m", "hourwise", *args, "--data-dir", str(data_dir)]
    if testing:
        command.append("--testing")
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, input=stdin)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr}")
    return done.stdout.strip()


def make_user_with_key(name: str, data_dir: Path, *extra: str) -> str:
    """Create a key-only user and return a key secret for them."""
    hourwise("user", "add", name, "--no-password", data_dir=data_dir)
    return hourwise("key", "create", "--user", name, "--label", f"{name}-key", *extra, data_dir=data_dir)


def make_user_with_password(name: str, password: str, data_dir: Path) -> None:
    hourwise("user", "add", name, data_dir=data_dir, stdin=f"{password}\n{password}\n")


def register_client(name: str, redirect_uri: str, data_dir: Path) -> tuple[str, str]:
    out = hourwise("oauth-client", "add", name, "--redirect-uri", redirect_uri, data_dir=data_dir)
    values = dict(line.split("=", 1) for line in out.splitlines())
    return values["client_id"], values["client_secret"]
