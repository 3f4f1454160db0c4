"""Issue #2 benchmark: Hourwise against the ActivityWatch reference server.

For each server, in one run, with the same generated data and the same client code:

1. bulk insert: create the three buckets and ``POST /api/0/buckets/<id>/events`` every
   event of the data set in chunks (this is also how the data gets loaded);
2. heartbeats, one client: a window watcher's raw 1 Hz heartbeat stream (pulsetime 2 s,
   so most heartbeats merge and a new event starts at each window switch) into a fresh
   bucket; throughput and per-request latency;
3. heartbeats, four clients: four processes, each replaying the stream into its own
   bucket at the same time;
4. get-events latency of the window bucket over single days and over 30 days;
5. database size (every database file, after the server stopped and checkpointed) and
   the server's peak resident memory (VmHWM) over the whole run.

Servers run one after the other, so they never compete for the two cores. Results are
printed and written to ``bench/RESULTS.md`` (section ``bench_core``); raw numbers go to
``bench/.work/bench_core.json``.

    .venv/bin/python bench/bench_core.py                 # 45 days, a few minutes
    .venv/bin/python bench/bench_core.py --days 365      # a full year
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datetime import UTC

from bench import generate as gen
from bench import report, servers
from bench.client import (
    Client,
    bucket_path,
    create_bucket,
    events_path,
    heartbeat_path,
    percentile,
)
from bench.loader import Dataset, build_dataset, count_events, encode_dataset

PULSETIME = 2.0  # aw-watcher-window: max(1.5 × poll, poll + 1) with a 1 s poll
HB_TIME_LIMIT = 90.0
DEFAULT_DAYS = 45  # seconds per heartbeat run, whatever the count


# -- heartbeats -------------------------------------------------------------------------


def heartbeat_stream(seed: int, day_index: int, count: int, host: str) -> list[bytes]:
    """``count`` raw 1 Hz window heartbeats (duration 0) replaying generated days.

    Starts at ``day_index`` (after the loaded data) and takes as many days as needed.
    """
    from datetime import datetime

    bodies: list[bytes] = []
    day = day_index
    while len(bodies) < count and day < day_index + 60:
        events = gen.generate_day(seed, day, host=host)[gen.window_bucket(host)]
        day += 1
        for ev in events:
            t0 = datetime.fromisoformat(ev["timestamp"]).timestamp()
            for k in range(int(ev["duration"]) + 1):
                ts = datetime.fromtimestamp(t0 + k, tz=UTC).isoformat()
                bodies.append(json.dumps(
                    {"timestamp": ts, "duration": 0, "data": ev["data"]}, separators=(",", ":")
                ).encode())
                if len(bodies) >= count:
                    return bodies
    return bodies


def _hb_worker(url: str, bucket: str, bodies: list[bytes], start: Any, out: Any) -> None:
    path = heartbeat_path(bucket, PULSETIME)
    lat: list[float] = []
    with Client(url) as client:
        client.request("GET", "/api/0/info")
        start.wait(30)
        t0 = time.perf_counter()
        deadline = t0 + HB_TIME_LIMIT
        for body in bodies:
            s = time.perf_counter()
            client.request("POST", path, body)
            e = time.perf_counter()
            lat.append(e - s)
            if e > deadline:
                break
        t1 = time.perf_counter()
    out.put((t0, t1, lat))


def run_heartbeats(url: str, buckets: list[str], bodies: list[bytes]) -> dict[str, Any]:
    """One process per bucket, all sending ``bodies`` at once; aggregated results."""
    ctx = mp.get_context("fork")
    start = ctx.Event()
    out = ctx.Queue()
    procs = [ctx.Process(target=_hb_worker, args=(url, b, bodies, start, out), daemon=True)
             for b in buckets]
    for p in procs:
        p.start()
    time.sleep(0.5)
    start.set()
    results = [out.get(timeout=HB_TIME_LIMIT + 120) for _ in procs]
    for p in procs:
        p.join(10)
    t0 = min(r[0] for r in results)
    t1 = max(r[1] for r in results)
    lat = [x for r in results for x in r[2]]
    return {
        "clients": len(buckets),
        "heartbeats": len(lat),
        "wall_s": t1 - t0,
        "rate": len(lat) / (t1 - t0),
        "p50_s": percentile(lat, 50),
        "p99_s": percentile(lat, 99),
        "max_s": max(lat),
    }


# -- get events -------------------------------------------------------------------------


def get_events_latency(client: Client, bucket: str, ranges: list[tuple[str, str]],
                       repeat: int) -> dict[str, Any]:
    lat: list[float] = []
    counts: list[int] = []
    sizes: list[int] = []
    client.request("GET", events_path(bucket, *ranges[0]))  # warm-up
    for _ in range(repeat):
        for start, end in ranges:
            seconds, body = client.timed("GET", events_path(bucket, start, end))
            lat.append(seconds)
            counts.append(len(json.loads(body)))
            sizes.append(len(body))
    return {
        "requests": len(lat),
        "median_s": statistics.median(lat),
        "p99_s": percentile(lat, 99),
        "events_mean": statistics.mean(counts),
        "bytes_mean": statistics.mean(sizes),
        "counts": counts[: len(ranges)],
    }


def pick_ranges(ds: Dataset, span: int, how_many: int) -> list[tuple[str, str]]:
    """Ranges of ``span`` days: single working days spread out, or sliding 30-day windows."""
    if span == 1:
        busy = [i for i, n in enumerate(ds.events_per_day) if n >= 1000]
        step = max(1, len(busy) // how_many)
        return [ds.day_bounds(i) for i in busy[::step][:how_many]]
    span = min(span, ds.days)
    last = ds.days - span
    starts = sorted({round(last * k / max(1, how_many - 1)) for k in range(how_many)})
    return [ds.day_bounds(i, span) for i in starts]


# -- both servers, interleaved -------------------------------------------------------------
#
# The machine may be shared, so background load must hit both servers alike: both run at
# once (an idle server costs nothing) and every phase alternates between them: bulk
# chunks and get-events requests one for one, heartbeat runs in rounds A, B, A, B, ...


class Measured:
    """A server under benchmark, its client connection and its CPU-time bookkeeping."""

    def __init__(self, key: str, srv: servers.ServerProcess):
        self.key = key
        self.srv = srv
        self.client: Client | None = None
        self.res: dict[str, Any] = {"server": srv.name}

    def cpu(self) -> float:
        return self.srv.cpu_seconds()


def phase_bulk(ms: list[Measured], ds: Dataset, chunks: list[tuple[str, int, bytes]]) -> None:
    from bench.loader import create_buckets

    for m in ms:
        create_buckets(m.client, ds)
    lat: dict[str, list[float]] = {m.key: [] for m in ms}
    cpu0 = {m.key: m.cpu() for m in ms}
    for i, (b, _n, body) in enumerate(chunks):
        order = ms if i % 2 == 0 else ms[::-1]
        for m in order:
            t, _ = m.client.timed("POST", bucket_path(b, "/events"), body)
            lat[m.key].append(t)
    total = sum(n for _, n, _ in chunks)
    for m in ms:
        wall = sum(lat[m.key])
        m.res["bulk"] = {"events": total, "wall_s": wall, "rate": total / wall,
                         "p50_s": percentile(lat[m.key], 50), "p99_s": percentile(lat[m.key], 99),
                         "cpu_s": m.cpu() - cpu0[m.key]}
        m.res["counts"] = {b: count_events(m.client, b) for b in ds.buckets}


def phase_heartbeats(ms: list[Measured], key: str, clients: int, bodies: list[bytes],
                     rounds: int, host: str) -> None:
    runs: dict[str, list[dict[str, Any]]] = {m.key: [] for m in ms}
    for r in range(rounds):
        order = ms if r % 2 == 0 else ms[::-1]
        for m in order:
            buckets = [f"aw-watcher-window_bench-{key}-r{r}-c{i}" for i in range(clients)]
            for b in buckets:
                create_bucket(m.client, b, "currentwindow", "aw-watcher-window", host)
            cpu0 = m.cpu()
            run = run_heartbeats(m.srv.url, buckets, bodies)
            run["cpu_s"] = m.cpu() - cpu0
            run["events_stored"] = sum(count_events(m.client, b) for b in buckets)
            runs[m.key].append(run)
    for m in ms:
        best = max(runs[m.key], key=lambda x: x["rate"])
        m.res[key] = {
            **best,
            "p99_s": min(x["p99_s"] for x in runs[m.key]),
            "rounds": runs[m.key],
            "cpu_per_hb_s": sum(x["cpu_s"] for x in runs[m.key])
            / sum(x["heartbeats"] for x in runs[m.key]),
        }


def phase_get(ms: list[Measured], key: str, bucket: str, ranges: list[tuple[str, str]],
              repeat: int) -> None:
    lat: dict[str, list[float]] = {m.key: [] for m in ms}
    counts: dict[str, list[int]] = {m.key: [] for m in ms}
    sizes: dict[str, list[int]] = {m.key: [] for m in ms}
    for m in ms:
        m.client.request("GET", events_path(bucket, *ranges[0]))  # warm-up
    cpu0 = {m.key: m.cpu() for m in ms}
    for rep in range(repeat):
        for i, (start, end) in enumerate(ranges):
            order = ms if (rep + i) % 2 == 0 else ms[::-1]
            for m in order:
                seconds, body = m.client.timed("GET", events_path(bucket, start, end))
                lat[m.key].append(seconds)
                if rep == 0:
                    counts[m.key].append(len(json.loads(body)))
                sizes[m.key].append(len(body))
    for m in ms:
        m.res[key] = {
            "requests": len(lat[m.key]),
            "median_s": statistics.median(lat[m.key]),
            "p99_s": percentile(lat[m.key], 99),
            "events_mean": statistics.mean(counts[m.key]),
            "bytes_mean": statistics.mean(sizes[m.key]),
            "counts": counts[m.key],
            "cpu_per_request_s": (m.cpu() - cpu0[m.key]) / len(lat[m.key]),
        }


def run_all(srvs: dict[str, servers.ServerProcess], ds: Dataset, chunks, hb1, hb4,
            day_ranges, month_ranges, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    ms = [Measured(k, s) for k, s in srvs.items()]
    try:
        for m in ms:
            m.srv.start()
            m.client = Client(m.srv.url)
            m.res["info"] = m.client.get_json("/api/0/info")
            # warm-up: a few requests of each kind on a scratch bucket
            create_bucket(m.client, "bench-warmup", "currentwindow", "bench", ds.host)
            for body in hb1[:200]:
                m.client.request("POST", heartbeat_path("bench-warmup", PULSETIME), body)
            m.client.request("POST", bucket_path("bench-warmup", "/events"), chunks[0][2])
            m.client.request("GET", events_path("bench-warmup"))
        names = " and ".join(m.srv.name for m in ms)
        print(f"  bulk insert of {ds.total_events:,} events into {names}, "
              f"{len(chunks)} POSTs of up to {args.chunk}, alternating...", flush=True)
        phase_bulk(ms, ds, chunks)
        _progress(ms, "bulk", lambda r: f"{r['rate']:,.0f} events/s")
        print(f"  heartbeats, 1 client × {len(hb1):,}, {args.rounds} rounds each...", flush=True)
        phase_heartbeats(ms, "hb1", 1, hb1, args.rounds, ds.host)
        _progress(ms, "hb1", lambda r: f"{r['rate']:,.0f}/s p99 {r['p99_s'] * 1000:.1f} ms")
        print(f"  heartbeats, 4 clients × {len(hb4):,}, {args.rounds} rounds each...", flush=True)
        phase_heartbeats(ms, "hb4", 4, hb4, args.rounds, ds.host)
        _progress(ms, "hb4", lambda r: f"{r['rate']:,.0f}/s p99 {r['p99_s'] * 1000:.1f} ms")
        print("  get events, 1 day and 30 days...", flush=True)
        phase_get(ms, "get1", ds.window, day_ranges, args.repeat_day)
        phase_get(ms, "get30", ds.window, month_ranges, args.repeat_month)
        _progress(ms, "get1", lambda r: f"1 day {r['median_s'] * 1000:.0f} ms")
        _progress(ms, "get30", lambda r: f"30 days {r['median_s'] * 1000:.0f} ms")
        for m in ms:
            m.res["db_live_bytes"] = m.srv.db_size_bytes()
            m.res["peak_rss_bytes"] = m.srv.peak_rss_bytes()
    finally:
        for m in ms:
            if m.client is not None:
                m.client.close()
            m.srv.stop()
    for m in ms:
        m.res["db_bytes"] = m.srv.db_size_bytes()
        m.res["db_files"] = {p.name: p.stat().st_size for p in m.srv.db_files()}
    return {m.key: m.res for m in ms}


def _progress(ms: list[Measured], key: str, fmt) -> None:
    print("    " + "; ".join(f"{m.srv.name} {fmt(m.res[key])}" for m in ms), flush=True)


# -- report -------------------------------------------------------------------------------

TARGETS = {"hb1": 10.0, "hb4": 10.0, "bulk": 5.0, "get30": 10.0, "db": 1.0}


def rows_for(hw: dict[str, Any], aw: dict[str, Any]) -> list[dict[str, Any]]:
    """(metric, Hourwise, reference, ratio as 'Hourwise is N× better', target) rows."""
    def r(metric, key, a, b, kind, target=None):
        ratio = (a / b) if kind == "higher" else (b / a if a else float("inf"))
        return {"metric": metric, "key": key, "hourwise": a, "reference": b, "kind": kind,
                "ratio": ratio, "target": target}

    out = [
        r("Heartbeats/s, 1 client", "hb1_rate", hw["hb1"]["rate"], aw["hb1"]["rate"], "higher", TARGETS["hb1"]),
        r("Heartbeat p99 latency, 1 client", "hb1_p99", hw["hb1"]["p99_s"], aw["hb1"]["p99_s"], "lower"),
        r("Heartbeats/s, 4 clients (4 buckets)", "hb4_rate", hw["hb4"]["rate"], aw["hb4"]["rate"], "higher", TARGETS["hb4"]),
        r("Heartbeat p99 latency, 4 clients", "hb4_p99", hw["hb4"]["p99_s"], aw["hb4"]["p99_s"], "lower"),
        r("Bulk insert, events/s", "bulk_rate", hw["bulk"]["rate"], aw["bulk"]["rate"], "higher", TARGETS["bulk"]),
        r("Get events, 1 day (median)", "get1", hw["get1"]["median_s"], aw["get1"]["median_s"], "lower"),
        r("Get events, 30 days (median)", "get30", hw["get30"]["median_s"], aw["get30"]["median_s"], "lower", TARGETS["get30"]),
        r("Database size", "db", hw["db_bytes"], aw["db_bytes"], "lower", TARGETS["db"]),
        r("Server peak memory (VmHWM)", "rss", hw["peak_rss_bytes"], aw["peak_rss_bytes"], "lower"),
    ]
    return out


def fmt_value(key: str, v: float) -> str:
    if key.endswith("rate"):
        return report.fmt_rate(v)
    if key in ("db", "rss"):
        return report.fmt_bytes(v)
    return report.fmt_ms(v)


def render(rows: list[dict[str, Any]], ref_label: str) -> tuple[str, list[str]]:
    table_rows, verdicts = [], []
    for row in rows:
        target = row["target"]
        met = ""
        if target is not None:
            ok = row["ratio"] >= target
            met = "met" if ok else "**missed**"
            goal = (f"≥ {target:g}×" if row["key"] != "db" else "≤ reference")
            verdicts.append(f"{row['metric']}: {row['ratio']:.2f}× (target {goal}) — "
                            f"{'met' if ok else 'MISSED'}")
            met = f"{goal} {met}"
        table_rows.append([
            row["metric"], fmt_value(row["key"], row["hourwise"]),
            fmt_value(row["key"], row["reference"]), f"{row['ratio']:.1f}×", met,
        ])
    md = report.table(["Metric", "Hourwise", ref_label, "Hourwise advantage", "Target"], table_rows)
    return md, verdicts


def cpu_table(hw: dict[str, Any], aw: dict[str, Any]) -> str:
    """Server CPU time per operation: less sensitive to other load on the machine."""
    def us(v: float) -> str:
        return f"{v * 1e6:,.0f} µs" if v < 0.01 else f"{v * 1000:,.0f} ms"

    rows = []
    for label, get in (
        ("per heartbeat, 1 client", lambda r: r["hb1"]["cpu_per_hb_s"]),
        ("per heartbeat, 4 clients", lambda r: r["hb4"]["cpu_per_hb_s"]),
        ("per 1,000 events bulk-inserted", lambda r: r["bulk"]["cpu_s"] / r["bulk"]["events"] * 1000),
        ("per get-events request, 1 day", lambda r: r["get1"]["cpu_per_request_s"]),
        ("per get-events request, 30 days", lambda r: r["get30"]["cpu_per_request_s"]),
    ):
        h, a = get(hw), get(aw)
        rows.append([label, us(h), us(a), f"{a / h:.1f}×" if h else "-"])
    return report.table(["Server CPU time", "Hourwise", "reference", "ratio"], rows)


def write_results(args: argparse.Namespace, ds: Dataset, hw: dict[str, Any], aw: dict[str, Any],
                  aw_pins: dict[str, str], md_table: str, verdicts: list[str], total_s: float,
                  loadavg: tuple[Any, Any]) -> None:
    m = report.machine_info()
    consistent = hw["counts"] == aw["counts"] and hw["get30"]["counts"] == aw["get30"]["counts"] \
        and hw["get1"]["counts"] == aw["get1"]["counts"]
    hb_same = all(hw[k]["events_stored"] == aw[k]["events_stored"] for k in ("hb1", "hb4"))
    pins = ", ".join(f"{k} {v}" for k, v in aw_pins.items())
    la = lambda t: "/".join(f"{x:.1f}" for x in t)
    title = "" if args.days == DEFAULT_DAYS else f", {args.days} days"
    text = f"""## Core API benchmark (issue #2{title}): `bench/bench_core.py`

