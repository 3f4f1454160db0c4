"""A deterministic, realistic desktop year in ActivityWatch form.

Three buckets, as ActivityWatch's own watchers would fill them on one Linux desktop:

- ``aw-watcher-window_<host>`` (``currentwindow``, data ``{app, title}``): about
  2,500-4,000 events on a working day, contiguous while the machine is awake; during an
  AFK break the last window simply stays focused (one long event), as with the real
  watcher. Titles churn: editor files (with the unsaved ``●`` marker), terminal commands
  and directories, browser page titles, chat channels and DMs, mail subjects, documents.
  A year holds tens of thousands of distinct app/title pairs.
- ``aw-watcher-afk_<host>`` (``afkstatus``, ``{status: afk|not-afk}``): one event per
  state change, covering exactly the time the machine is awake.
- ``aw-watcher-web-firefox_<host>`` (``web.tab.current``, ``{url, title, audible,
  incognito, tabCount}``): one event per Firefox window event, same page, starting a
  fraction of a second later (the extension reports a little after the window watcher).

Working days have a morning and an afternoon session with coffee breaks, a lunch break
and sometimes an evening session; weekends are light or empty; there are a few weeks of
holiday. Every day is generated from ``(seed, day index)`` alone, so any range of days
can be produced without generating the ones before it, and the same arguments always
give byte-identical output.

Library::

    from bench.generate import generate_year, bucket_metadata
    for day, events_by_bucket in generate_year(seed=1, days=30, start_date=date(2025, 1, 6)):
        ...  # events_by_bucket: {bucket_id: [{"timestamp", "duration", "data"}, ...]}

CLI (writes the export format ``{"buckets": {...}}`` that ``POST /api/0/import`` takes)::

    python bench/generate.py --days 365 --seed 1 -o bench/.work/year.json
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

DEFAULT_SEED = 20250106
DEFAULT_START = date(2025, 1, 6)  # a Monday
DEFAULT_HOST = "benchhost"
LOCAL_TZ = timezone(timedelta(hours=1))  # the user's wall clock; events are stored in UTC
USER = "alex"

Event = dict[str, Any]

# -- vocabulary -----------------------------------------------------------------------

WORDS = ["cache", "index", "query", "bucket", "event", "timeline", "parser", "token", "stream", "buffer", "worker", "queue", "scheduler", "socket", "session", "cookie", "header", "router", "handler", "schema", "migration", "column", "table", "report", "summary", "export", "import", "sync", "backup", "config", "settings", "theme", "layout", "sidebar", "modal", "button", "dialog", "tooltip", "chart", "graph", "legend", "filter", "search", "sort", "pager", "cursor", "offset", "limit", "timeout", "retry", "error", "warning", "crash", "leak", "memory", "disk", "latency", "throughput", "benchmark", "test", "fixture", "mock", "client", "server", "proxy", "gateway", "auth", "login", "logout", "token", "refresh", "permission", "role", "user", "account", "profile", "avatar", "upload", "download", "image", "video", "audio", "codec", "format", "unicode", "locale", "timezone", "calendar", "date", "duration", "interval", "window", "focus", "idle", "heartbeat", "category", "rule", "regex", "pattern", "match", "merge", "split", "join", "flood", "filter", "chunk", "batch", "page", "release", "version", "tag", "branch", "commit", "rebase", "conflict", "review", "deploy", "rollback", "pipeline", "build", "docker", "image", "container", "volume", "network", "dns", "tls", "certificate", "key", "secret", "vault", "metric", "alert", "dashboard", "panel", "grafana", "prometheus", "trace", "span", "log", "rotate", "archive", "purge"]
ADJECTIVES = ["slow", "broken", "flaky", "missing", "wrong", "stale", "empty", "duplicate", "large", "small", "new", "old", "faster", "simpler", "safer", "async", "parallel", "incremental", "lazy", "optional", "default", "custom", "nested", "partial"]
VERBS = ["fix", "add", "remove", "refactor", "speed", "up", "document", "support", "handle", "avoid", "rename", "split", "merge", "migrate", "cache", "validate", "parse", "render", "retry", "deprecate", "expose", "test", "clean", "up"]
PEOPLE = ["Maria", "Jonas", "Priya", "Tom", "Aiko", "Lukas", "Sofia", "Omar", "Elena", "Chen", "Noah", "Fatima", "Sam", "Ingrid", "Diego", "Hannah", "Kwame", "Yuki", "Pavel", "Lea"]
ORGS = ["hourwise", "acme-corp", "pydata", "kernel-tools", "webstack", "infra"]
SITES_NEWS = ["Hacker News", "LWN.net", "The Verge", "Ars Technica", "BBC News", "Reuters"]
PY_MODULES = ["functools", "itertools", "collections", "asyncio", "sqlite3", "json", "datetime", "zoneinfo", "re", "typing", "dataclasses", "pathlib", "subprocess", "threading", "multiprocessing", "concurrent.futures", "logging", "argparse", "contextlib", "hashlib", "http.client", "urllib.parse", "unittest", "statistics", "heapq", "bisect", "struct", "io", "os", "shutil", "tempfile", "socket", "ssl", "select", "signal", "time", "calendar", "decimal", "fractions"]
EXTS = [".py", ".py", ".py", ".ts", ".md", ".toml", ".sql", ".yaml", ".rs", ".html", ".css"]
SLACK_CHANNELS = ["general", "random", "dev", "backend", "frontend", "ops", "incidents", "releases", "design", "support", "standup", "watercooler", "hiring", "security", "data"]
SONGS = ["Midnight City", "Teardrop", "Windowlicker", "Roygbiv", "Intro", "Svefn-g-englar", "Xtal", "Avril 14th", "Nightcall", "Strobe", "Kiara", "Porcelain", "Glósóli", "Holocene", "Breathe", "Outro"]
ARTISTS = ["M83", "Massive Attack", "Aphex Twin", "Boards of Canada", "The xx", "Sigur Rós", "Daft Punk", "Kavinsky", "deadmau5", "Bonobo", "Moby", "Bon Iver", "Tycho", "Jon Hopkins"]


def _stable_rng(*parts: Any) -> random.Random:
    """A Random seeded from the parts; str seeds are hashed with SHA-512, so stable."""
    return random.Random(":".join(map(str, parts)))


def _phrase(rng: random.Random, lo: int = 3, hi: int = 7) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    if rng.random() < 0.5:
        words.insert(rng.randrange(len(words)), rng.choice(ADJECTIVES))
    return " ".join(words)


def _slug(text: str) -> str:
    return "-".join(text.lower().split())[:60]


# -- long-lived things: projects, repositories ----------------------------------------


@dataclass(frozen=True)
class Project:
    name: str
    org: str
    first_day: int
    last_day: int
    seed: str

    def file(self, k: int) -> str:
        rng = _stable_rng(self.seed, "file", k)
        parts = [rng.choice(WORDS) for _ in range(rng.randint(0, 2))]
        stem = "_".join(rng.choice(WORDS) for _ in range(rng.randint(1, 2)))
        return "/".join(["src", *parts, stem + rng.choice(EXTS)]) if parts else stem + rng.choice(EXTS)

    def files_on(self, day: int) -> int:
        """Files that exist by ``day``: the project grows."""
        return 12 + 2 * max(0, day - self.first_day)


def projects_for(seed: int, days: int) -> list[Project]:
    """The projects of the whole period: a new one every few weeks, each lasting months."""
    rng = _stable_rng(seed, "projects")
    out: list[Project] = []
    day = -120
    k = 0
    while day < days + 30 or len(out) < 4:
        name = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}"
        out.append(Project(name, rng.choice(ORGS), day, day + rng.randint(60, 240), f"{seed}/{k}"))
        day += rng.randint(14, 45)
        k += 1
    return out


# -- what one focused stretch of work looks like --------------------------------------

# (activity, weight on a working day, weight in leisure time)
ACTIVITIES = [
    ("coding", 40, 6), ("review", 14, 0), ("comms", 16, 8), ("meeting", 7, 0),
    ("research", 13, 40), ("admin", 6, 6), ("media", 4, 40),
]
# per activity: app kind -> weight
MIX = {
    "coding": {"editor": 46, "terminal": 26, "browser": 22, "chat": 5, "music": 1},
    "review": {"browser": 62, "editor": 18, "terminal": 10, "chat": 10},
    "comms": {"chat": 44, "mail": 36, "browser": 16, "calendar": 4},
    "meeting": {"zoom": 70, "browser": 15, "chat": 15},
    "research": {"browser": 78, "pdf": 10, "notes": 8, "files": 4},
    "admin": {"office": 44, "browser": 26, "mail": 22, "files": 8},
    "media": {"browser": 80, "music": 15, "files": 5},
}
# median event length factor per app kind (meetings and documents hold focus longer)
STICKINESS = {"zoom": 6.0, "pdf": 2.5, "office": 2.0, "editor": 1.3, "notes": 1.5}


class Day:
    """Generates one day's events; all randomness comes from (seed, day index)."""

    def __init__(self, seed: int, index: int, day: date, host: str, projects: list[Project]):
        self.seed = seed
        self.index = index
        self.date = day
        self.host = host
        self.rng = _stable_rng(seed, "day", index)
        rng = self.rng
        self.active_projects = [p for p in projects if p.first_day <= index <= p.last_day] or projects[:1]
        self.main_projects = rng.sample(self.active_projects, min(len(self.active_projects), 2))
        self.tab_count = rng.randint(4, 30)
        self.window: list[Event] = []
        self.web: list[Event] = []
        self.afk: list[Event] = []
        # the day's working sets, grown as the day goes on
        self._pools: dict[str, list[tuple[str, str, dict[str, Any] | None]]] = {}
        self._dirty: set[str] = set()

    # -- titles ------------------------------------------------------------------------

    def _new_item(self, kind: str, leisure: bool) -> tuple[str, str, dict[str, Any] | None]:
        """A new (app, title, web page) for an app kind; web page only for the browser."""
        rng = self.rng
        d = self.index
        if kind == "editor":
            proj = rng.choice(self.main_projects if rng.random() < 0.8 else self.active_projects)
            n = proj.files_on(d)
            k = int(n * (1 - rng.random() ** 2))  # recent files more likely
            path = proj.file(min(k, n - 1))
            return "Code", f"{path} - {proj.name} - Visual Studio Code", None
        if kind == "terminal":
            proj = rng.choice(self.main_projects)
            r = rng.random()
            if r < 0.35:
                sub = proj.file(rng.randrange(proj.files_on(d))).rpartition("/")[0]
                title = f"{USER}@{self.host}: ~/src/{proj.name}" + (f"/{sub}" if sub else "")
            elif r < 0.55:
                title = f"vim {proj.file(rng.randrange(proj.files_on(d)))}"
            elif r < 0.75:
                cmd = rng.choice([
                    "git log --oneline", "git rebase -i main", "python -m pytest -x",
                    "make test", "htop", "docker compose up", "journalctl -f", "less",
                    "git diff", "cargo build", "npm run dev", "psql",
                ])
                title = f"{cmd} — {proj.name}"
            elif r < 0.9:
                title = f"ssh {rng.choice(['build', 'db', 'web', 'ci', 'gpu'])}-{rng.randint(1, 40):02d}"
            else:
                title = f"python -m pytest tests/{rng.choice(WORDS)}_{rng.choice(WORDS)}.py"
            return "Gnome-terminal", title, None
        if kind == "browser":
            page = self._web_page(leisure)
            return "firefox", f"{page['title']} — Mozilla Firefox", page
        if kind == "chat":
            if rng.random() < 0.6:
                title = f"Slack | #{rng.choice(SLACK_CHANNELS)} | ACME"
            else:
                title = f"Slack | {rng.choice(PEOPLE)} | ACME"
            if rng.random() < 0.3:
                title = "* " + title  # unread marker
            return "Slack", title, None
        if kind == "mail":
            subj = _phrase(rng, 2, 6).capitalize()
            prefix = rng.choice(["", "", "Re: ", "Re: ", "Fwd: ", "[hourwise/issues] "])
            if rng.random() < 0.2:
                return "thunderbird", f"Write: {prefix}{subj} - Thunderbird", None
            return "thunderbird", f"{prefix}{subj} - Inbox - {USER}@acme.example - Mozilla Thunderbird", None
        if kind == "calendar":
            return "firefox", "Calendar - Week of " + self.date.strftime("%B %-d, %Y") + " — Mozilla Firefox", {
                "url": "https://calendar.acme.example/week", "title": "Calendar"}
        if kind == "zoom":
            title = rng.choice(["Zoom Meeting", "Zoom Meeting", "Zoom",
                                f"Zoom - {_phrase(rng, 2, 3).title()} sync"])
            return "zoom", title, None
        if kind == "pdf":
            return "Evince", f"{_slug(_phrase(rng, 3, 6))}.pdf", None
        if kind == "notes":
            return "obsidian", f"{_phrase(rng, 1, 3).title()} - notes - Obsidian v1.5.3", None
        if kind == "files":
            proj = rng.choice(self.active_projects)
            where = rng.choice(["Downloads", "Documents", f"src/{proj.name}", "Pictures"])
            return "org.gnome.Nautilus", where, None
        if kind == "office":
            name = f"{_phrase(rng, 1, 3).title()} {self.date.year}"
            app, kind_name = rng.choice([("libreoffice-calc", "Calc"), ("libreoffice-writer", "Writer")])
            ext = ".ods" if kind_name == "Calc" else ".odt"
            return app, f"{name}{ext} - LibreOffice {kind_name}", None
        if kind == "music":
            return "Spotify", f"{rng.choice(ARTISTS)} - {rng.choice(SONGS)}", None
        raise ValueError(kind)

    def _web_page(self, leisure: bool) -> dict[str, Any]:
        rng = self.rng
        d = self.index
        r = rng.random()
        if leisure:
            r = 0.55 + 0.45 * r  # leisure time skews to news, video, wiki
        if r < 0.22:
            proj = rng.choice(self.active_projects)
            repo = f"{proj.org}/{proj.name}"
            # issue numbers grow through the year; recent ones are visited most
            top = 40 + 6 * max(1, d - proj.first_day)
            num = max(1, top - int(rng.expovariate(1 / 25)))
            trng = _stable_rng(self.seed, repo, num)
            what = f"{rng.choice(VERBS).capitalize()} {_phrase(trng, 2, 5)}"
            if rng.random() < 0.5:
                title = f"{what} by {rng.choice(PEOPLE).lower()} · Pull Request #{num} · {repo}"
                url = f"https://github.com/{repo}/pull/{num}" + rng.choice(["", "/files", "/commits"])
            else:
                title = f"{what} · Issue #{num} · {repo}"
                url = f"https://github.com/{repo}/issues/{num}"
        elif r < 0.32:
            qid = 70_000_000 + d * 9_000 + rng.randrange(9_000_000)
            qrng = _stable_rng("so", qid)
            lang = qrng.choice(["python", "sqlite", "javascript", "rust", "postgresql", "bash"])
            q = f"How to {rng.choice(VERBS)} {_phrase(qrng, 2, 5)} in {lang}?"
            title = f"{lang} - {q} - Stack Overflow"
            url = f"https://stackoverflow.com/questions/{qid}/{_slug(q)}"
        elif r < 0.42:
            mod = rng.choice(PY_MODULES)
            title = f"{mod} — {_phrase(_stable_rng('doc', mod), 2, 4).capitalize()} — Python 3.12.4 documentation"
            url = f"https://docs.python.org/3/library/{mod}.html"
            if rng.random() < 0.4:
                anchor = rng.choice(WORDS)
                url += f"#{mod}.{anchor}"
        elif r < 0.50:
            key = rng.choice(["HW", "OPS", "WEB"])
            num = 100 + d * 4 + rng.randrange(60)
            title = f"[{key}-{num}] {_phrase(_stable_rng('jira', key, num), 3, 6).capitalize()} - Jira"
            url = f"https://acme.atlassian.net/browse/{key}-{num}"
        elif r < 0.55:
            panel = rng.choice(["API latency", "Ingest", "Postgres", "Heartbeats", "Errors"])
            title = f"{panel} - Dashboards - Grafana"
            url = f"https://grafana.acme.example/d/{_slug(panel)}?orgId=1&from=now-{rng.choice(['1h', '6h', '24h'])}"
        elif r < 0.70:
            site = rng.choice(SITES_NEWS)
            aid = d * 1000 + rng.randrange(120)
            headline = _phrase(_stable_rng("news", site, aid), 4, 9).capitalize()
            if site == "Hacker News" and rng.random() < 0.5:
                title, url = "Hacker News", "https://news.ycombinator.com/news"
            else:
                title = f"{headline} | {site}"
                url = f"https://{_slug(site).replace('-', '')}.example/{d}/{aid}/{_slug(headline)}"
        elif r < 0.82:
            vid = f"{d:03d}{rng.randrange(400):03d}"
            title = f"{_phrase(_stable_rng('yt', vid), 3, 8).title()} - YouTube"
            url = f"https://www.youtube.com/watch?v=v{vid}"
        elif r < 0.92:
            topic = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)}"
            title = f"{topic} - Wikipedia"
            url = f"https://en.wikipedia.org/wiki/{topic.replace(' ', '_')}"
        else:
            q = _phrase(rng, 2, 5)
            title = f"{q} - Google Search"
            url = "https://www.google.com/search?q=" + q.replace(" ", "+")
        return {"url": url, "title": title}

    def _pick(self, kind: str, leisure: bool) -> tuple[str, str, dict[str, Any] | None]:
        """An item of the day's working set for ``kind`` (Zipf-like), sometimes a new one."""
        pool = self._pools.setdefault(kind, [])
        fresh = {"browser": 0.14, "mail": 0.18, "terminal": 0.08, "editor": 0.08}.get(kind, 0.04)
        if not pool or self.rng.random() < fresh:
            item = self._new_item(kind, leisure)
            pool.insert(0, item)
            del pool[60:]
            return item
        # most-recently-used first, heavy head
        i = min(len(pool) - 1, int(self.rng.expovariate(1 / 2.5)))
        item = pool.pop(i)
        pool.insert(0, item)
        return item

    # -- the timeline ----------------------------------------------------------------

    def _sessions(self) -> list[tuple[float, float, bool]]:
        """Awake stretches of the machine: (start, end, leisure) in local seconds of day."""
        rng = self.rng
        weekday = self.date.weekday() < 5
        out: list[tuple[float, float, bool]] = []
        if weekday:
            start = rng.gauss(8.6, 0.5) * 3600
            lunch = rng.gauss(12.4, 0.3) * 3600
            back = lunch + rng.uniform(30, 65) * 60
            end = rng.gauss(17.6, 0.6) * 3600
            out += [(start, lunch, False), (back, max(back + 3600, end), False)]
            if rng.random() < 0.4:
                ev = rng.uniform(19.5, 21.5) * 3600
                out.append((ev, ev + rng.uniform(20, 100) * 60, True))
        elif rng.random() < 0.55:
            st = rng.uniform(10, 20) * 3600
            out.append((st, st + rng.uniform(20, 150) * 60, True))
        return out

    def build(self) -> None:
        rng = self.rng
        sessions = self._sessions()
        if not sessions:
            return
        # working days target 2,500-4,000 window events: pick the day's median event length
        work_seconds = sum(e - s for s, e, leisure in sessions if not leisure)
        target = rng.uniform(2600, 3900) if work_seconds else 0
        sigma = 1.15
        median = (work_seconds / target / math.exp(sigma**2 / 2) / 1.4) if target else 6.0
        last: tuple[str, str, dict[str, Any] | None] | None = None
        for n, (s_start, s_end, leisure) in enumerate(sessions):
            t = s_start
            not_afk_from = t
            while t < s_end:
                # a focused block of one activity
                weights = [(a, (lw if leisure else ww)) for a, ww, lw in ACTIVITIES]
                activity = rng.choices([a for a, _ in weights], [w for _, w in weights])[0]
                block_end = min(s_end, t + rng.uniform(10, 70) * 60)
                mix = MIX[activity]
                kinds, kw = list(mix), list(mix.values())
                while t < block_end:
                    # occasional AFK: coffee, a colleague, reading away from the keyboard
                    if last is not None and rng.random() < 0.0035:
                        gap = rng.uniform(3, 15) * 60
                        gap = min(gap, max(0.0, s_end - t - 60))
                        if gap >= 180:
                            self._afk_pair(not_afk_from, t, t + gap)
                            self._extend_last(gap)
                            t += gap
                            not_afk_from = t
                            continue
                    kind = rng.choices(kinds, kw)[0]
                    item = self._pick(kind, leisure)
                    if item == last and kind not in ("zoom",):
                        continue
                    dur = rng.lognormvariate(math.log(median * STICKINESS.get(kind, 1.0)), sigma)
                    if rng.random() < 0.04:
                        dur = 0.0  # passed through while alt-tabbing
                    dur = min(dur, block_end - t, 1800.0)
                    self._emit(t, dur, item)
                    last = item
                    # the window watcher polls once a second: small gaps appear between events
                    t += dur + (rng.choice((0.0, 0.0, 0.0, rng.uniform(0.05, 1.0))))
            # the session ends: the machine sleeps (no events) or the user walked off first
            self.afk.append(_event(not_afk_from, t - not_afk_from, {"status": "not-afk"}))
            if n < len(sessions) - 1 or rng.random() < 0.5:
                # away for a while before the machine suspends: the window stays focused
                gap = rng.uniform(4, 25) * 60
                self._afk_pair(None, t, t + gap)
                self._extend_last(gap)

    def _afk_pair(self, not_afk_from: float | None, afk_from: float, afk_to: float) -> None:
        if not_afk_from is not None and afk_from > not_afk_from:
            self.afk.append(_event(not_afk_from, afk_from - not_afk_from, {"status": "not-afk"}))
        self.afk.append(_event(afk_from, afk_to - afk_from, {"status": "afk"}))

    def _extend_last(self, seconds: float) -> None:
        """The focused window stays focused while the user is away: one long event."""
        if self.window:
            self.window[-1]["duration"] += seconds
            if self.window[-1]["data"]["app"] == "firefox" and self.web:
                self.web[-1]["duration"] += seconds

    def _emit(self, t: float, dur: float, item: tuple[str, str, dict[str, Any] | None]) -> None:
        app, title, page = item
        rng = self.rng
        if app == "Code" and rng.random() < 0.3:
            title = "● " + title  # unsaved changes
        self.window.append(_event(t, dur, {"app": app, "title": title}))
        if page is not None:
            self.tab_count = max(1, min(80, self.tab_count + rng.choice((-1, 0, 0, 0, 1, 1))))
            lag = min(dur, rng.uniform(0.0, 0.6))
            url = page["url"]
            self.web.append(_event(t + lag, dur - lag, {
                "url": url,
                "title": page["title"],
                "audible": "youtube.com" in url and rng.random() < 0.8,
                "incognito": rng.random() < 0.01,
                "tabCount": self.tab_count,
            }))

    def events(self) -> dict[str, list[Event]]:
        """Local seconds → ISO-8601 UTC timestamps, per bucket."""
        midnight = datetime(self.date.year, self.date.month, self.date.day, tzinfo=LOCAL_TZ)
        base = midnight.timestamp()
        out = {}
        for bucket, events in ((window_bucket(self.host), self.window),
                               (afk_bucket(self.host), self.afk),
                               (web_bucket(self.host), self.web)):
            for ev in events:
                # round both ends to the millisecond, so adjacent events never overlap
                start_ms = round((base + ev["timestamp"]) * 1000)
                end_ms = round((base + ev["timestamp"] + ev["duration"]) * 1000)
                ev["timestamp"] = _iso_ms(start_ms)
                ev["duration"] = (end_ms - start_ms) / 1000
            out[bucket] = events
        return out


