"""Issue #5 benchmark: the RescueTime API on the generated desktop year, over HTTP.

Loads the generated desktop data into Hourwise (``hourwise serve --testing``, through the
REST API as the other benchmarks do), sets the user's time zone to the generator's
wall clock, creates an API key with the CLI against the server's data directory, then
times three requests:

- ``/anapi/data`` ``perspective=rank&restrict_kind=activity`` over one calendar month;
- ``/anapi/data`` ``perspective=interval&resolution_time=hour`` over one week;
- ``/anapi/daily_summary_feed`` (the 14 days before today: the data ends yesterday).

Each is timed **first** (right after the import, in the server that loaded the data:
nothing computed or stored yet, every day is built from raw events), **cold** (the
first request after a restart: no cells or classifications in memory, the per-day cells
the earlier runs stored in the database; for the feed, every other restart also drops
the frozen summaries) and **warm** (the same request repeated). The server is
restarted ``--restarts`` times on the same database to get several cold samples. There is no RescueTime reference
server, so the numbers are absolute; targets 200 / 200 / 300 ms.

    .venv/bin/python bench/bench_rescuetime.py                # 365 days
    .venv/bin/python bench/bench_rescuetime.py --days 60 --no-write
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import report, servers  # noqa: E402
from bench.client import Client  # noqa: E402
from bench.loader import build_dataset, encode_dataset, load_into  # noqa: E402

TARGETS_MS = {"rank": 200, "interval": 200, "feed": 300}
ZONE = "Etc/GMT-1"  # the generator's wall clock (UTC+1, no DST); POSIX names invert the sign


def month_of(ds, today: date) -> tuple[date, date]:
    """The last whole calendar month of the data, clear of the feed's 14 days."""
    end = (today - timedelta(days=15)).replace(day=1) - timedelta(days=1)
    return max(end.replace(day=1), ds.start_date), end


def week_of(month_begin: date) -> tuple[date, date]:
    """A week (Monday to Sunday) before that month, so its days are cold too."""
    start = month_begin - timedelta(days=14)
    start -= timedelta(days=start.weekday())
    return start, start + timedelta(days=6)


def requests(key: str, month: tuple[date, date], week: tuple[date, date]) -> dict[str, str]:
    def data(**params: str) -> str:
        return "/anapi/data?" + urlencode({"key": key, "format": "json", **params})

    return {
        "rank": data(perspective="rank", restrict_kind="activity",
                     restrict_begin=month[0].isoformat(), restrict_end=month[1].isoformat()),
        "interval": data(perspective="interval", resolution_time="hour",
                         restrict_kind="activity", restrict_begin=week[0].isoformat(),
                         restrict_end=week[1].isoformat()),
        "feed": "/anapi/daily_summary_feed?" + urlencode({"key": key}),
    }


def check(name: str, body: bytes) -> str:
    """A short description of an answer; raises if it is an error or empty."""
    value = json.loads(body)
    if name == "feed":
        if not isinstance(value, list) or not value:
            raise RuntimeError(f"feed: {body[:200]!r}")
        return f"{len(value)} days"
    if "rows" not in value or not value["rows"]:
        raise RuntimeError(f"{name}: {body[:200]!r}")
    return f"{len(value['rows']):,} rows"


def create_key(srv) -> str:
    python = str(servers.HOURWISE_PYTHON) if servers.HOURWISE_PYTHON.exists() else sys.executable
    done = subprocess.run(
        [python, "-m", "hourwise", "key", "create", "--label", "bench", "--testing",
         "--data-dir", str(srv.data_dir)],
        capture_output=True, text=True, timeout=120, check=True,
        env={**os.environ, **srv.env})
    return done.stdout.strip().splitlines()[-1]


def forget_summaries(srv) -> None:
    """Drop frozen daily summaries (server stopped), so the next feed computes them."""
    for db in srv.data_dir.glob("hourwise*.db"):
        with contextlib.closing(sqlite3.connect(db)) as conn:
            with contextlib.suppress(sqlite3.OperationalError):
                conn.execute("DELETE FROM daily_summaries")
                conn.commit()


def run(ds, srv, chunks, args) -> dict:
    today = date.today()
    month = month_of(ds, today)
    week = week_of(month[0])
    srv.start()
    try:
        with Client(srv.url) as c:
            started = time.perf_counter()
            load_into(c, ds, chunks)
            load_s = time.perf_counter() - started
            c.request("POST", "/api/0/settings/hourwise_timezone", json.dumps(ZONE).encode())
            c.request("POST", "/api/0/settings/startOfWeek", json.dumps("Monday").encode())
        print(f"  loaded in {load_s:.0f} s", flush=True)
        key = create_key(srv)
        paths = requests(key, month, week)
        first: dict[str, float] = {}
        cold: dict[str, list[float]] = {n: [] for n in paths}
        cold_stored: list[float] = []
        warm: dict[str, list[float]] = {n: [] for n in paths}
        shapes: dict[str, str] = {}
        for restart in range(args.restarts):
            if restart:
                srv.stop()
                if restart % 2 == 0:
                    forget_summaries(srv)  # even restarts: the feed computes again
                srv.start()
            with Client(srv.url) as c:
                for name, path in paths.items():
                    seconds, body = c.timed("GET", path)
                    shapes[name] = check(name, body)
                    if restart == 0:
                        first[name] = seconds
                    elif name == "feed" and restart % 2 == 1:
                        cold_stored.append(seconds)
                    else:
                        cold[name].append(seconds)
                    print(f"  restart {restart}: {name} cold {seconds * 1000:.0f} ms", flush=True)
                for _ in range(args.repeat):
                    for name, path in paths.items():
                        seconds, _body = c.timed("GET", path)
                        warm[name].append(seconds)
        return {"month": month, "week": week, "first": first, "cold": cold,
                "cold_stored": cold_stored,
                "warm": warm, "shapes": shapes, "load_s": load_s,
                "peak": srv.peak_rss_bytes()}
    finally:
        srv.stop()