Command (from the repository root; the run took {total_s / 60:.1f} minutes):

```sh
{report.command_line()}
```

- Date: {m['date']}. Machine: {m['cpu']}, {m['cores']} cores, {m['memory']} RAM, {m['os']},
  Python {m['python']}. Load average before/after (1/5/15 min): {la(loadavg[0])} /
  {la(loadavg[1])} — the machine was shared with other work, see *Noise* below.
- Hourwise {hw['info'].get('version')} at {args.source_state} (when the run started):
  `hourwise serve --testing --no-watchers`, SQLite, log level warning.
- Reference: {pins}, installed from PyPI by the script into
  `bench/.work/aw-venv`, run in
  **production mode** (`aw-server --port P`, HOME/XDG data and config redirected under
  `bench/.work/`). `--testing` would turn on Flask debug mode and pretty-printed JSON, which
  handicaps it; production mode is what users run, so it is the fairer comparison.
- Data: {ds.describe()}. Generated by `bench/generate.py` and loaded into both servers with
  the same chunked `POST /api/0/buckets/<id>/events` requests ({args.chunk} events each).
  Same event count in every bucket on both servers afterwards, same number of events from
  every get-events range, same number of events made from the heartbeats:
  **{'yes' if consistent and hb_same else 'NO — see bench/.work/bench_core.json'}**.
