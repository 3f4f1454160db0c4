"""RescueTime's wire shapes: the JSON envelope, CSV, and the error bodies.

Errors are HTTP 200 with a JSON body, even for ``format=csv``: RescueTime's clients
detect them by the body's text.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson
from fastapi.responses import Response

from hourwise.analytics.tables import Table

NOTES = "data is an array of arrays (rows), column names for rows in row_headers"
JSON_TYPE = "application/json; charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"

KEY_NOT_FOUND = b'{"error":"# key not found","messages":"key not found"}'
QUERY_ERROR = (
    b'{"error":"# query error","messages":"Error: Likely a badly formatted or missing parameter"}'
)


def table_json(table: Table) -> bytes:
    return orjson.dumps({"notes": NOTES, "row_headers": table.row_headers, "rows": table.rows})


def table_csv(table: Table) -> str:
    """Header line, then one line per row; ``\\n`` endings, minimal quoting."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(table.row_headers)
    writer.writerows(table.rows)
    return out.getvalue()


def table_response(table: Table, fmt: str) -> Response:
    if fmt == "csv":
        return Response(table_csv(table).encode(), headers={"content-type": CSV_TYPE})
    return Response(table_json(table), headers={"content-type": JSON_TYPE})


def json_response(value: Any) -> Response:
    return Response(orjson.dumps(value), headers={"content-type": JSON_TYPE})


def key_not_found() -> Response:
    return Response(KEY_NOT_FOUND, headers={"content-type": JSON_TYPE})


def query_error() -> Response:
    return Response(QUERY_ERROR, headers={"content-type": JSON_TYPE})
