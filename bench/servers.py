"""Start and stop the servers under benchmark: Hourwise and the ActivityWatch reference.

Reusable by every benchmark in ``bench/``::

    from bench.servers import hourwise_server, reference_server

    with hourwise_server(work_dir) as hw, reference_server(work_dir) as aw:
        hw.url, aw.url            # http://127.0.0.1:<free port>
        hw.peak_rss_bytes()       # VmHWM of the server process (kernel high-water mark)
        hw.db_size_bytes()        # every database file (main file, -wal, -shm)

The reference is the published PyPI package ``aw-server==0.12.0`` with a pinned working
set (see ``AW_PINS``), installed at run time into its own virtual environment under
``bench/.work/aw-venv``. Nothing of it is kept in the repository. Its data and config
directories are redirected under ``bench/.work/`` through ``HOME``/``XDG_*_HOME``, so a
benchmark never touches the user's real ActivityWatch data.

Everything listens on 127.0.0.1 only; every wait is bounded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / ".work"
HOURWISE_PYTHON = REPO_DIR / ".venv" / "bin" / "python"

# aw-server 0.12.0 (the only version on PyPI) resolves today to Flask 2.3 and peewee 4,
# which breaks it (research §0): GET /api/0/buckets/ 500s with peewee>=4 and queries
# returning events 500 on Flask 2.3. This working set is known to run.
AW_PINS = [
    "aw-server==0.12.0",
    "aw-core==0.5.18",
    "Flask==2.2.5",
    "Werkzeug==2.3.8",
    "peewee==3.19.0",
]

START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the reference server's virtual environment ---------------------------------------


def _base_python() -> str:
    """A Python 3.11 interpreter for the reference venv (aw-server 0.12.0 predates 3.12)."""
    for candidate in ("python3.11", "python3"):
        found = shutil.which(candidate)
        if found:
            return found
    return sys.executable


def ensure_aw_venv(work_dir: Path = WORK_DIR, *, quiet: bool = True) -> Path:
    """Create (once) ``<work_dir>/aw-venv`` with the pinned reference working set.

    Returns the venv directory. A stamp file records the pins, so changing ``AW_PINS``
    rebuilds it.
    """
    venv = work_dir / "aw-venv"
    stamp = venv / "bench-pins.txt"
    wanted = "\n".join(AW_PINS) + "\n"
    if stamp.exists() and stamp.read_text() == wanted and (venv / "bin" / "aw-server").exists():
        return venv
    if venv.exists():
        shutil.rmtree(venv)
    work_dir.mkdir(parents=True, exist_ok=True)
    print(f"[servers] creating {venv} with {' '.join(AW_PINS)}", file=sys.stderr)
    subprocess.run([_base_python(), "-m", "venv", str(venv)], check=True, timeout=300)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
    if quiet:
        pip.append("-q")
    subprocess.run(pip + AW_PINS, check=True, timeout=900)
    stamp.write_text(wanted)
    return venv


def aw_versions(venv: Path) -> dict[str, str]:
    """Installed versions of the packages that matter in the reference venv."""
    code = (
        "import importlib.metadata as m, json;"
        "print(json.dumps({p: m.version(p) for p in "
        "['aw-server', 'aw-core', 'Flask', 'Werkzeug', 'peewee']}))"
    )
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], check=True, capture_output=True, text=True,
        timeout=60,
    ).stdout
    import json

    return json.loads(out)


# -- a running server -----------------------------------------------------------------


def _read_status(pid: int, key: str) -> int:
    """A ``kB`` field of /proc/<pid>/status, in bytes (0 when the process is gone)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(p) for p in fh.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []


@dataclass
class ServerProcess:
    """One server process: its URL, where its database lives, how to measure it."""

    name: str
    argv: list[str]
    port: int
    data_dir: Path
    db_globs: list[str]
    env: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    proc: subprocess.Popen | None = None
    _peak_seen: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = START_TIMEOUT) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.env}
        with open(self.log_path or os.devnull, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=env, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode} on start; see {self.log_path}"
                )
            try:
                with urllib.request.urlopen(self.url + "/api/0/info", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"{self.name} did not answer /api/0/info within {timeout:.0f} s")

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """Stop the server (SIGINT, then SIGTERM, then SIGKILL); return its exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.sample_peak()
        for sig, wait in ((signal.SIGINT, timeout), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(sig)
            try:
                return self.proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
        return None

    def restart(self) -> None:
        """Stop and start again on the same data (the peak memory starts afresh)."""
        self.stop()
        self._peak_seen = 0
        self.start()

    # -- measurements ----------------------------------------------------------------

    def pids(self) -> list[int]:
        """The server's pid and any child processes (neither server forks today)."""
        if self.proc is None or self.proc.poll() is not None:
            return []
        out, todo = [], [self.proc.pid]
        while todo and len(out) < 64:
            pid = todo.pop()
            out.append(pid)
            todo.extend(_children(pid))
        return out

    def cpu_seconds(self) -> float:
        """User + system CPU time the server has used so far (its own process)."""
        if self.proc is None or self.proc.poll() is not None:
            return 0.0
        try:
            with open(f"/proc/{self.proc.pid}/stat") as fh:
                fields = fh.read().rpartition(")")[2].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (FileNotFoundError, ProcessLookupError):
            return 0.0

    def rss_bytes(self) -> int:
        return sum(_read_status(pid, "VmRSS") for pid in self.pids())

    def sample_peak(self) -> int:
        """Peak resident memory so far: the kernel's high-water mark (VmHWM), summed."""
        peak = sum(_read_status(pid, "VmHWM") for pid in self.pids())
        self._peak_seen = max(self._peak_seen, peak)
        return self._peak_seen

    def peak_rss_bytes(self) -> int:
        return self.sample_peak()

    def db_files(self) -> list[Path]:
        found: set[Path] = set()
        for pattern in self.db_globs:
            found.update(p for p in self.data_dir.glob(pattern) if p.is_file())
        return sorted(found)

    def db_size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.db_files())


