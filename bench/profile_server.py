"""Profile Hourwise under one benchmark workload with py-spy (sampling, no code changes).

    .venv/bin/pip install py-spy
    .venv/bin/python bench/profile_server.py --phase heartbeat --days 30
    .venv/bin/python bench/profile_server.py --phase bulk
    .venv/bin/python bench/profile_server.py --phase get30

Starts Hourwise on a free port, loads the data set (except for ``bulk``, where the load
is the profiled phase), records the server with ``py-spy record --gil --format raw`` (GIL holders only) while the
phase runs, and prints the functions with the most samples (self and inclusive). The
collapsed stacks are kept in ``bench/.work/profile-<phase>.txt`` (feed them to
flamegraph.pl or speedscope).
"""

from __future__ import annotations

import argparse
import collections
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bench_core, servers
from bench.client import Client, create_bucket
from bench.loader import build_dataset, encode_dataset, load_into


def summarise(raw: Path, top: int) -> str:
    self_counts: collections.Counter[str] = collections.Counter()
    incl_counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        count = int(n)
        total += count
        frames = stack.split(";")
        self_counts[frames[-1]] += count
        for f in set(frames):
            incl_counts[f] += count
    out = [f"{total} samples"]
    out.append("\nself (top):")
    out += [f"{c / total:6.1%}  {f}" for f, c in self_counts.most_common(top)]
    out.append("\ninclusive (top):")
    out += [f"{c / total:6.1%}  {f}" for f, c in incl_counts.most_common(top * 2)]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phase", choices=["heartbeat", "heartbeat4", "bulk", "get1", "get30"],
                        required=True)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--count", type=int, default=4000, help="heartbeats to send")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    py_spy = shutil.which("py-spy") or str(servers.REPO_DIR / ".venv" / "bin" / "py-spy")

    ds = build_dataset(args.days)
    chunks = encode_dataset(ds, 1000)
    srv = servers.hourwise(servers.WORK_DIR, name="hourwise-profile")
    out = servers.WORK_DIR / f"profile-{args.phase}.txt"
    with servers.running(srv), Client(srv.url) as client:
        if args.phase != "bulk":
            load_into(client, ds, chunks)
        spy = subprocess.Popen([py_spy, "record", "-p", str(srv.pid), "--format", "raw",
                                "-o", str(out), "--rate", "250", "--duration", "600", "--gil"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.5)
        t0 = time.perf_counter()
        if args.phase == "bulk":
            load_into(client, ds, chunks)
        elif args.phase.startswith("heartbeat"):
            bodies = bench_core.heartbeat_stream(ds.seed, ds.days + 1, args.count, ds.host)
            n = 4 if args.phase == "heartbeat4" else 1
            buckets = [f"profile-hb{i}" for i in range(n)]
            for b in buckets:
                create_bucket(client, b, "currentwindow", "bench", ds.host)
            print(bench_core.run_heartbeats(srv.url, buckets, bodies))
        else:
            span = 1 if args.phase == "get1" else 30
            ranges = bench_core.pick_ranges(ds, span, 10 if span == 1 else 3)
            print(bench_core.get_events_latency(client, ds.window, ranges, 3 if span == 30 else 2))
        print(f"phase took {time.perf_counter() - t0:.1f} s")
        spy.send_signal(signal.SIGINT)
        try:
            spy.wait(30)
        except subprocess.TimeoutExpired:
            spy.kill()
    if out.exists():
        print(summarise(out, args.top))
        print(f"\ncollapsed stacks: {out}")
    else:
        print("py-spy wrote nothing (is ptrace allowed?)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
