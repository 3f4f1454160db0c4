"""Activities from raw buckets: window time that is not AFK, with browser time split
into the sites the browser extension saw.

An activity is an app name, or a site's domain (``www.`` stripped, subdomains and
ports kept) for browser time covered by a browser-extension bucket. The document is
the window title for apps and the URL path for sites. Source types: ``computers``
(window buckets, AFK-filtered by the AFK bucket of the same host), ``mobile`` (phone
app buckets, which have no AFK state) and ``offline`` (offline-time buckets).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from hourwise.categorize.classifier import Subject
from hourwise.categorize.taxonomy import app_key, default_taxonomy
from hourwise.models import Bucket, Event

COMPUTERS, MOBILE, OFFLINE = "computers", "mobile", "offline"
SOURCE_TYPES = (COMPUTERS, MOBILE, OFFLINE)

OFFLINE_TYPES = frozenset({"offline", "offline.time", "hourwise.offline"})
WEB_TYPE_PREFIX = "web.tab"

# Which window apps each browser extension reports for (bucket id aw-watcher-web-<name>).
BROWSER_APPS: dict[str, frozenset[str]] = {
    "firefox": frozenset({"firefox", "firefox-esr", "firefox developer edition",
                          "firefox-developer-edition", "firefox nightly", "firefox-nightly",
                          "org.mozilla.firefox", "navigator", "librewolf", "waterfox",
                          "floorp", "zen", "zen browser", "mullvad browser", "tor browser"}),
    "chrome": frozenset({"google chrome", "google-chrome", "google-chrome-stable",
                         "google-chrome-beta", "chrome", "com.google.chrome", "chromium",
                         "chromium-browser", "org.chromium.chromium", "ungoogled-chromium",
                         "thorium"}),
    "brave": frozenset({"brave", "brave browser", "brave-browser", "com.brave.browser"}),
    "edge": frozenset({"microsoft edge", "microsoft-edge", "microsoft-edge-stable", "msedge", "edge"}),
    "opera": frozenset({"opera", "opera gx"}),
    "vivaldi": frozenset({"vivaldi", "vivaldi-stable"}),
    "safari": frozenset({"safari", "safari technology preview"}),
    "arc": frozenset({"arc"}),
}


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of counted time: [start, end) in UTC microseconds."""

    start: int
    end: int
    subject: Subject
    source: str


def source_type(bucket: Bucket) -> str | None:
    """``computers``/``mobile``/``offline`` for buckets that hold activity, else None."""
    if bucket.type in OFFLINE_TYPES:
        return OFFLINE
    if bucket.type != "currentwindow":
        return None
    ident, client = bucket.id.lower(), (bucket.client or "").lower()
    if "android" in ident or "android" in client or "ios" in client.split("-"):
        return MOBILE
    return COMPUTERS


def browser_of(bucket: Bucket) -> str | None:
    """The browser a web-extension bucket reports for ("firefox"), "" if unknown."""
    if not bucket.type.startswith(WEB_TYPE_PREFIX):
        return None
    ident = bucket.id.lower()
    if ident.startswith("aw-watcher-web-"):
        name = ident[len("aw-watcher-web-"):].partition("_")[0]
        return name if name in BROWSER_APPS else ""
    return ""


