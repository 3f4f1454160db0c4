"""Who a RescueTime request is, as the routes need it: the principal's store view, their
activity index, time zone, start of week and category rules.

``/anapi/...`` takes an API key (``?key=``); ``/api/oauth/...`` takes an OAuth2 access
token holding the endpoint's scope. Anything else gets RescueTime's "key not found".
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request

from hourwise.analytics.cellstore import CellStore
from hourwise.analytics.index import ActivityIndex
from hourwise.analytics.periods import week_start_index
from hourwise.api.rescuetime.routes import AnalyticsContext
from hourwise.auth.principal import Principal
from hourwise.categorize.classes import from_classes
from hourwise.categorize.classifier import classifier_for
from hourwise.services import Services

log = logging.getLogger(__name__)

TIMEZONE_SETTING = "hourwise_timezone"  # an IANA name, e.g. "Europe/Berlin"
OVERRIDES_SETTING = "hourwise_activity_overrides"


def server_zone() -> tzinfo:
    """This machine's time zone: $TZ, else /etc/localtime's zone name, else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        link = Path("/etc/localtime").resolve()
        candidates.append("/".join(link.parts[link.parts.index("zoneinfo") + 1:]))
    except (OSError, ValueError):
        pass
    for name in candidates:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


class RescueTimeContexts:
    def __init__(self, services: Services):
        self.services = services
        self.default_zone = server_zone()
        self._indexes: dict[int, ActivityIndex] = {}
        self._lock = threading.Lock()
        # Per-day cells in the database: its write listener follows every user's writes
        # from the start, before any index exists.
        self.cells = CellStore(services.store)
        self.warmed = threading.Thread(target=self._warm, name="hourwise-warm", daemon=True)
        self.warmed.start()

    def close(self) -> None:
        """At shutdown: persist what is queued and mark the stored cells trustworthy."""
        self.cells.close()

    def _warm(self) -> None:
        """Load the taxonomy and the owner's classifier off the first request's path."""
        try:
            settings = self.services.settings
            classifier_for(from_classes(settings.stored("classes"), settings.get(OVERRIDES_SETTING)))
        except Exception:  # only a warm-up: the first request does it again
            log.debug("warming the classifier failed", exc_info=True)

    def _index(self, user_id: int) -> ActivityIndex:
        # One per user for the server's life: it keeps per-day cells and follows writes.
        with self._lock:
            index = self._indexes.get(user_id)
            if index is None:
                index = self._indexes[user_id] = ActivityIndex(
                    self.services.for_user(user_id).store, persisted=self.cells
                )
            return index

    def _context(self, principal: Principal) -> AnalyticsContext:
        services = self.services.for_user(principal.user_id)
        settings = services.settings
        zone: tzinfo = self.default_zone
        name = settings.get(TIMEZONE_SETTING)
        if isinstance(name, str):
            try:
                zone = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                pass
        start_of_week = settings.get("startOfWeek")  # the ActivityWatch web UI's setting
        try:
            week_start = week_start_index(start_of_week)
        except (ValueError, AttributeError):  # not a weekday: RescueTime's Sunday
            week_start = 6
        return AnalyticsContext(
            store=services.store,
            index=self._index(principal.user_id),
            user_id=principal.user_id,
            tz=zone,
            week_start=week_start,
            categories=from_classes(settings.stored("classes"), settings.get(OVERRIDES_SETTING)),
        )

    def key_context(self, request: Request) -> AnalyticsContext | None:
        """For ``/anapi/...``: an API key that may read time data."""
        principal: Principal = request.scope["state"]["principal"]
        if principal.via != "key" or not principal.allows("time_data"):
            return None
        return self._context(principal)

    def token_context(self, request: Request, scope: str) -> AnalyticsContext | None:
        """For ``/api/oauth/...``: an access token the user granted ``scope``."""
        principal: Principal = request.scope["state"]["principal"]
        if principal.via != "oauth" or not principal.allows(scope):
            return None
        return self._context(principal)
