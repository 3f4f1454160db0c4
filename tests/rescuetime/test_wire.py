"""Parameter parsing and the renderers, as units; the handlers on a real store."""

import csv
import io
from datetime import date, datetime, timezone

import orjson
import pytest

from hourwise.analytics.index import ActivityIndex
from hourwise.analytics.storage import create_schedule
from hourwise.analytics.tables import Table
from hourwise.api.rescuetime.params import ParameterError, parse_data_params
from hourwise.api.rescuetime.render import CSV_TYPE, JSON_TYPE, NOTES, table_csv, table_json
from hourwise.api.rescuetime.routes import AnalyticsContext, analytic_data, daily_summary
from tests.unit.analytics.conftest import UTC, Data, store, us  # noqa: F401  (fixture)

TODAY = date(2024, 3, 5)


@pytest.mark.parametrize("spellings", [
    {"perspective": "interval", "resolution_time": "day", "restrict_kind": "overview",
     "restrict_begin": "2024-03-01", "restrict_end": "2024-03-02", "restrict_thing": "X",
     "restrict_thingy": "Y", "restrict_schedule_id": "3"},
    {"pv": "interval", "rs": "day", "rk": "overview", "rb": "2024-03-01", "re": "2024-03-02",
     "rt": "X", "ry": "Y", "rsi": "3"},
    {"by": "INTERVAL", "interval": "Day", "taxonomy": "overview", "rb": "2024-03-01",
     "re": "2024-03-02", "taxon": "X", "sub_taxon": "Y", "schedule_id": "3"},
    {"by": "interval", "i": "day", "ty": "overview", "rb": "2024-03-01", "re": "2024-03-02",
     "tx": "X", "tn": "Y", "s": "3"},
])
def test_every_spelling(spellings):
    r = parse_data_params(spellings, TODAY)
    q = r.query
    assert (q.perspective, q.resolution, q.kind, q.begin, q.end, q.thing, q.thingy) == (
        "interval", "day", "overview", date(2024, 3, 1), date(2024, 3, 2), "X", "Y")
    assert r.schedule_id == 3 and r.format == "json"


def test_precedence_and_defaults():
    r = parse_data_params({"by": "rank", "pv": "interval", "i": "minute", "interval": "week"}, TODAY)
    assert r.query.perspective == "interval" and r.query.resolution == "week"
    q = parse_data_params({}, TODAY).query
    assert (q.perspective, q.resolution, q.kind, q.begin, q.end) == ("rank", "hour", "activity", TODAY, TODAY)
    assert parse_data_params({"rb": "2024-03-01"}, TODAY).query.end == TODAY


@pytest.mark.parametrize("bad", [{"format": "xml"}, {"pv": "sideways"}, {"i": "year"},
                                 {"rk": "people"}, {"rb": "yesterday"}, {"rsi": "one"},
                                 {"restrict_source_type": "tablet"}])
def test_bad_parameters(bad):
    with pytest.raises(ParameterError):
        parse_data_params(bad, TODAY)


TABLE = Table(["Rank", "Time Spent (seconds)", "Number of People", "Activity", "Category", "Productivity"],
              [[1, 3509, 1, "Editing & IDEs, etc", "A \"quoted\" name", 2],
               [2, 70, 1, "github.com", "General Software Development", -2]])


def test_json_envelope():
    assert table_json(TABLE) == orjson.dumps({"notes": NOTES, "row_headers": TABLE.row_headers, "rows": TABLE.rows})
    assert NOTES == "data is an array of arrays (rows), column names for rows in row_headers"


def test_csv_parses_back_to_the_json():
    text = table_csv(TABLE)
    assert text.startswith("Rank,Time Spent (seconds),Number of People,Activity,Category,Productivity\n")
    assert text.endswith("\n") and "\r" not in text
    assert "\n2,70,1,github.com,General Software Development,-2\n" in text  # no needless quotes
    parsed = list(csv.reader(io.StringIO(text)))
    body = orjson.loads(table_json(TABLE))
    assert parsed[0] == body["row_headers"]
    assert parsed[1:] == [[str(v) for v in row] for row in body["rows"]]


@pytest.fixture
def ctx(store):
    d = Data(store)
    t = us(2024, 3, 4, 9)
    d.window([(t, 600, "code", "a, b.py"), (t + 600_000_000, 60, "reddit", "r")])
    return AnalyticsContext(store, ActivityIndex(store), 1, UTC,
                            now=lambda: datetime(2024, 3, 5, 12, tzinfo=timezone.utc))


def test_handlers(ctx):
    r = analytic_data(ctx, {"rb": "2024-03-04", "format": "csv", "rk": "document"})
    assert r.headers["content-type"] == CSV_TYPE
    assert r.body.decode().splitlines()[1] == '1,600,1,code,"a, b.py",Editing & IDEs,2'
    r = analytic_data(ctx, {"rb": "2024-03-04", "taxonomy": "activity"}, restricted="overview_data")
    assert r.headers["content-type"] == JSON_TYPE
    assert orjson.loads(r.body)["rows"] == [[1, 600, 1, "Software Development"], [2, 60, 1, "Uncategorized"]]
    r = analytic_data(ctx, {"rb": "2024-03-04", "rt": "code"}, restricted="productivity_data")
    assert orjson.loads(r.body)["rows"] == [[1, 600, 1, 2], [2, 60, 1, 0]]
    r = analytic_data(ctx, {"format": "csv", "i": "fortnight"})
    assert r.body == b'{"error":"# query error","messages":"Error: Likely a badly formatted or missing parameter"}'
    assert r.status_code == 200 and r.headers["content-type"] == JSON_TYPE
    assert orjson.loads(analytic_data(ctx, {"rsi": "99"}).body)["error"] == "# query error"
    sched = create_schedule(ctx.store, 1, "morning", [{"day": "monday", "start": "09:00", "end": "09:05"}])
    r = analytic_data(ctx, {"rb": "2024-03-04", "rsi": str(sched.id), "rk": "productivity"})
    assert orjson.loads(r.body)["rows"] == [[1, 300, 1, 2]]
    feed = orjson.loads(daily_summary(ctx).body)
    assert [d["date"] for d in feed] == ["2024-03-04"] and feed[0]["total_hours"] == 0.18
