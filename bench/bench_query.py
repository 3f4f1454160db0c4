"""Issue #3 benchmark: the web UI's fullDesktopQuery on Hourwise and on the reference.

Loads the same generated desktop data into both servers (through the REST API, as
``bench_core`` does), then times ``POST /api/0/query/`` with the web UI's Activity-page
query (``fullDesktopQuery``: AFK filtering, one browser bucket, the web UI's default
categories) over the last 1, 7, 30 and 365 days of the data. Prints the latencies and
ratios and writes ``bench/RESULTS.md`` (section ``bench_query``).

Both servers run at once and every round alternates between them, so background load on
the shared machine hits both alike. Two Hourwise numbers per span:

- **cold**: every request carries a program text never sent before (a numbered no-op
  statement is prepended), so Hourwise's per-period result cache cannot answer it and
  the query engine does all the work. The reference gets the same programs.
- **cached**: the same request again, as the web UI repeats it; answered from the
  result cache (the periods lie in the past).

    .venv/bin/python bench/bench_query.py                      # 365 days, both servers
    .venv/bin/python bench/bench_query.py --days 30 --only hourwise
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
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
TARGET_RATIO = 30
MEMORY_TARGET = 200_000_000  # the 200 MB (190.7 MiB)
_nonce = itertools.count()


def query_body(ds, span: int, fresh: bool) -> bytes:
    start, end = ds.day_bounds(ds.days - span, span)
    query = full_desktop_query(bid_window=ds.window, bid_afk=ds.afk, bid_browsers=[ds.web],
                               categories=DEFAULT_CATEGORIES)
    if fresh:  # a program text no server has seen: no result cache can answer it
        query = [f'bench_run = "{os.getpid()}-{next(_nonce)}";', *query]
    return json.dumps({"timeperiods": [f"{start}/{end}"], "query": query}).encode()


def timed(server, client: Client, body: bytes) -> tuple[float, float, bytes]:
    """(wall seconds, server CPU seconds, response) of one query request."""
    cpu = server.cpu_seconds()
    started = time.perf_counter()
    response = client.request("POST", "/api/0/query/", body)
    return time.perf_counter() - started, server.cpu_seconds() - cpu, response


def run_span(ds, span: int, live: dict, args) -> dict:
    """Interleaved rounds: per round one cold request to each server (alternating who
    goes first) and one cached request to Hourwise. One untimed warm-up each first."""
    out = {name: {"cold": [], "cpu": [], "cached": []} for name in live}
    answers = {}
    for name, (srv, client) in live.items():
        out[name]["first"], _, answers[name] = timed(srv, client, query_body(ds, span, fresh=True))
    for name, body in answers.items():
        (servers.WORK_DIR / f"query-{span}d-{name}.json").write_bytes(body)
    if len(answers) == 2:
        a, b = (json.loads(v) for v in answers.values())
        out["same_answer"] = _same(a, b)
        if not out["same_answer"]:
            print(f"  answers differ at {_difference(a, b)}", flush=True)
    deadline = time.monotonic() + args.budget
    for round_no in range(args.repeat):
        names = list(live) if round_no % 2 == 0 else list(reversed(live))
        for name in names:
            srv, client = live[name]
            wall, cpu, _ = timed(srv, client, query_body(ds, span, fresh=True))
            out[name]["cold"].append(wall)
            out[name]["cpu"].append(cpu)
        if "hourwise" in live:
            srv, client = live["hourwise"]
            body = query_body(ds, span, fresh=False)
            if round_no == 0:
                timed(srv, client, body)  # fills the cache
            out["hourwise"]["cached"].append(timed(srv, client, body)[0])
        if time.monotonic() > deadline:
            break
    for name, (srv, _) in live.items():
        out[name]["peak_rss"] = srv.peak_rss_bytes()
        out[name]["rss_now"] = srv.rss_bytes()
    for name in live:
        r = out[name]
        line = (f"  {name:>9}: {span:>3} days  first {report.fmt_ms(r['first'])}"
                f"  cold {report.fmt_ms(statistics.median(r['cold']))}")
        if r["cached"]:
            line += f"  cached {report.fmt_ms(statistics.median(r['cached']))}"
        print(line + f"  ({len(r['cold'])} runs)", flush=True)
    return out


def _same(a, b, key: str = "") -> bool:
    """Equal JSON up to the documented deviation: aw-core truncates every event start it
    sets to milliseconds (Hourwise keeps microseconds), so timestamps may differ by up to
    1 ms and durations by a little more than that per event they sum."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], k) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        i = 0
        while i < len(a):
            if _same(a[i], b[i], key):
                i += 1
            elif (i + 1 < len(a) and _near_tie(a[i], a[i + 1]) and _same(a[i], b[i + 1], key)
                  and _same(a[i + 1], b[i], key)):
                i += 2  # two events whose durations differ by less than the tolerance
            elif i == len(a) - 1 and _near_tie(a[i], b[i]):
                i += 1  # a near tie at the cut of limit_events
            else:
                return False
        return True
    if key == "timestamp" and isinstance(a, str) and isinstance(b, str):
        from datetime import datetime
        return abs((datetime.fromisoformat(a) - datetime.fromisoformat(b)).total_seconds()) <= 0.001
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) <= max(0.05, 1e-3 * max(abs(a), abs(b)))
    return a == b


