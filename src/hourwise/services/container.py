"""Builds every service around one store: the single place the object graph is wired."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from hourwise import __version__
from hourwise.query.interpreter import Limits
from hourwise.services.accounts import AccountService
from hourwise.services.buckets import BucketService
from hourwise.services.heartbeats import BucketLocks, HeartbeatService
from hourwise.services.queries import QueryService
from hourwise.services.settings import SettingsService
from hourwise.services.transfer import TransferService
from hourwise.settings import Settings
from hourwise.store import Store
from hourwise.store.schema import OWNER_ID


@dataclass
class ServerInfo:
    hostname: str
    version: str
    testing: bool
    device_id: str


@dataclass
class Services:
    store: Store
    info: ServerInfo
    buckets: BucketService
    heartbeats: HeartbeatService
    settings: SettingsService
    transfer: TransferService
    queries: QueryService
    accounts: AccountService
    _for_user: Callable[[int], "Services"] = field(repr=False, compare=False)

    def for_user(self, user_id: int) -> "Services":
        """The services as one user sees them: their buckets, settings and caches only."""
        return self._for_user(user_id)

    @classmethod
    def build(cls, settings: Settings, store: Store) -> "Services":
        """Wire the services; reads (or creates) the device id stored in the database.

        Returns the local owner's services; ``for_user`` gives any other user's, built
        once each around a view of the store scoped to that user.
        """
        device_id = store.set_meta_default("device_id", str(uuid.uuid4()))
        hostname = settings.hostname or socket.gethostname()
        info = ServerInfo(hostname, f"v{__version__} (hourwise)", settings.testing, device_id)
        accounts = AccountService(store)
        limits = Limits(settings.query_time_limit, settings.query_max_events)
        built: dict[int, Services] = {}

        def for_user(user_id: int) -> Services:
            services = built.get(user_id)
            if services is None:
                scoped = store.for_user(user_id)
                locks = BucketLocks()
                services = built[user_id] = cls(
                    store=scoped,
                    info=info,
                    buckets=BucketService(
                        scoped, locks, testing=settings.testing, hostname=hostname,
                        device_id=device_id,
                    ),
                    heartbeats=HeartbeatService(scoped, locks),
                    settings=SettingsService(scoped),
                    transfer=TransferService(scoped, locks),
                    queries=QueryService(scoped, limits, cached=True),
                    accounts=accounts,
                    _for_user=for_user,
                )
            return services

        return for_user(OWNER_ID)
