from datetime import date
from zoneinfo import ZoneInfo

import pytest

from hourwise.analytics.storage import daily_summary_feed
from hourwise.analytics.summary import format_duration, pulse, summary_keys
from hourwise.categorize import CategoryConfig, Classifier, Rule
from tests.unit.analytics.conftest import us

H = 3_600_000_000


@pytest.mark.parametrize(("secs", "text"), [
    (0, "no time"), (3, "3s"), (30, "30s"), (59, "59s"), (60, "1m 0s"), (874, "14m 34s"),
    (3599, "59m 59s"), (3600, "1h 0m"), (9144, "2h 32m"), (9179, "2h 32m"), (7200, "2h 0m"),
])
def test_format_duration(secs, text):
    assert format_duration(secs) == text


def test_pulse_anchors_and_the_recorded_day():
    assert pulse({-2: H}) == 0
    assert pulse({-1: H}) == 25
    assert pulse({0: H}) == 50
    assert pulse({1: H}) == 75
    assert pulse({2: H}) == 100
    assert pulse({-2: H, 2: H}) == 50
    # RescueTime's 2022-12-31 record: 95.6 % vp, 1.5 % p, 2.5 % n, 0 % d, 0.3 % vd -> 98
    assert pulse({2: 956, 1: 15, 0: 25, -1: 0, -2: 3}) == 98
    assert pulse({}) == 0


LA = ZoneInfo("America/Los_Angeles")


def test_feed_fields_rounding_point_in_time(store, data, index):
    # 2022-12-31 in Los Angeles (UTC-8): code 2 h 32 m 24 s (9144 s), Spotify 874 s,
    # an unknown tool 30 s. Total 10048 s.
    t = us(2022, 12, 31, 18)  # 10:00 local
    data.window([(t, 9144, "code", "x"), (t + 9144_000_000, 874, "Spotify", "song"),
                 (t + 10018_000_000, 30, "mystery", "y")])
    data.window([(us(2023, 1, 1, 18), 60, "code", "today")])  # "today": excluded
    now_day = date(2023, 1, 1)
    feed = daily_summary_feed(store, index, Classifier(), 1, LA, now_day)
    assert len(feed) == 1
    s = feed[0]
    assert list(s) == list(summary_keys()) and len(s) == 59
    assert s["id"] == 1672473600 and s["date"] == "2022-12-31"
    # pulse = (4*9144 + 0*874 + 2*30) / (4*10048) * 100 = 91.15.. -> 91
    assert s["productivity_pulse"] == 91
    assert s["very_productive_percentage"] == 91.0  # 9144/10048 = 91.003 %
    assert s["very_distracting_percentage"] == 8.7  # 874/10048 = 8.698 %
    assert s["neutral_percentage"] == 0.3 and s["uncategorized_percentage"] == 0.3
    assert s["all_productive_percentage"] == 91.0 and s["productive_percentage"] == 0.0
    assert s["total_hours"] == 2.79  # 10048 s = 2.7911 h
    assert s["software_development_hours"] == 2.54 and s["entertainment_hours"] == 0.24
    assert s["total_duration_formatted"] == "2h 47m"
    assert s["software_development_duration_formatted"] == "2h 32m"
    assert s["entertainment_duration_formatted"] == "14m 34s"
    assert s["uncategorized_duration_formatted"] == "30s"
    assert s["business_duration_formatted"] == "no time"
    # rules change later: the stored summary does not
    config = CategoryConfig(rules=[Rule(("Entertainment",), "code")])
    again = daily_summary_feed(store, index, Classifier(config), 1, LA, now_day)
    assert again == feed
    # ... but a day not yet summarised uses the rules of its time
    later = daily_summary_feed(store, index, Classifier(config), 1, LA, date(2023, 1, 2))
    assert [d["date"] for d in later] == ["2023-01-01", "2022-12-31"]
    assert later[0]["entertainment_hours"] == 0.02 and later[1] == feed[0]
    # fourteen days back at most
    assert daily_summary_feed(store, index, Classifier(), 1, LA, date(2023, 1, 15)) == [later[0]]
