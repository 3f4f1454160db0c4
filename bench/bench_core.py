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
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import generate as gen  # noqa: E402
from bench import report, servers  # noqa: E402
from bench.client import (  # noqa: E402
    Client,
    create_bucket,
    events_path,
    heartbeat_path,
    percentile,
)
from bench.loader import Dataset, build_dataset, count_events, encode_dataset, load_into  # noqa: E402

PULSETIME = 2.0  # aw-watcher-window: max(1.5 × poll, poll + 1) with a 1 s poll
HB_TIME_LIMIT = 90.0  # seconds per heartbeat run, whatever the count


# -- heartbeats -------------------------------------------------------------------------


def heartbeat_stream(seed: int, day_index: int, count: int, host: str) -> list[bytes]:
    """``count`` raw 1 Hz window heartbeats (duration 0) replaying generated days.

    Starts at ``day_index`` (after the loaded data) and takes as many days as needed.
    """
    from datetime import datetime, timezone

    bodies: list[bytes] = []
    day = day_index
    while len(bodies) < count and day < day_index + 60:
        events = gen.generate_day(seed, day, host=host)[gen.window_bucket(host)]
        day += 1
        for ev in events:
            t0 = datetime.fromisoformat(ev["timestamp"]).timestamp()
            for k in range(int(ev["duration"]) + 1):
                ts = datetime.fromtimestamp(t0 + k, tz=timezone.utc).isoformat()
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


# -- one server ---------------------------------------------------------------------------


def bench_server(srv: servers.ServerProcess, ds: Dataset, chunks: list[tuple[str, int, bytes]],
                 hb_bodies: list[bytes], hb4_bodies: list[bytes], day_ranges: list,
                 month_ranges: list, args: argparse.Namespace) -> dict[str, Any]:
    res: dict[str, Any] = {"server": srv.name}
    srv.start()
    try:
        with Client(srv.url) as client:
            res["info"] = client.get_json("/api/0/info")
            # warm-up: a few requests of each kind on a scratch bucket
            create_bucket(client, "bench-warmup", "currentwindow", "bench", ds.host)
            for body in hb_bodies[:200]:
                client.request("POST", heartbeat_path("bench-warmup", PULSETIME), body)
            client.request("POST", "/api/0/buckets/bench-warmup/events", chunks[0][2])
            client.request("GET", events_path("bench-warmup"))

            print(f"  [{srv.name}] bulk insert of {ds.total_events:,} events "
                  f"in {len(chunks)} POSTs of up to {args.chunk}...", flush=True)
            t = load_into(client, ds, chunks)
            res["bulk"] = {"events": t.items, "wall_s": t.wall, "rate": t.rate,
                           "p50_s": t.pct(50), "p99_s": t.pct(99)}
            res["counts"] = {b: count_events(client, b) for b in ds.buckets}
            print(f"  [{srv.name}] {t.rate:,.0f} events/s; counts {res['counts']}", flush=True)

            hb_buckets = [f"aw-watcher-window_bench-hb{i}" for i in range(5)]
            for b in hb_buckets:
                create_bucket(client, b, "currentwindow", "aw-watcher-window", "bench-hb")
            print(f"  [{srv.name}] heartbeats, 1 client ({len(hb_bodies):,})...", flush=True)
            res["hb1"] = run_heartbeats(srv.url, hb_buckets[:1], hb_bodies)
            print(f"  [{srv.name}] {res['hb1']['rate']:,.0f}/s; 4 clients "
                  f"(4 × {len(hb4_bodies):,})...", flush=True)
            res["hb4"] = run_heartbeats(srv.url, hb_buckets[1:], hb4_bodies)
            res["hb_events"] = count_events(client, hb_buckets[0])
            print(f"  [{srv.name}] {res['hb4']['rate']:,.0f}/s; get-events...", flush=True)

            res["get1"] = get_events_latency(client, ds.window, day_ranges, args.repeat_day)
            res["get30"] = get_events_latency(client, ds.window, month_ranges, args.repeat_month)
            print(f"  [{srv.name}] 1 day {res['get1']['median_s'] * 1000:.0f} ms, 30 days "
                  f"{res['get30']['median_s'] * 1000:.0f} ms", flush=True)
        res["db_live_bytes"] = srv.db_size_bytes()
        res["peak_rss_bytes"] = srv.peak_rss_bytes()
    finally:
        srv.stop()
    res["db_bytes"] = srv.db_size_bytes()
    res["db_files"] = {p.name: p.stat().st_size for p in srv.db_files()}
    return res


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


