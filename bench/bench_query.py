"""Issue #3 benchmark: the web UI's fullDesktopQuery on Hourwise and on the reference.

Loads the same generated desktop data into each server (through the REST API, as
``bench_core`` does), then times ``POST /api/0/query/`` with the web UI's Activity-page
query (``fullDesktopQuery``: AFK filtering, one browser bucket, the web UI's default
categories) over the last 1, 7, 30 and 365 days of the data. Prints the latencies and
ratios and writes ``bench/RESULTS.md`` (section ``bench_query``).

    .venv/bin/python bench/bench_query.py                      # 365 days, both servers
    .venv/bin/python bench/bench_query.py --days 30 --only hourwise
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import report, servers  # noqa: E402
from bench.client import Client  # noqa: E402
from bench.loader import build_dataset, encode_dataset, load_into  # noqa: E402
from tests.differential.webui import DEFAULT_CATEGORIES, full_desktop_query  # noqa: E402

TARGETS_MS = {1: 20, 30: 300, 365: 2000}


def query_body(ds, span: int) -> bytes:
    start, end = ds.day_bounds(ds.days - span, span)
    query = full_desktop_query(bid_window=ds.window, bid_afk=ds.afk, bid_browsers=[ds.web],
                               categories=DEFAULT_CATEGORIES)
    return json.dumps({"timeperiods": [f"{start}/{end}"], "query": query}).encode()


def time_queries(client: Client, body: bytes, repeat: int, budget_s: float) -> list[float]:
    """Latencies in seconds: one warm-up, then up to ``repeat`` runs within ``budget_s``."""
    client.request("POST", "/api/0/query/", body)
    times: list[float] = []
    deadline = time.monotonic() + budget_s
    while len(times) < repeat and (not times or time.monotonic() < deadline):
        started = time.perf_counter()
        client.request("POST", "/api/0/query/", body)
        times.append(time.perf_counter() - started)
    return times


def run_server(make, ds, chunks, spans, args) -> dict:
    out: dict = {"spans": {}}
    with servers.running(make(servers.WORK_DIR)) as srv, Client(srv.url) as client:
        load_into(client, ds, chunks)
        for span in spans:
            times = time_queries(client, query_body(ds, span), args.repeat, args.budget)
            out["spans"][span] = {"median_s": statistics.median(times), "runs": len(times)}
            print(f"  {srv.name}: {span:>3} days  {report.fmt_ms(statistics.median(times))}"
                  f"  ({len(times)} runs)", flush=True)
        out["peak_rss"] = srv.peak_rss_bytes()
    return out


def markdown(results: dict, ds, spans) -> str:
    rows = []
    for span in spans:
        hw = results.get("hourwise", {}).get("spans", {}).get(span)
        aw = results.get("reference", {}).get("spans", {}).get(span)
        ratio = f"{aw['median_s'] / hw['median_s']:.0f}×" if hw and aw else "–"
        target = f"< {TARGETS_MS[span]} ms" if span in TARGETS_MS else ""
        rows.append([f"{span} days", report.fmt_ms(hw["median_s"]) if hw else "–",
                     report.fmt_ms(aw["median_s"]) if aw else "–", ratio, target])
    table = report.table(["fullDesktopQuery", "Hourwise", "aw-server 0.12.0", "ratio", "target"], rows)
    memory = ", ".join(f"{k} {report.fmt_bytes(v['peak_rss'])}" for k, v in results.items())
    return (f"Data: {ds.describe()}.\n\nMedian latency of `POST /api/0/query/` with the web "
            f"UI's fullDesktopQuery over the last N days, after one warm-up run.\n\n{table}\n\n"
            f"Peak server memory (VmHWM) over the run: {memory}.\n\n{report.command_line()}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--spans", default="1,7,30,365")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds of timed runs per span")
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--only", choices=("hourwise", "reference"))
    args = parser.parse_args(argv)
    ds = build_dataset(args.days, args.seed) if args.seed is not None else build_dataset(args.days)
    spans = [s for s in map(int, args.spans.split(",")) if s <= args.days]
    chunks = encode_dataset(ds, args.chunk)
    print(ds.describe(), flush=True)
    makers = {"hourwise": servers.hourwise, "reference": servers.reference}
    results = {name: run_server(make, ds, chunks, spans, args)
               for name, make in makers.items() if not args.only or args.only == name}
    text = markdown(results, ds, spans)
    print(text)
    report.update_section("bench_query", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