def site_of(url: str) -> tuple[str, str]:
    """(domain, path) of a URL: ``www.`` stripped, subdomains and port kept, path
    without its leading slash, query or fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, ""
    host = parts.netloc.rpartition("@")[2].lower()
    if not host:
        if parts.scheme in ("", "file"):
            return (parts.scheme or "file"), parts.path.lstrip("/")
        return f"{parts.scheme}:{parts.path}".rstrip("/"), ""
    if host.startswith("www."):
        host = host[4:]
    return host, parts.path.lstrip("/")


def not_afk_periods(afk_events: Iterable[Event]) -> list[tuple[int, int]]:
    """Merged [start, end) periods in which the AFK watcher saw the user, ascending."""
    spans = sorted((e.start, e.end) for e in afk_events if e.data.get("status") == "not-afk")
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def intersect(
    events: Sequence[Event], periods: list[tuple[int, int]]
) -> list[tuple[int, int, Event]]:
    """The parts of ``events`` inside ``periods`` (sorted, disjoint), as (start, end, event)."""
    ends = [p[1] for p in periods]
    out: list[tuple[int, int, Event]] = []
    for ev in events:
        s0, e0 = ev.start, ev.start + ev.duration
        i = bisect_right(ends, s0)
        while i < len(periods) and periods[i][0] < e0:
            s, e = max(s0, periods[i][0]), min(e0, periods[i][1])
            if e > s:
                out.append((s, e, ev))
            i += 1
    return out


class _Subjects:
    """Builds each distinct subject once per data object (data dicts are shared)."""

    def __init__(self) -> None:
        self._apps: dict[int, Subject] = {}
        self._sites: dict[tuple[int, str], Subject] = {}

    def app(self, data: dict[str, Any], name_keys: tuple[str, ...], title_keys: tuple[str, ...]) -> Subject:
        found = self._apps.get(id(data))
        if found is None:
            app = next((str(data[k]) for k in name_keys if data.get(k)), "unknown")
            title = next((str(data[k]) for k in title_keys if data.get(k)), "")
            found = self._apps[id(data)] = Subject(app, app, title)
        return found

    def site(self, data: dict[str, Any], app: str) -> Subject:
        key = (id(data), app)
        found = self._sites.get(key)
        if found is None:
            url = str(data.get("url") or "")
            domain, path = site_of(url)
            found = self._sites[key] = Subject(
                domain, app, str(data.get("title") or ""), url, True, path
            )
        return found


def build_spans(
    buckets: Sequence[Bucket],
    get_events: Callable[[str], list[Event]],
) -> list[Span]:
    """Every counted span of time in the given buckets (events read with ``get_events``,
    already clipped to the period of interest). Spans are not sorted."""
    by_host_afk: dict[str, list[Bucket]] = {}
    webs: list[tuple[Bucket, str]] = []
    for b in buckets:
        if b.type == "afkstatus":
            by_host_afk.setdefault(b.hostname, []).append(b)
        else:
            browser = browser_of(b)
            if browser is not None:
                webs.append((b, browser))
    known_browsers = default_taxonomy().browsers()
    subjects = _Subjects()
    out: list[Span] = []
    web_events: dict[str, list[Event]] = {}

    web_by_app: dict[tuple[str, str], list[Event]] = {}

    def web_for(app: str, host: str) -> list[Event]:
        """Events of the extension buckets that report for this browser app."""
        found = web_by_app.get((app, host))
        if found is None:
            found = web_by_app[(app, host)] = _web_for(app, host)
        return found

    def _web_for(app: str, host: str) -> list[Event]:
        key = app_key(app)
        wanted = [
            b.id for b, browser in webs
            if (key in BROWSER_APPS[browser] if browser else key in known_browsers)
            and b.hostname in (host, "unknown", "")
        ] or [
            b.id for b, browser in webs
            if (key in BROWSER_APPS[browser] if browser else key in known_browsers)
        ]
        cache_key = "\0".join(wanted)
        if cache_key not in web_events:
            merged: list[Event] = []
            for ident in wanted:
                merged.extend(get_events(ident))
            merged.sort(key=lambda e: e.start)
            web_events[cache_key] = merged
        return web_events[cache_key]

    for b in buckets:
        source = source_type(b)
        if source is None:
            continue
        events = get_events(b.id)
        events.reverse()  # oldest first
        if source == OFFLINE:
            for ev in events:
                subject = subjects.app(ev.data, ("activity_name", "activity", "app"),
                                       ("activity_details", "details", "title"))
                out.append(Span(ev.start, ev.start + ev.duration, subject, OFFLINE))
            continue
        if source == MOBILE:
            pieces = [(ev.start, ev.start + ev.duration, ev) for ev in events]
        else:
            afk = by_host_afk.get(b.hostname)
            if afk:
                periods = not_afk_periods(e for a in afk for e in get_events(a.id))
                pieces = intersect(events, periods)
            else:  # no AFK watcher on this host: all window time counts
                pieces = [(ev.start, ev.start + ev.duration, ev) for ev in events]
        is_browser: dict[str, bool] = {}
        for s, e, ev in pieces:
            subject = subjects.app(ev.data, ("app",), ("title",))
            browser = is_browser.get(subject.app)
            if browser is None:
                browser = is_browser[subject.app] = app_key(subject.app) in known_browsers
            if source == COMPUTERS and webs and browser:
                _split_browser(s, e, subject, web_for(subject.app, b.hostname), subjects, out)
            else:
                out.append(Span(s, e, subject, source))
    return out


def _split_browser(
    s: int, e: int, app: Subject, web: list[Event], subjects: _Subjects, out: list[Span]
) -> None:
    """Browser window time [s, e): the parts the extension covered become sites."""
    # web is sorted by start; find the first event that may overlap s
    lo, hi = 0, len(web)
    while lo < hi:  # first event starting at or after s, then step back over long ones
        mid = (lo + hi) // 2
        if web[mid].start < s:
            lo = mid + 1
        else:
            hi = mid
    i = lo
    while i > 0 and web[i - 1].start + web[i - 1].duration > s:
        i -= 1
        if s - web[i].start > 86_400_000_000:  # no tab event is longer than a day
            break
    cursor = s
    while i < len(web) and web[i].start < e:
        ev = web[i]
        ws, we = max(ev.start, cursor), min(ev.start + ev.duration, e)
        if we > ws:
            if ws > cursor:
                out.append(Span(cursor, ws, app, COMPUTERS))
            out.append(Span(ws, we, subjects.site(ev.data, app.app), COMPUTERS))
            cursor = we
        i += 1
    if cursor < e:
        out.append(Span(cursor, e, app, COMPUTERS))
