"""Hand-built days; every expected table is worked out by hand below."""

from datetime import date
from itertools import product
from zoneinfo import ZoneInfo

import pytest

from hourwise.analytics.periods import RESOLUTIONS
from hourwise.analytics.schedules import Schedule, parse_intervals
from hourwise.analytics.tables import KINDS, AnalyticQuery, analytic_table
from hourwise.categorize import CategoryConfig, Classifier, Rule
from tests.unit.analytics.conftest import UTC, us

D = date(2024, 3, 1)  # a Friday
T9 = us(2024, 3, 1, 9)
S = 1_000_000


@pytest.fixture
def day(data):
    """09:00 code 600 s, 09:10 firefox 300 s (extension: github.com/a/b 09:11-09:13),
    09:15 Slack 300 s; AFK from 09:18:20, so Slack counts 200 s.
    Hand-worked: code 600, Slack 200, firefox 300-120 = 180, github.com 120."""
    data.window([(T9, 600, "code", "a.py - proj"),
                 (T9 + 600 * S, 300, "firefox", "GH — Mozilla Firefox"),
                 (T9 + 900 * S, 300, "Slack", "general")])
    data.afk([(T9, 1100, "not-afk"), (T9 + 1100 * S, 100, "afk")])
    data.web([(T9 + 660 * S, 120, "https://www.github.com/a/b?tab=1", "GH")])


def table(index, kind, perspective="rank", resolution="hour", tz=UTC, config=None, **kw):
    q = AnalyticQuery(kw.pop("begin", D), kw.pop("end", D), perspective, resolution, kind, **kw)
    return analytic_table(index, Classifier(config), q, tz, kw.get("week_start", 6))


def test_rank_activity(day, index):
    t = table(index, "activity")
    assert t.row_headers == ["Rank", "Time Spent (seconds)", "Number of People", "Activity",
                             "Category", "Productivity"]
    assert t.rows == [[1, 600, 1, "code", "Editing & IDEs", 2],
                      [2, 200, 1, "Slack", "Instant Message", 1],
                      [3, 180, 1, "firefox", "Browsers", 0],
                      [4, 120, 1, "github.com", "General Software Development", 2]]


def test_rank_overview_category_productivity_efficiency(day, index):
    assert table(index, "overview").rows == [[1, 720, 1, "Software Development"],
                                             [2, 200, 1, "Communication & Scheduling"],
                                             [3, 180, 1, "Utilities"]]
    assert table(index, "category").rows == [[1, 600, 1, "Editing & IDEs"],
                                             [2, 200, 1, "Instant Message"],
                                             [3, 180, 1, "Browsers"],
                                             [4, 120, 1, "General Software Development"]]
    assert table(index, "productivity").rows == [[1, 720, 1, 2], [2, 200, 1, 1], [3, 180, 1, 0]]
    assert table(index, "efficiency").rows == [[1, 720, 1, "Very Productive Time"],
                                               [2, 200, 1, "Productive Time"],
                                               [3, 180, 1, "Neutral Time"]]


def test_interval_minute_rows_are_five_minutes(day, index):
    t = table(index, "productivity", "interval", "minute")
    assert t.row_headers == ["Date", "Time Spent (seconds)", "Number of People", "Productivity"]
    assert t.rows == [["2024-03-01T09:00:00", 300, 1, 2],
                      ["2024-03-01T09:05:00", 300, 1, 2],
                      ["2024-03-01T09:10:00", 180, 1, 0],  # firefox 09:10-11 and 09:13-15
                      ["2024-03-01T09:10:00", 120, 1, 2],
                      ["2024-03-01T09:15:00", 200, 1, 1]]


def test_interval_efficiency_one_row_per_bucket(day, index):
    t = table(index, "efficiency", "interval", "hour")
    # mean = (720*2 + 200*1 + 180*0) / 1100 = 1.4909..; percent = (mean+2)*25 = 87.27..
    assert t.rows == [["2024-03-01T09:00:00", 1100, 1, 1.49, 87.27]]


def test_document_and_thing_filters(day, index):
    t = table(index, "document")
    assert t.row_headers[3:] == ["Activity", "Document", "Category", "Productivity"]
    assert t.rows[3] == [4, 120, 1, "github.com", "a/b", "General Software Development", 2]
    # rk=activity&rt=<app>: the app's documents in the activity layout
    assert table(index, "activity", thing="CODE").rows == [[1, 600, 1, "a.py - proj", "Editing & IDEs", 2]]
    assert table(index, "activity", thing="www.github.com", thingy="a/b").rows == [
        [1, 120, 1, "a/b", "General Software Development", 2]]
    # rk=overview&rt=<top>: that category's activities
    assert table(index, "overview", thing="Software Development").rows == [
        [1, 600, 1, "code", "Editing & IDEs", 2],
        [2, 120, 1, "github.com", "General Software Development", 2]]
    assert table(index, "category", thing="browsers").rows == [[1, 180, 1, "firefox", "Browsers", 0]]


def test_rules_apply_retroactively(day, index):
    config = CategoryConfig(rules=[Rule(("Chat",), "slack", ignore_case=True)], levels={("Chat",): -2})
    assert table(index, "activity", config=config).rows[1] == [2, 200, 1, "Slack", "General Chat", -2]


def test_source_types(data, index):
    data.window([(T9, 100, "Chrome", "x")], key="aw-watcher-android-test", client="aw-android")
    data.events("offline-time", "offline", [(T9, 3600, {"activity_name": "Meeting", "activity_details": "Planning"})])
    data.window([(T9, 50, "code", "x")])  # a desktop without an AFK watcher: all counts
    assert table(index, "activity", source_type="mobile").rows == [[1, 100, 1, "Chrome", "Browsers", 0]]
    assert table(index, "document", source_type="offline").rows == [
        [1, 3600, 1, "Meeting", "Planning", "Uncategorized", 0]]
    assert table(index, "activity", source_type="computers").rows == [[1, 50, 1, "code", "Editing & IDEs", 2]]
    assert [r[1] for r in table(index, "activity").rows] == [3600, 100, 50]