def _event(t: float, duration: float, data: dict[str, Any]) -> Event:
    """An event in local seconds of the day; ``events()`` turns it into wire form."""
    return {"timestamp": t, "duration": max(0.0, duration), "data": data}


def _iso_ms(ms: int) -> str:
    dt = datetime.fromtimestamp(ms // 1000, UTC).replace(microsecond=(ms % 1000) * 1000)
    return dt.isoformat()


def _iso(epoch: float) -> str:
    return _iso_ms(round(epoch * 1000))


# -- public API -----------------------------------------------------------------------


def window_bucket(host: str = DEFAULT_HOST) -> str:
    return f"aw-watcher-window_{host}"


def afk_bucket(host: str = DEFAULT_HOST) -> str:
    return f"aw-watcher-afk_{host}"


def web_bucket(host: str = DEFAULT_HOST) -> str:
    return f"aw-watcher-web-firefox_{host}"


def bucket_metadata(host: str = DEFAULT_HOST, created: str = "2025-01-01T00:00:00+00:00") -> dict[str, dict[str, Any]]:
    """The three buckets as ``POST /api/0/buckets/<id>`` and exports describe them."""
    return {
        window_bucket(host): {"id": window_bucket(host), "name": None, "type": "currentwindow",
                              "client": "aw-watcher-window", "hostname": host, "created": created},
        afk_bucket(host): {"id": afk_bucket(host), "name": None, "type": "afkstatus",
                           "client": "aw-watcher-afk", "hostname": host, "created": created},
        web_bucket(host): {"id": web_bucket(host), "name": None, "type": "web.tab.current",
                           "client": "aw-client-web", "hostname": "unknown", "created": created},
    }


def generate_day(seed: int, index: int, start_date: date = DEFAULT_START,
                 host: str = DEFAULT_HOST, projects: list[Project] | None = None) -> dict[str, list[Event]]:
    """Day ``index`` (0 = ``start_date``) of the year for ``seed``: events per bucket."""
    day = start_date + timedelta(days=index)
    if projects is None:
        projects = projects_for(seed, index + 1)
    if _on_holiday(seed, index, start_date):
        return {b: [] for b in bucket_metadata(host)}
    gen = Day(seed, index, day, host, projects)
    gen.build()
    return gen.events()


def _on_holiday(seed: int, index: int, start_date: date) -> bool:
    """Three holidays a year (a week or two each), at seeded places in each 365-day span."""
    year, offset = divmod(index, 365)
    rng = _stable_rng(seed, "holidays", year)
    for _ in range(3):
        first = rng.randrange(20, 340)
        if first <= offset < first + rng.choice((7, 9, 14)):
            return True
    return False


def generate_year(seed: int = DEFAULT_SEED, days: int = 365, start_date: date = DEFAULT_START,
                  host: str = DEFAULT_HOST) -> Iterator[tuple[date, dict[str, list[Event]]]]:
    """``(date, {bucket_id: [event, ...]})`` for each day, oldest first, events in order."""
    projects = projects_for(seed, days)
    for i in range(days):
        yield start_date + timedelta(days=i), generate_day(seed, i, start_date, host, projects)


def export_document(seed: int = DEFAULT_SEED, days: int = 365, start_date: date = DEFAULT_START,
                    host: str = DEFAULT_HOST) -> dict[str, Any]:
    """The whole period in ActivityWatch's export format (``{"buckets": {...}}``)."""
    meta = bucket_metadata(host, _iso(datetime(start_date.year, start_date.month, start_date.day,
                                               tzinfo=UTC).timestamp()))
    buckets = {bid: {**m, "data": {}, "events": []} for bid, m in meta.items()}
    for _, per_bucket in generate_year(seed, days, start_date, host):
        for bid, events in per_bucket.items():
            buckets[bid]["events"].extend(events)
    return {"buckets": buckets}


def describe(seed: int = DEFAULT_SEED, days: int = 365, start_date: date = DEFAULT_START,
             host: str = DEFAULT_HOST) -> dict[str, Any]:
    """Statistics of a generated period (events per bucket and day, distinct pairs...)."""
    per_bucket: dict[str, int] = {}
    per_day: list[int] = []
    pairs: set[tuple[str, str]] = set()
    apps: dict[str, int] = {}
    urls: set[str] = set()
    win = window_bucket(host)
    for _, per in generate_year(seed, days, start_date, host):
        for bid, events in per.items():
            per_bucket[bid] = per_bucket.get(bid, 0) + len(events)
        per_day.append(len(per[win]))
        for ev in per[win]:
            pairs.add((ev["data"]["app"], ev["data"]["title"]))
            apps[ev["data"]["app"]] = apps.get(ev["data"]["app"], 0) + 1
        urls.update(ev["data"]["url"] for ev in per[web_bucket(host)])
    working = sorted(n for n in per_day if n >= 1000)
    return {
        "days": days,
        "events_per_bucket": per_bucket,
        "events_total": sum(per_bucket.values()),
        "days_with_events": sum(1 for n in per_day if n),
        "window_events_per_working_day": {
            "min": working[0] if working else 0,
            "median": working[len(working) // 2] if working else 0,
            "max": working[-1] if working else 0,
        },
        "distinct_app_title_pairs": len(pairs),
        "distinct_urls": len(urls),
        "window_events_by_app": dict(sorted(apps.items(), key=lambda kv: -kv[1])),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START,
                        help="first day, YYYY-MM-DD (default %(default)s)")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("-o", "--output", help="write the export JSON here (default: stdout)")
    parser.add_argument("--stats", action="store_true", help="print statistics instead")
    args = parser.parse_args(argv)
    if args.stats:
        json.dump(describe(args.seed, args.days, args.start, args.host), sys.stdout, indent=2)
        print()
        return 0
    doc = export_document(args.seed, args.days, args.start, args.host)
    if args.output:
        with open(args.output, "w") as fh:
            json.dump(doc, fh, separators=(",", ":"))
    else:
        json.dump(doc, sys.stdout, separators=(",", ":"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
