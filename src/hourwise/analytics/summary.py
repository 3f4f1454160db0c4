"""RescueTime's daily summary: totals per level and top-level category, the pulse.

Percentages have one decimal, hours two; ``productivity_pulse`` is
``(0·vd + 1·d + 2·n + 3·p + 4·vp) / (4·total) · 100`` rounded to an integer; durations
read "2h 32m", "14m 34s", "30s" or "no time".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, tzinfo
from typing import Any

from hourwise.analytics.index import DayCells
from hourwise.analytics.periods import US, local_midnight_us
from hourwise.categorize.classifier import Classifier, Subject
from hourwise.categorize.model import OVERVIEW_CATEGORIES

LEVEL_STEMS = {
    2: "very_productive",
    1: "productive",
    0: "neutral",
    -1: "distracting",
    -2: "very_distracting",
}
# The order of the documentation's field lists.
STEMS = [
    "very_productive", "productive", "neutral", "distracting", "very_distracting",
    "all_productive", "all_distracting", "uncategorized", "business",
    "communication_and_scheduling", "social_networking", "design_and_composition",
    "entertainment", "news", "software_development", "reference_and_learning",
    "shopping", "utilities",
]


def format_duration(secs: int) -> str:
    """RescueTime's duration text: hours and minutes, minutes and seconds, or seconds."""
    if secs <= 0:
        return "no time"
    h, rest = divmod(secs, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h}h {m}m"
    if m:
        return f"{m}m {s}s"
    return f"{s}s"


def pulse(level_us: dict[int, int]) -> int:
    """The productivity pulse, 0..100, from time per level (0 when nothing is logged)."""
    total = sum(level_us.values())
    if not total:
        return 0
    weighted = sum((level + 2) * us for level, us in level_us.items())
    return (weighted * 100 * 2 + 4 * total) // (4 * total * 2)  # round half up, exactly


def _round_half_up(value_num: int, value_den: int, digits: int) -> float:
    """num/den rounded half up to ``digits`` decimals, exactly (no binary float drift)."""
    scale = 10**digits
    scaled = (value_num * scale * 2 + value_den) // (value_den * 2)
    return scaled / scale


def summarise(
    day: date,
    tz: tzinfo,
    subjects: list[tuple[Subject, str]],
    cells: DayCells,
    classifier: Classifier,
) -> dict[str, Any]:
    """One day's summary with every documented field (59 keys)."""
    by_stem: dict[str, int] = dict.fromkeys(STEMS, 0)
    level_us: dict[int, int] = dict.fromkeys(LEVEL_STEMS, 0)
    total = 0
    for sid, us in cells.totals.items():
        c = classifier(subjects[sid][0])
        total += us
        level_us[c.level] += us
        by_stem[LEVEL_STEMS[c.level]] += us
        stem = OVERVIEW_CATEGORIES.get(c.top)
        if stem is not None:
            by_stem[stem] += us
        # a user's own top-level category has no field of its own; it is still in the totals
    by_stem["all_productive"] = level_us[2] + level_us[1]
    by_stem["all_distracting"] = level_us[-1] + level_us[-2]
    out: dict[str, Any] = {
        "id": local_midnight_us(day, tz) // US,
        "date": day.isoformat(),
        "productivity_pulse": pulse(level_us),
    }
    for stem in STEMS:
        out[f"{stem}_percentage"] = _round_half_up(100 * by_stem[stem], total, 1) if total else 0.0
    out["total_hours"] = _round_half_up(total, 3600 * US, 2)
    for stem in STEMS:
        out[f"{stem}_hours"] = _round_half_up(by_stem[stem], 3600 * US, 2)
    out["total_duration_formatted"] = format_duration(total // US)
    for stem in STEMS:
        out[f"{stem}_duration_formatted"] = format_duration(by_stem[stem] // US)
    return out


def summary_keys() -> Iterable[str]:
    """Every field of a daily summary, in the documentation's order."""
    yield from ("id", "date", "productivity_pulse")
    yield from (f"{s}_percentage" for s in STEMS)
    yield "total_hours"
    yield from (f"{s}_hours" for s in STEMS)
    yield "total_duration_formatted"
    yield from (f"{s}_duration_formatted" for s in STEMS)
