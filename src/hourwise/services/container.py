"""Builds every service around one store: the single place the object graph is wired."""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass

from hourwise import __version__
from hourwise.services.buckets import BucketService
from hourwise.services.heartbeats import BucketLocks, HeartbeatService
from hourwise.services.queries import QueryService
from hourwise.services.settings import SettingsService
from hourwise.services.transfer import TransferService
from hourwise.settings import Settings
from hourwise.store import Store
from hourwise.query.interpreter import Limits


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

    @classmethod
    def build(cls, settings: Settings, store: Store) -> "Services":
        """Wire the services; reads (or creates) the device id stored in the database."""
        device_id = store.set_meta_default("device_id", str(uuid.uuid4()))
        hostname = settings.hostname or socket.gethostname()
        info = ServerInfo(hostname, f"v{__version__} (hourwise)", settings.testing, device_id)
        locks = BucketLocks()
        return cls(
            store=store,
            info=info,
            buckets=BucketService(
                store, locks, testing=settings.testing, hostname=hostname, device_id=device_id
            ),
            heartbeats=HeartbeatService(store, locks),
            settings=SettingsService(store),
            transfer=TransferService(store, locks),
            queries=QueryService(
                store, Limits(settings.query_time_limit, settings.query_max_events), cached=True
            ),
        )
