"""``POST /api/0/query/``: run a query2 program once per time period."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, TypeAdapter

from hourwise.api.body import RawBody, json_body_doc, parse_body
from hourwise.api.deps import PrincipalDep, ServicesDep
from hourwise.api.responses import JSONResponse
from hourwise.query.values import dumps

router = APIRouter()


class QueryIn(BaseModel):
    timeperiods: list[str] = Field(
        description='Periods as "start/end" ISO 8601 text; the program runs once per period'
    )
    query: list[str] = Field(description="Program statements, each ending with ';'")


QUERY_IN = TypeAdapter(QueryIn)


class QueryResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else dumps(content)


@router.post(
    "/query",
    response_class=QueryResponse,
    openapi_extra=json_body_doc(QUERY_IN, description="A query2 program and its time periods"),
)
def post_query(
    body: RawBody,
    services: ServicesDep,
    _: PrincipalDep,
    name: Annotated[str, Query(description="Bound to the NAME variable")] = "",
    cache: Annotated[str | None, Query(description="Accepted and ignored, as ActivityWatch does")] = None,
) -> QueryResponse:
    """Evaluate the program for each period; the answer holds one RETURN value per period.

    Errors are 400 ``{"type", "message"}`` (parse, interpretation or function errors)
    and 422 when the query runs past the server's time or size limit.
    """
    request = parse_body(body, QUERY_IN)
    return QueryResponse(services.queries.run_json(request.query, request.timeperiods, name))