@contextlib.contextmanager
def running(server: ServerProcess) -> Iterator[ServerProcess]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _hourwise_flags(python: str, env: dict[str, str]) -> list[str]:
    """Flags of ``hourwise serve`` that this checkout has and a benchmark needs."""
    try:
        help_text = subprocess.run(
            [python, "-m", "hourwise", "serve", "--help"], check=False, capture_output=True, text=True,
            timeout=60, env={**os.environ, **env, "COLUMNS": "200"},
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    # serve starts this desktop's window/AFK watchers unless told not to
    return ["--no-watchers"] if "--no-watchers" in help_text else []


def hourwise_snapshot(rev: str, work_dir: Path = WORK_DIR) -> Path:
    """``src/`` of a commit, extracted under ``work_dir`` (the shared working tree untouched).

    Benchmarks can then run a committed Hourwise while others edit ``src/``: the
    directory goes first on ``PYTHONPATH``, ahead of the venv's editable install.
    """
    commit = subprocess.run(["git", "rev-parse", "--verify", rev + "^{commit}"], cwd=REPO_DIR,
                            check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    dest = work_dir / "snapshots" / commit[:12]
    if not (dest / "src" / "hourwise").is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", "--format=tar", commit, "src"], cwd=REPO_DIR,
                                 check=True, capture_output=True, timeout=120).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True, timeout=120)
    return dest / "src"


def hourwise(work_dir: Path = WORK_DIR, *, port: int | None = None, fresh: bool = True,
             name: str = "hourwise", src: Path | None = None) -> ServerProcess:
    """Hourwise in testing mode with its own data directory under ``work_dir``.

    ``src``: run this source tree (e.g. from ``hourwise_snapshot``) instead of the
    working tree the venv's editable install points at.
    """
    data_dir = work_dir / name
    if fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    python = str(HOURWISE_PYTHON) if HOURWISE_PYTHON.exists() else sys.executable
    env = {"HOURWISE_CONFIG": str(data_dir / "none.toml"), "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")]))
    return ServerProcess(
        name="Hourwise",
        argv=[python, "-m", "hourwise", "serve", "--testing", "--host", "127.0.0.1",
              "--port", str(port), "--data-dir", str(data_dir), "--log-level", "warning",
              *_hourwise_flags(python, env)],
        port=port,
        data_dir=data_dir,
        db_globs=["hourwise*.db", "hourwise*.db-wal", "hourwise*.db-shm"],
        # no display: nothing to watch even if a future version ignores --no-watchers
        env=env,
        log_path=work_dir / f"{name}.log",
    )


def reference(work_dir: Path = WORK_DIR, *, port: int | None = None, fresh: bool = True,
              testing: bool = False, name: str = "aw-server") -> ServerProcess:
    """The ActivityWatch reference server (PyPI aw-server 0.12.0) in its own venv.

    ``testing=False`` (the default) runs production mode: no Flask debug mode and compact
    JSON, which is what users run, on a free port with the data directory redirected
    under ``work_dir``. Deleting buckets then needs ``?force=1``.
    """
    venv = ensure_aw_venv(work_dir)
    home = work_dir / name
    if fresh and home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    argv = [str(venv / "bin" / "aw-server"), "--host", "127.0.0.1", "--port", str(port)]
    if testing:
        argv.append("--testing")
    return ServerProcess(
        name="aw-server",
        argv=argv,
        port=port,
        data_dir=home / "data",
        # aw-core's peewee store: <data>/activitywatch/aw-server/peewee-sqlite[-testing].v2.db
        db_globs=["**/*.db", "**/*.db-wal", "**/*.db-shm"],
        env={
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_STATE_HOME": str(home / "state"),
            "PYTHONUNBUFFERED": "1",
        },
        log_path=work_dir / f"{name}.log",
    )


if __name__ == "__main__":  # smoke test: python bench/servers.py
    for make in (hourwise, reference):
        srv = make()
        with running(srv):
            with urllib.request.urlopen(srv.url + "/api/0/info", timeout=5) as resp:
                print(srv.name, srv.url, resp.read()[:200])
            print("  pid", srv.pids(), "peak", srv.peak_rss_bytes() >> 20, "MiB")
        print("  db files", [str(p) for p in srv.db_files()], srv.db_size_bytes())