def _near_tie(a, b) -> bool:
    """Two events whose order sort_by_duration may swap across the two servers."""
    return (isinstance(a, dict) and isinstance(b, dict) and "duration" in a and "duration" in b
            and _same(a["duration"], b["duration"], "duration"))


def recheck(spans) -> None:
    """Compare the answers a run saved (``bench/.work/query-<N>d-<server>.json``)."""
    for span in spans:
        a, b = (json.loads((servers.WORK_DIR / f"query-{span}d-{name}.json").read_bytes())
                for name in ("hourwise", "reference"))
        print(f"{span} days: " + ("same" if _same(a, b) else f"differ at {_difference(a, b)}"))


def _difference(a, b, path: str = "$") -> str:
    """Where two JSON values first differ (for the log)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return f"{path}: keys {sorted(a)} vs {sorted(b)}"
        return next((_difference(a[k], b[k], f"{path}.{k}") for k in a if not _same(a[k], b[k], k)),
                    path)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} items"
        return next((_difference(x, y, f"{path}[{i}]") for i, (x, y) in enumerate(zip(a, b))
                     if not _same(x, y)), path)
    return f"{path}: {str(a)[:80]} vs {str(b)[:80]}"


def markdown(results: dict, ds, spans, info: dict) -> str:
    rows = []
    verdicts = []
    for span in spans:
        r = results[span]
        hw, aw = r.get("hourwise"), r.get("reference")
        hw_ms = statistics.median(hw["cold"]) if hw else None
        aw_ms = statistics.median(aw["cold"]) if aw else None
        ratio = aw_ms / hw_ms if hw_ms and aw_ms else None
        cpu_ratio = (statistics.median(aw["cpu"]) / statistics.median(hw["cpu"])
                     if hw and aw and statistics.median(hw["cpu"]) > 0 else None)
        target = TARGETS_MS.get(span)
        rows.append([
            f"{span} days",
            report.fmt_ms(hw["first"]) if hw else "–",
            report.fmt_ms(hw_ms) if hw else "–",
            report.fmt_ms(statistics.median(hw["cached"])) if hw and hw["cached"] else "–",
            report.fmt_ms(aw_ms) if aw else "–",
            f"{ratio:.1f}×" if ratio else "–",
            f"{cpu_ratio:.1f}×" if cpu_ratio else "–",
            f"< {target} ms" if target else "",
            str(len(hw["cold"])) + " / " + str(len(aw["cold"])) if hw and aw else "",
            {True: "yes", False: "**no**"}.get(r.get("same_answer"), "–"),
        ])
        if target and hw_ms is not None:
            ok = hw_ms * 1000 < target
            verdicts.append(f"- {span} days, cold: {report.fmt_ms(hw_ms)} (target < {target} ms) — "
                            + ("met" if ok else "MISSED"))
        if ratio is not None:
            verdicts.append(f"- {span} days, ratio: {ratio:.1f}× (target ≥ {TARGET_RATIO}×) — "
                            + ("met" if ratio >= TARGET_RATIO else "MISSED"))
    table = report.table(["fullDesktopQuery", "Hourwise first", "Hourwise cold", "Hourwise cached",
                          "aw-server 0.12.0", "ratio (cold)", "CPU ratio", "target",
                          "runs", "same answer"], rows)
    mem_rows = []
    for span in spans:
        for name, r in results[span].items():
            if isinstance(r, dict) and "peak_rss" in r:
                mem_rows.append([f"{name} after {span} days", report.fmt_bytes(r["rss_now"]),
                                 report.fmt_bytes(r["peak_rss"])])
    mem = report.table(["server", "RSS now", "peak (VmHWM) so far"], mem_rows)
    hw_peak = max((results[s]["hourwise"]["peak_rss"] for s in spans if "hourwise" in results[s]),
                  default=None)
    if hw_peak is not None:
        verdicts.append(f"- Hourwise peak memory while answering the queries: "
                        f"{report.fmt_bytes(hw_peak)} ({hw_peak / 1e6:.1f} MB; target < 200 MB) — "
                        + ("met" if hw_peak < MEMORY_TARGET else "MISSED"))
    return f"""## Query benchmark (issue #3): `bench/bench_query.py`

