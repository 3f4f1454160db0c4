"""The ActivityWatch web UI's canned queries (aw-webui ``src/queries.ts``), rebuilt in
Python so tests send byte-for-byte the programs the web UI sends."""

from __future__ import annotations

import json
import re

BROWSER_APPNAMES = {
    "chrome": ["com.google.Chrome", "com.google.ChromeDev", "org.chromium.Chromium",
               "company.thebrowser.dia"],
    "firefox": ["org.mozilla.firefox", "io.gitlab.librewolf-community", "net.waterfox.waterfox"],
}
BROWSER_APPNAME_REGEX = {
    "chrome": "(?i)^(google[-_ ]?chrome|chrome|chromium|arc(\\.exe)?$|dia(\\.exe)?$)",
    "firefox": "(?i)(firefox|librewolf|waterfox|nightly)",
}

# A trimmed copy of the web UI's default categories (as the web UI sends them).
DEFAULT_CATEGORIES = [
    [["Work"], {"type": "regex", "regex": "Google Docs|libreoffice|ReText"}],
    [["Work", "Programming"], {"type": "regex",
                               "regex": "GitHub|Stack Overflow|BitBucket|Gitlab|vim|Spyder|kate|Ghidra|Scite|code|jetbrains"}],
    [["Work", "Programming", "ActivityWatch"], {"type": "regex", "regex": "ActivityWatch|aw-",
                                                "ignore_case": True}],
    [["Work", "Image"], {"type": "regex", "regex": "GIMP|Inkscape"}],
    [["Media", "Games"], {"type": "regex", "regex": "Minecraft|RimWorld"}],
    [["Media", "Video"], {"type": "regex", "regex": "YouTube|Plex|VLC"}],
    [["Media", "Social Media"], {"type": "regex",
                                 "regex": "reddit|Facebook|Twitter|Instagram|devRant",
                                 "ignore_case": True}],
    [["Media", "Music"], {"type": "regex", "regex": "Spotify|Deezer", "ignore_case": True}],
    [["Comms", "IM"], {"type": "regex",
                       "regex": "Messenger|Telegram|Signal|WhatsApp|Rambox|Slack|Riot|Element|Discord|Nheko|NeoChat|Mattermost"}],
    [["Comms", "Email"], {"type": "regex", "regex": "Gmail|Thunderbird|mutt|alpine"}],
    [["Comms", "Meeting"], {"type": "regex", "regex": "(?i)zoom|meet\\.|\\bteams\\b"}],
    [["Work", "Notes"], {"type": "regex", "regex": "obsidian|notes", "select_keys": ["app"],
                         "ignore_case": True}],
]


def querystr_to_array(text: str) -> list[str]:
    """Split on ';' outside double-quoted strings and re-terminate each statement."""
    statements, current, in_string, escaped = [], "", False, False
    for char in text:
        if escaped:
            current, escaped = current + char, False
        elif char == "\\" and in_string:
            current, escaped = current + char, True
        elif char == '"':
            in_string, current = not in_string, current + char
        elif char == ";" and not in_string:
            if current.strip():
                statements.append(current.strip() + ";")
            current = ""
        else:
            current += char
    if current.strip():
        statements.append(current.strip() + ";")
    return statements


def safe_hostname(host: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_]", "", host)


def _query_bucket(bid: str) -> str:
    return f'query_bucket(find_bucket("{bid}"))' if bid.endswith("_") else f'query_bucket("{bid}")'


def _browser_events(bid_browsers: list[str]) -> str:
    code = "browser_events = [];"
    for name in BROWSER_APPNAMES:
        bucket = next((b for b in bid_browsers if name in b), None)
        if bucket is None:
            continue
        code += (f'events_{name} = flood(query_bucket("{bucket}"));'
                 f' window_{name} = filter_keyvals(events, "app", {json.dumps(BROWSER_APPNAMES[name])});'
                 f' window_{name}_re = filter_keyvals_regex(events, "app", {json.dumps(BROWSER_APPNAME_REGEX[name])});'
                 f' window_{name} = sort_by_timestamp(concat(window_{name}, window_{name}_re));'
                 f' events_{name} = filter_period_intersect(events_{name}, window_{name});'
                 f' events_{name} = split_url_events(events_{name});'
                 f' browser_events = concat(browser_events, events_{name});'
                 f' browser_events = sort_by_timestamp(browser_events);')
    return code