def write_results(args: argparse.Namespace, ds: Dataset, hw: dict[str, Any], aw: dict[str, Any],
                  aw_pins: dict[str, str], md_table: str, verdicts: list[str], total_s: float) -> None:
    m = report.machine_info()
    consistent = hw["counts"] == aw["counts"] and hw["get30"]["counts"] == aw["get30"]["counts"] \
        and hw["get1"]["counts"] == aw["get1"]["counts"]
    pins = ", ".join(f"{k} {v}" for k, v in aw_pins.items())
    text = f"""## Core API benchmark (issue #2): `bench/bench_core.py`

Command (from the repository root; {total_s / 60:.1f} minutes):

```sh
{report.command_line()}
```

- Date: {m['date']}. Machine: {m['cpu']}, {m['cores']} cores, {m['memory']} RAM, {m['os']},
  Python {m['python']}.
- Hourwise {hw['info'].get('version')} (`hourwise serve --testing`, SQLite, log level warning).
- Reference: {pins}, installed from PyPI by the script into `bench/.work/aw-venv`, run in
  **production mode** (`aw-server --port P`, data and config redirected under `bench/.work/`):
  `--testing` turns on Flask debug mode and pretty-printed JSON, which would handicap it.
- Data: {ds.describe()}. Loaded into both servers with the same chunked
  `POST /api/0/buckets/<id>/events` requests ({args.chunk} events each); every bucket holds
  the same event count on both afterwards, and every get-events range returned the same
  number of events on both: **{'yes' if consistent else 'NO — see bench/.work/bench_core.json'}**.
- Client: Python `http.client`, one keep-alive connection per client, request bodies
  encoded before timing; servers run one after the other, never at the same time.

{md_table}

How each number is measured:
- *Heartbeats*: a window watcher's raw 1 Hz stream (duration 0, `pulsetime={PULSETIME:g}`,
  generated days after the loaded range; about 9 in 10 merge into the previous event) into
  fresh buckets of the loaded database. One client sends {hw['hb1']['heartbeats']:,}; four
  clients are four processes on four buckets sending up to {args.heartbeats4:,} each at the
  same time (a run stops after {HB_TIME_LIMIT:.0f} s). Rate = heartbeats / wall time;
  p99 over every request.
- *Bulk insert*: events / total time of the load POSTs ({ds.total_events:,} events).
- *Get events*: `GET /api/0/buckets/<window>/events?start&end&limit=-1`, response read fully;
  1 day = {len(hw['get1']['counts'])} working days × {args.repeat_day}
  (about {hw['get1']['events_mean']:,.0f} events, {report.fmt_bytes(hw['get1']['bytes_mean'])}
  from Hourwise, {report.fmt_bytes(aw['get1']['bytes_mean'])} from the reference);
  30 days = {len(hw['get30']['counts'])} windows × {args.repeat_month}
  (about {hw['get30']['events_mean']:,.0f} events).
- *Database size*: all database files after the server stopped (Hourwise:
  {', '.join(f'{k} {report.fmt_bytes(v)}' for k, v in hw['db_files'].items())}; reference:
  {', '.join(f'{k} {report.fmt_bytes(v)}' for k, v in aw['db_files'].items())}). While running:
  Hourwise {report.fmt_bytes(hw['db_live_bytes'])}, reference {report.fmt_bytes(aw['db_live_bytes'])}.
- *Peak memory*: the server process's VmHWM at the end of the run.

Targets:
{chr(10).join('- ' + v for v in verdicts)}
"""
    report.update_section("bench_core", text)


# -- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=45, help="days of data to load (default %(default)s)")
    parser.add_argument("--seed", type=int, default=gen.DEFAULT_SEED)
    parser.add_argument("--chunk", type=int, default=1000, help="events per bulk POST")
    parser.add_argument("--heartbeats", type=int, default=4000, help="heartbeats, one client")
    parser.add_argument("--heartbeats4", type=int, default=2000, help="heartbeats per client, four clients")
    parser.add_argument("--repeat-day", type=int, default=2)
    parser.add_argument("--repeat-month", type=int, default=1)
    parser.add_argument("--only", choices=["hourwise", "reference"],
                        help="run one server only (no ratios, RESULTS.md untouched)")
    parser.add_argument("--no-write", action="store_true", help="leave bench/RESULTS.md alone")
    args = parser.parse_args(argv)

    t_start = time.perf_counter()
    work = servers.WORK_DIR
    work.mkdir(parents=True, exist_ok=True)
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

    results: dict[str, dict[str, Any]] = {}
    makers = {"hourwise": servers.hourwise, "reference": servers.reference}
    for name, make in makers.items():
        if args.only and args.only != name:
            continue
        print(f"{name}:", flush=True)
        results[name] = bench_server(make(work), ds, chunks, hb1, hb4, day_ranges, month_ranges, args)
    total_s = time.perf_counter() - t_start

    raw = {"args": vars(args), "dataset": ds.describe(), "aw_pins": aw_pins,
           "machine": report.machine_info(), "results": results}
    (work / "bench_core.json").write_text(json.dumps(raw, indent=2, default=str))

    if len(results) < 2:
        for name, res in results.items():
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
        write_results(args, ds, hw, aw, aw_pins, md_table, verdicts, total_s)
        print(f"\nwrote {report.RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