def markdown(res: dict, ds, info: dict) -> str:
    def ms(values: list[float]) -> str:
        return report.fmt_ms(statistics.median(values)) if values else "–"

    def worst(values: list[float]) -> str:
        return report.fmt_ms(max(values)) if values else "–"

    month, week = res["month"], res["week"]
    labels = {
        "rank": f"`rank` by activity, one month ({month[0]} – {month[1]})",
        "interval": f"`interval` by hour, one week ({week[0]} – {week[1]})",
        "feed": "`daily_summary_feed` (14 days)",
    }
    rows, verdicts = [], []
    for name, label in labels.items():
        cold, warm = res["cold"][name], res["warm"][name]
        rows.append([label, res["shapes"][name], ms([res["first"][name]]), ms(cold),
                     worst(cold), ms(warm), f"{TARGETS_MS[name]} ms"])
        slowest = max(cold + warm) * 1000
        first = res["first"][name] * 1000
        verdicts.append(f"- {label}: slowest request after a restart {slowest:.0f} ms, target "
                        f"{TARGETS_MS[name]} ms — " + ("met" if slowest < TARGETS_MS[name]
                                                       else "**MISSED**")
                        + f"; first request after the import {first:.0f} ms — "
                        + ("met" if first < TARGETS_MS[name] else "**MISSED**"))
    if res["cold_stored"]:
        rows.append(["`daily_summary_feed`, summaries already frozen", res["shapes"]["feed"],
                     "–", ms(res["cold_stored"]), worst(res["cold_stored"]), "–", "300 ms"])
    table = report.table(["Request", "Answer", "First after import", "Cold (median)",
                          "Cold (worst)", "Warm (median)", "Target"], rows)
    return f"""## RescueTime API benchmark (issue #5): `bench/bench_rescuetime.py`

{report.run_header(info)}
- Hourwise {info['source']}: `hourwise serve --testing --no-watchers`, SQLite; the key
  made with `hourwise key create --testing --data-dir …`; `hourwise_timezone` =
  `{ZONE}` (the generator's UTC+1 wall clock), `startOfWeek` = Monday, shipped categories.
- Data: {ds.describe()}, ending yesterday (so the feed has 14 days). Loaded through
  `POST /api/0/buckets/<id>/events` in {res['load_s']:.0f} s.
- There is no RescueTime server to compare with: absolute numbers, over HTTP
  (keep-alive `http.client`), response read completely.

{table}

- *First after import*: the first request, in the server process that loaded the data:
  no per-day cells anywhere yet, so every day is built from raw events (and then stored
  in `activity_cells` in the background).
- *Cold*: the first request after the server process starts ({info['restarts'] - 1} restarts on the
  same database): no per-day cells or classifications in memory, the cells the earlier
  runs stored are read from the database; SQLite's page cache is the operating system's.
  The three requests cover disjoint days. For the feed, restarts 2, 4, … forget the
  frozen summaries first (computed again from the stored cells, then frozen); restarts
  1, 3, … find them frozen (the extra row).
- *Warm*: median of {info['repeat']} repeats of each request after the cold one.
- Peak resident memory of the server over the run: {report.fmt_bytes(res['peak'])}.

Targets:
{chr(10).join(verdicts)}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--restarts", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--hourwise-commit", default=None,
                        help="benchmark this commit's src/ instead of the working tree")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args(argv)
    began = time.monotonic()
    info = {"machine": report.machine_info(), "load_before": report.loadavg(),
            "source": report.source_state(), "restarts": args.restarts, "repeat": args.repeat}
    ds = build_dataset(args.days, start_date=date.today() - timedelta(days=args.days))
    print(ds.describe(), flush=True)
    src = servers.hourwise_snapshot(args.hourwise_commit) if args.hourwise_commit else None
    if src is not None:
        commit = subprocess.run(["git", "rev-parse", "--short", args.hourwise_commit],
                                cwd=servers.REPO_DIR, capture_output=True, text=True,
                                timeout=60).stdout.strip()
        info["source"] = f"commit {commit} (a snapshot of its src/)"
    srv = servers.hourwise(servers.WORK_DIR, name="hourwise-rescuetime", src=src)
    res = run(ds, srv, encode_dataset(ds, args.chunk), args)
    info["load_after"] = report.loadavg()
    info["minutes"] = (time.monotonic() - began) / 60
    text = markdown(res, ds, info)
    print(text)
    if not args.no_write:
        report.update_section("bench_rescuetime", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