def canonical_events(*, bid_window: str, bid_afk: str | None = None, bid_browsers=None,
                     bid_stopwatch: str | None = None, filter_afk: bool = True,
                     categories=None, filter_categories=None, include_audible: bool = False,
                     always_active_pattern: str | None = None, suffix: str | None = None) -> str:
    categories_str = json.dumps(categories).replace("\\\\", "\\") if categories else ""
    parts = [f"events = flood({_query_bucket(bid_window)});"]
    if bid_afk is not None:
        parts.append(f"not_afk = flood({_query_bucket(bid_afk)});"
                     ' not_afk = filter_keyvals(not_afk, "status", ["not-afk"]);')
        if always_active_pattern:
            parts.append(
                f'not_treat_as_afk = filter_keyvals_regex(events, "app", "{always_active_pattern}");'
                " not_afk = period_union(not_afk, not_treat_as_afk);"
                f' not_treat_as_afk = filter_keyvals_regex(events, "title", "{always_active_pattern}");'
                " not_afk = period_union(not_afk, not_treat_as_afk);")
        if bid_browsers is not None:
            parts.append(_browser_events(bid_browsers))
            if include_audible:
                parts.append('audible_events = filter_keyvals(browser_events, "audible", [true]);'
                             " not_afk = period_union(not_afk, audible_events);")
        if filter_afk:
            parts.append("events = filter_period_intersect(events, not_afk);")
    if bid_stopwatch:
        parts.append(f'stopwatch_events = query_bucket("{bid_stopwatch}");'
                     " events = union_no_overlap(stopwatch_events, events);")
    else:
        parts.append("stopwatch_events = [];")
    if categories:
        parts.append(f"events = categorize(events, {categories_str});")
    if filter_categories:
        parts.append(f'events = filter_keyvals(events, "$category", {json.dumps(filter_categories)});')
    if suffix:
        parts.append(f"events_{suffix} = events; not_afk_{suffix} = not_afk;")
    return "\n".join(parts)


WINDOW_STATS = """
    title_events = sort_by_duration(merge_events_by_keys(events, ["app", "title"]));
    app_events   = sort_by_duration(merge_events_by_keys(title_events, ["app"]));
    cat_events   = sort_by_duration(merge_events_by_keys(events, ["$category"]));
    app_events  = limit_events(app_events, 100);
    title_events  = limit_events(title_events, 100);
    duration = sum_durations(events);
"""


def full_desktop_query(**params) -> list[str]:
    return querystr_to_array(canonical_events(**params) + WINDOW_STATS + """
    browser_events = split_url_events(browser_events);
    browser_urls = merge_events_by_keys(browser_events, ["url"]);
    browser_urls = sort_by_duration(browser_urls);
    browser_urls = limit_events(browser_urls, 100);
    browser_domains = merge_events_by_keys(browser_events, ["$domain"]);
    browser_domains = sort_by_duration(browser_domains);
    browser_domains = limit_events(browser_domains, 100);
    browser_titles = merge_events_by_keys(browser_events, ["title"]);
    browser_titles = sort_by_duration(browser_titles);
    browser_titles = limit_events(browser_titles, 100);
    browser_duration = sum_durations(browser_events);
    stopwatch_events = merge_events_by_keys(stopwatch_events, ["label"]);
    stopwatch_events = sort_by_duration(stopwatch_events);
    stopwatch_events = limit_events(stopwatch_events, 100);
    RETURN = {
        "window": {"app_events": app_events, "title_events": title_events,
                   "cat_events": cat_events, "active_events": not_afk, "duration": duration},
        "browser": {"domains": browser_domains, "urls": browser_urls, "titles": browser_titles,
                    "duration": browser_duration},
        "stopwatch": {"stopwatch_events": stopwatch_events}
    };""")


def multidevice_events(hosts: list[str], **params) -> str:
    parts = [canonical_events(bid_window=f"aw-watcher-window_{h}", bid_afk=f"aw-watcher-afk_{h}",
                              bid_browsers=[], suffix=safe_hostname(h), **params) for h in hosts]
    query = "\n".join(parts) + "events = [];not_afk = [];"
    for host in hosts:
        name = safe_hostname(host)
        query += (f"\n events = union_no_overlap(events, events_{name});"
                  f"\n not_afk = union_no_overlap(not_afk, not_afk_{name});\n")
    return query


def multidevice_query(hosts: list[str], **params) -> list[str]:
    return querystr_to_array(multidevice_events(hosts, **params) + WINDOW_STATS + """
    RETURN = {"window": {"app_events": app_events, "title_events": title_events,
              "cat_events": cat_events, "active_events": not_afk, "duration": duration}};""")


def category_query(**params) -> list[str]:
    return querystr_to_array(canonical_events(**params) + """
    cat_events = sort_by_duration(merge_events_by_keys(events, ["$category"]));
    RETURN = {"cat_events": cat_events};""")


def activity_query(afk_buckets: list[str]) -> list[str]:
    q = ["not_afk = [];"]
    for bucket in afk_buckets:
        q += [f'not_afk_curr = query_bucket("{bucket}");',
              'not_afk_curr = filter_keyvals(not_afk_curr, "status", ["not-afk"]);',
              "not_afk = union_no_overlap(not_afk, not_afk_curr);"]
    return q + ['not_afk = merge_events_by_keys(not_afk, ["status"]);', "RETURN = not_afk;"]