{report.run_header(info)}
- Hourwise {info['source']}: `hourwise serve --testing --no-watchers`, SQLite.
  Reference: aw-server 0.12.0 (aw-core 0.5.18), production mode, from PyPI in its own venv.
- Data: {ds.describe()}. Loaded into both servers with the same chunked
  `POST /api/0/buckets/<id>/events` requests; then both servers are restarted on their
  loaded databases, so memory measures answering queries, not the import.
- Query: the web UI's `fullDesktopQuery` (AFK filtering, the Firefox bucket, the web
  UI's default categories), one period: the last N local days of the data.

{table}

- *Hourwise first*: the untimed warm-up request of this span (spans run 1, 7, 30, 365
  days in turn): nothing of this period's answer is cached anywhere, and categories are
  known only for window titles seen by the shorter spans before.
- *Hourwise cold*: median over the timed runs of a program text the server had never
  seen (a numbered no-op statement prepended), so the result cache cannot answer and the
  engine computes everything. Process-level caches are warm after the warm-up, as they
  are for the reference: SQLite pages, decoded event data, and the categories found
  for each window title with these rules (`categorize` remembers them per rule set).
- *Hourwise cached*: the same request repeated, as the web UI repeats it: answered
  from the per-period result cache (the period is in the past; any write to a bucket
  the query read, within the period, drops the entry).
- *aw-server 0.12.0*: median of the same cold programs (it has no result cache).
- *ratio*: reference ÷ Hourwise cold, wall time. *CPU ratio*: the same for server
  CPU time per request (less sensitive to the machine's other load).
- *runs*: timed runs per server (Hourwise / reference), after one warm-up each;
  rounds alternate which server goes first.
- *same answer*: the warm-up responses of both servers are the same JSON: same events
  in the same order with the same data (two neighbours whose durations are within the
  tolerance may be swapped, and the last of a list may differ, as `sort_by_duration`
  and `limit_events` order near-ties by sub-millisecond differences); timestamps within 1 ms and durations within
  50 ms or 10⁻³ relative (a sum of many events). aw-core truncates every event start it sets to milliseconds,
  Hourwise keeps microseconds (documented in `docs/query-language.md`).

Memory (resident set of the server process):

{mem}

Targets:
{chr(10).join(verdicts)}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--spans", default="1,7,30,365")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds of timed rounds per span (at least one round)")
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--only", choices=("hourwise", "reference"))
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    parser.add_argument("--keep-running", action="store_true",
                        help="query the servers that did the load (no restart after it)")
    parser.add_argument("--recheck", action="store_true",
                        help="only compare the answers the last run saved, for --spans")
    args = parser.parse_args(argv)
    if args.recheck:
        recheck([int(s) for s in args.spans.split(",")])
        return 0
    began = time.monotonic()
    info = {"machine": report.machine_info(), "load_before": report.loadavg(),
            "source": report.source_state()}
    ds = build_dataset(args.days, args.seed) if args.seed is not None else build_dataset(args.days)
    spans = [s for s in map(int, args.spans.split(",")) if s <= args.days]
    chunks = encode_dataset(ds, args.chunk)
    print(ds.describe(), flush=True)
    makers = {"hourwise": servers.hourwise, "reference": servers.reference}
    results: dict = {}
    with contextlib.ExitStack() as stack:
        live = {}
        for name, make in makers.items():
            if args.only and args.only != name:
                continue
            srv = stack.enter_context(servers.running(make(servers.WORK_DIR)))
            client = stack.enter_context(Client(srv.url))
            started = time.perf_counter()
            load_into(client, ds, chunks)
            print(f"  {name}: loaded in {time.perf_counter() - started:.0f} s", flush=True)
            if not args.keep_running:
                # Start again on the loaded database: memory then measures answering
                # queries, as a user's long-running server does, not the bulk import.
                client.close()
                srv.restart()
                client = stack.enter_context(Client(srv.url))
            live[name] = (srv, client)
        for span in spans:
            results[span] = run_span(ds, span, live, args)
    info["load_after"] = report.loadavg()
    info["minutes"] = (time.monotonic() - began) / 60
    text = markdown(results, ds, spans, info)
    print(text)
    if not args.no_write:
        report.update_section("bench_query", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
