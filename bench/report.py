"""Machine description and ``bench/RESULTS.md`` upkeep shared by the benchmarks.

Each benchmark owns one section of RESULTS.md, delimited by
``<!-- <name>:begin -->`` / ``<!-- <name>:end -->``; ``update_section`` replaces only that
section (appending it the first time), so benchmarks never overwrite each other.
"""

from __future__ import annotations

import os
import platform
import re
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"

HEADER = """# Benchmark results

Hourwise against the ActivityWatch reference server (PyPI `aw-server==0.12.0`), on the
same machine, same data and same client code in one run. Produced by the scripts in
`bench/` (never run in CI); each section below names the command that produced it.
"""


def machine_info() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def source_state() -> str:
    """The commit benchmarked, and whether src/ had uncommitted changes (shared tree)."""
    import subprocess

    root = RESULTS.parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, check=True,
                              capture_output=True, text=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=root,
                               check=True, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown commit"
    return f"commit {head}" + (" plus uncommitted changes in src/" if dirty.strip() else "")


def loadavg() -> str:
    """The 1/5/15-minute load averages as "a/b/c" (the machine is shared: say how much)."""
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def command_line() -> str:
    """The command as it would be typed from the repository root."""
    prog = sys.argv[0] if sys.argv else "bench"
    if prog.endswith(".py"):
        head = [".venv/bin/python", os.path.relpath(prog, Path(__file__).resolve().parent.parent)]
    else:  # python -m bench.<module>
        head = [".venv/bin/python", "-m", "bench." + Path(prog).stem]
    return shlex.join(head + sys.argv[1:])


def update_section(name: str, markdown: str, path: Path = RESULTS) -> None:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = f"{begin}\n{markdown.strip()}\n{end}"
    text = path.read_text() if path.exists() else HEADER
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text if text.endswith("\n") else text + "\n")


def fmt_bytes(n: float) -> str:
    return f"{n / 1024 / 1024:.1f} MiB"


def fmt_ms(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:.2f} ms" if ms < 10 else f"{ms:.0f} ms"


def fmt_rate(r: float) -> str:
    return f"{r:,.0f}/s"


def table(headers: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(headers) + " |",
           "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def run_header(info: dict) -> str:
    """The opening of a results section: the command, the machine and the load."""
    m = info["machine"]
    return f"""Command (from the repository root; the run took {info['minutes']:.1f} minutes):

```sh
{command_line()}
```

- Date: {m['date']}. Machine: {m['cpu']}, {m['cores']} cores, {m['memory']} RAM, {m['os']},
  Python {m['python']}. Load average before/after (1/5/15 min): {info['load_before']} /
  {info['load_after']} — the machine was shared with other work."""
