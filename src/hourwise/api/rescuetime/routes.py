"""Handlers for the Analytic Data API and the Daily Summary Feed.

They take an already-resolved :class:`AnalyticsContext` (who is asking, their time
zone, week start and categories); the accounts work resolves ``key`` or
``access_token`` (and the OAuth scope) into one and mounts :func:`build_router`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hourwise.analytics.index import ActivityIndex
from hourwise.analytics.storage import daily_summary_feed, get_schedule
from hourwise.analytics.tables import AnalyticQuery, analytic_table
from hourwise.api.rescuetime.params import ParameterError, parse_data_params
from hourwise.api.rescuetime.render import (
    json_response,
    key_not_found,
    query_error,
    table_response,
)
from hourwise.categorize.classifier import classifier_for
from hourwise.categorize.model import CategoryConfig
from hourwise.errors import NotFound
from hourwise.store import Store

# The OAuth restricted reports: which kinds each may answer, and the kind it forces.
RESTRICTED = {
    "overview_data": ("overview", ("overview",)),
    "category_data": ("category", ("category",)),
    "productivity_data": ("productivity", ("productivity", "efficiency")),
}


@dataclass
class AnalyticsContext:
    """Everything a RescueTime request needs once its principal is known."""

    store: Store
    index: ActivityIndex
    user_id: int
    tz: tzinfo
    week_start: int = 6  # 0 Monday .. 6 Sunday (RescueTime's default)
    categories: CategoryConfig = field(default_factory=CategoryConfig)
    now: Callable[[], datetime] = datetime.now


def analytic_data(
    ctx: AnalyticsContext, params: Mapping[str, str], restricted: str | None = None
) -> Response:
    """``/anapi/data`` and ``/api/oauth/{data,overview_data,category_data,productivity_data}``."""
    today = ctx.now().astimezone(ctx.tz).date()
    try:
        request = parse_data_params(params, today)
    except ParameterError:
        return query_error()
    query = request.query
    if restricted is not None:
        forced, allowed = RESTRICTED[restricted]
        kind = query.kind if query.kind in allowed else forced
        # restricted reports never reveal activities or documents
        query = AnalyticQuery(query.begin, query.end, query.perspective, query.resolution,
                              kind, None, None, query.source_type)
    if request.schedule_id is not None:
        try:
            schedule = get_schedule(ctx.store, ctx.user_id, request.schedule_id)
        except NotFound:
            return query_error()
        query = AnalyticQuery(query.begin, query.end, query.perspective, query.resolution,
                              query.kind, query.thing, query.thingy, query.source_type, schedule)
    table = analytic_table(ctx.index, classifier_for(ctx.categories), query, ctx.tz,
                           ctx.week_start)
    return table_response(table, request.format)


def daily_summary(ctx: AnalyticsContext) -> Response:
    """``/anapi/daily_summary_feed``: the previous 14 local days, newest first."""
    today = ctx.now().astimezone(ctx.tz).date()
    feed = daily_summary_feed(ctx.store, ctx.index, classifier_for(ctx.categories),
                              ctx.user_id, ctx.tz, today)
    return json_response(feed)


def build_router(
    key_context: Callable[[Request], AnalyticsContext | None],
    token_context: Callable[[Request, str], AnalyticsContext | None],
) -> APIRouter:
    """The RescueTime routes. ``key_context(request)`` resolves ``?key=``;
    ``token_context(request, scope)`` resolves ``?access_token=`` holding ``scope``.
    Either returns None for an unknown key, token or missing scope."""
    router = APIRouter(include_in_schema=True, tags=["RescueTime"])

    def params_of(request: Request) -> dict[str, str]:
        return dict(request.query_params)

    @router.get("/anapi/data")
    def get_data(request: Request) -> Response:
        ctx = key_context(request)
        return key_not_found() if ctx is None else analytic_data(ctx, params_of(request))

    @router.get("/anapi/daily_summary_feed")
    def get_daily_summary_feed(request: Request) -> Response:
        ctx = key_context(request)
        return key_not_found() if ctx is None else daily_summary(ctx)

    @router.get("/api/oauth/data")
    def get_oauth_data(request: Request) -> Response:
        ctx = token_context(request, "time_data")
        return key_not_found() if ctx is None else analytic_data(ctx, params_of(request))

    def restricted_route(name: str, scope: str) -> None:
        def handler(request: Request) -> Response:
            ctx = token_context(request, scope)
            if ctx is None:
                return key_not_found()
            return analytic_data(ctx, params_of(request), restricted=name)

        router.add_api_route(f"/api/oauth/{name}", handler, methods=["GET"], name=f"get_{name}")

    restricted_route("overview_data", "category_data")
    restricted_route("category_data", "category_data")
    restricted_route("productivity_data", "productivity_data")

    @router.get("/api/oauth/daily_summary_feed")
    def get_oauth_daily_summary_feed(request: Request) -> Response:
        ctx = token_context(request, "time_data")
        return key_not_found() if ctx is None else daily_summary(ctx)

    return router