def test_schedule_filter(day, index):
    schedule = Schedule(1, "first five minutes", parse_intervals([{"day": "friday", "start": "09:00", "end": "09:05"}]))
    assert table(index, "activity", schedule=schedule).rows == [[1, 300, 1, "code", "Editing & IDEs", 2]]
    weekend = Schedule(2, "weekend", parse_intervals([{"day": "weekend", "start": "00:00", "end": "24:00"}]))
    assert table(index, "activity", schedule=weekend).rows == []


def test_cache_is_dropped_when_events_change(day, data, index):
    assert table(index, "productivity").rows[0] == [1, 720, 1, 2]
    data.afk([(T9 + 1200 * S, 600, "not-afk")])
    data.window([(T9 + 1200 * S, 60, "code", "b.py")])
    assert table(index, "productivity").rows[0] == [1, 780, 1, 2]


def test_every_kind_perspective_resolution_has_its_shape(day, index):
    for kind, perspective, resolution in product(KINDS, ("rank", "interval"), RESOLUTIONS):
        t = table(index, kind, perspective, resolution)
        assert t.row_headers[0] == ("Rank" if perspective == "rank" else "Date")
        assert t.row_headers[1:3] == ["Time Spent (seconds)", "Number of People"]
        assert t.rows, (kind, perspective, resolution)
        for row in t.rows:
            assert len(row) == len(t.row_headers)
            assert isinstance(row[1], int) and row[2] == 1
        if perspective == "rank":
            assert [r[0] for r in t.rows] == list(range(1, len(t.rows) + 1))
            assert [r[1] for r in t.rows] == sorted((r[1] for r in t.rows), reverse=True)
        else:
            assert [r[0] for r in t.rows] == sorted(r[0] for r in t.rows)
        assert sum(r[1] for r in t.rows) == (1100 if perspective == "rank" or kind == "efficiency"
                                             else sum(r[1] for r in t.rows))


def test_week_and_month_labels(data, index):
    # Wed 2024-01-17 and Sat 2024-01-20; Sunday weeks start 01-14, Monday weeks 01-15
    data.window([(us(2024, 1, 17, 10), 60, "code", "x"), (us(2024, 1, 20, 10), 60, "code", "x")])
    kw = dict(begin=date(2024, 1, 17), end=date(2024, 1, 20))
    assert table(index, "productivity", "interval", "week", **kw).rows == [["2024-01-14T00:00:00", 120, 1, 2]]
    q = AnalyticQuery(date(2024, 1, 17), date(2024, 1, 20), "interval", "week", "productivity")
    assert analytic_table(index, Classifier(), q, UTC, 0).rows == [["2024-01-15T00:00:00", 120, 1, 2]]
    # month labels are not clipped to restrict_begin
    assert table(index, "productivity", "interval", "month", **kw).rows == [["2024-01-01T00:00:00", 120, 1, 2]]


BERLIN = ZoneInfo("Europe/Berlin")


def test_local_days_and_dst_fall_back(data, index):
    # 2024-10-27 in Berlin: 02:00-03:00 happens twice (CEST then CET). 10 min in each.
    first = us(2024, 10, 27, 0, 30)   # 02:30 CEST (UTC+2) = 00:30 UTC
    second = us(2024, 10, 27, 1, 30)  # 02:30 CET  (UTC+1) = 01:30 UTC
    late = us(2024, 10, 27, 22, 30)   # 23:30 CET, still the 27th locally
    after = us(2024, 10, 27, 23, 30)  # 00:30 on the 28th locally
    data.window([(first, 600, "code", "x"), (second, 600, "code", "x"),
                 (late, 60, "code", "x"), (after, 60, "code", "x")])
    d = date(2024, 10, 27)
    t = table(index, "productivity", "interval", "hour", tz=BERLIN, begin=d, end=d)
    assert t.rows == [["2024-10-27T02:00:00", 1200, 1, 2], ["2024-10-27T23:00:00", 60, 1, 2]]
    t = table(index, "productivity", "interval", "day", tz=BERLIN, begin=d, end=date(2024, 10, 28))
    assert t.rows == [["2024-10-27T00:00:00", 1260, 1, 2], ["2024-10-28T00:00:00", 60, 1, 2]]


def test_dst_spring_forward_day_is_23_hours(data, index):
    # 2024-03-31 Berlin: 02:00 jumps to 03:00. Local day = 22:00 UTC 30th .. 22:00 UTC 31st.
    data.window([(us(2024, 3, 30, 23, 30), 60, "code", "x"),    # 23:30 UTC = 00:30 CET on the 31st
                 (us(2024, 3, 31, 1, 0), 60, "code", "x"),      # 01:00 UTC = 03:00 CEST
                 (us(2024, 3, 31, 21, 59), 120, "code", "x")])  # 23:59 CEST, runs 60 s into Apr 1
    d = date(2024, 3, 31)
    t = table(index, "productivity", "interval", "hour", tz=BERLIN, begin=d, end=d)
    assert t.rows == [["2024-03-31T00:00:00", 60, 1, 2], ["2024-03-31T03:00:00", 60, 1, 2],
                      ["2024-03-31T23:00:00", 60, 1, 2]]
    t = table(index, "productivity", "interval", "day", tz=BERLIN, begin=d, end=date(2024, 4, 1))
    assert t.rows == [["2024-03-31T00:00:00", 180, 1, 2], ["2024-04-01T00:00:00", 60, 1, 2]]