- Client: Python `http.client`, one keep-alive connection per client, request bodies
  encoded before timing.

{md_table}

"Hourwise advantage" is Hourwise ÷ reference for rates and reference ÷ Hourwise for times,
sizes and memory, so above 1× means Hourwise is better.

How each number is measured:
- *Heartbeats*: a window watcher's raw 1 Hz stream (duration 0, `pulsetime={PULSETIME:g}`,
  from generated days after the loaded range; about 9 in 10 merge into the previous event)
  into fresh buckets of the loaded database. One client sends {args.heartbeats:,}; "four
  clients" are four processes, each with its own bucket, sending {args.heartbeats4:,} each at
  the same time. Rate = heartbeats ÷ wall time. {args.rounds} rounds per server, alternating
  servers; the table shows the best round's rate and the lowest round p99 (p99 over every
  request of a round).
- *Bulk insert*: events ÷ summed time of the load POSTs ({ds.total_events:,} events; the
  servers' POSTs alternate chunk by chunk).
- *Get events*: `GET /api/0/buckets/<window bucket>/events?start=…&end=…&limit=-1`, response
  read completely; requests alternate between the servers; median shown.
  1 day: {len(hw['get1']['counts'])} working days × {args.repeat_day}
  (about {hw['get1']['events_mean']:,.0f} events; {report.fmt_bytes(hw['get1']['bytes_mean'])}
  from Hourwise, {report.fmt_bytes(aw['get1']['bytes_mean'])} from the reference).
  30 days: {len(hw['get30']['counts'])} windows × {args.repeat_month}
  (about {hw['get30']['events_mean']:,.0f} events).
- *Database size*: every database file after the server stopped (Hourwise:
  {', '.join(f'`{k}` {report.fmt_bytes(v)}' for k, v in hw['db_files'].items())}; reference:
  {', '.join(f'`{k}` {report.fmt_bytes(v)}' for k, v in aw['db_files'].items())}). While
  running: Hourwise {report.fmt_bytes(hw['db_live_bytes'])}, reference
  {report.fmt_bytes(aw['db_live_bytes'])}. Both hold the same data, including the heartbeat
  buckets.
- *Peak memory*: the server process's VmHWM (kernel high-water mark) at the end of the run.

Noise: the two servers run at the same time and every phase alternates between them, so
load from elsewhere on the machine hits both alike; the client shares the two cores with
the server. Server CPU time per operation (from `/proc/<pid>/stat`) is less sensitive to
that load and tells the same story:

{cpu_table(hw, aw)}

Targets:
{chr(10).join('- ' + v for v in verdicts)}
"""
    section = "bench_core" if args.days == DEFAULT_DAYS else f"bench_core-{args.days}d"
    report.update_section(section, text)


# -- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="days of data to load (default %(default)s)")
    parser.add_argument("--seed", type=int, default=gen.DEFAULT_SEED)
    parser.add_argument("--chunk", type=int, default=1000, help="events per bulk POST")
    parser.add_argument("--heartbeats", type=int, default=3000, help="heartbeats, one client")
    parser.add_argument("--heartbeats4", type=int, default=1500, help="heartbeats per client, four clients")
    parser.add_argument("--rounds", type=int, default=5, help="heartbeat rounds per server (best kept)")
    parser.add_argument("--repeat-day", type=int, default=2)
    parser.add_argument("--repeat-month", type=int, default=1)
    parser.add_argument("--only", choices=["hourwise", "reference"],
                        help="run one server only (no ratios, RESULTS.md untouched)")
    parser.add_argument("--no-write", action="store_true", help="leave bench/RESULTS.md alone")
    parser.add_argument("--hourwise-commit", metavar="REV",
                        help="benchmark this commit's src/ (extracted under bench/.work) instead "
                        "of the working tree, which others may be editing")
    args = parser.parse_args(argv)

    t_start = time.perf_counter()
    work = servers.WORK_DIR
    work.mkdir(parents=True, exist_ok=True)
    src = None
    if args.hourwise_commit:
        src = servers.hourwise_snapshot(args.hourwise_commit, work)
        args.source_state = f"commit {src.parent.name} (snapshot of `{args.hourwise_commit}`)"
    else:
        args.source_state = report.source_state()
    aw_pins: dict[str, str] = {}
    if args.only != "hourwise":
        aw_pins = servers.aw_versions(servers.ensure_aw_venv(work))

    print(f"generating {args.days} days (seed {args.seed})...", flush=True)
    ds = build_dataset(args.days, args.seed)
    print("  " + ds.describe(), flush=True)
    chunks = encode_dataset(ds, args.chunk)
    hb_bodies = heartbeat_stream(args.seed, args.days + 1, max(args.heartbeats, args.heartbeats4), ds.host)
    hb1 = hb_bodies[: args.heartbeats]
    hb4 = hb_bodies[: args.heartbeats4]
    day_ranges = pick_ranges(ds, 1, 10)
    month_ranges = pick_ranges(ds, 30, 3)

    makers = {"hourwise": servers.hourwise, "reference": servers.reference}
    # own data directories, so another benchmark running at the same time cannot clobber them
    srvs = {k: make(work, name=f"core-{k}", **({"src": src} if k == "hourwise" else {}))
            for k, make in makers.items() if not args.only or args.only == k}
    load_before = os.getloadavg()
    results = run_all(srvs, ds, chunks, hb1, hb4, day_ranges, month_ranges, args)
    load_after = os.getloadavg()
    total_s = time.perf_counter() - t_start

    raw = {"args": vars(args), "dataset": ds.describe(), "aw_pins": aw_pins,
           "loadavg": {"before": load_before, "after": load_after},
           "machine": report.machine_info(), "results": results}
    (work / "bench_core.json").write_text(json.dumps(raw, indent=2, default=str))

    if len(results) < 2:
        for res in results.values():
            print(json.dumps({k: v for k, v in res.items() if k != "info"}, indent=2, default=str))
        return 0
    hw, aw = results["hourwise"], results["reference"]
    rows = rows_for(hw, aw)
    md_table, verdicts = render(rows, f"aw-server {aw_pins.get('aw-server', '')}")
    print()
    print(md_table)
    print()
    print("\n".join(verdicts))
    if hw["counts"] != aw["counts"]:
        print(f"WARNING: event counts differ: {hw['counts']} vs {aw['counts']}")
    for key in ("get1", "get30"):
        if hw[key]["counts"] != aw[key]["counts"]:
            print(f"WARNING: {key} counts differ: {hw[key]['counts']} vs {aw[key]['counts']}")
    if not args.no_write:
        write_results(args, ds, hw, aw, aw_pins, md_table, verdicts, total_s,
                      (load_before, load_after))
        print(f"\nwrote {report.RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
