"""Table definitions (SQLAlchemy Core). Migrations in ``migrations/`` create them.

Times are integer microseconds since the epoch, UTC. Each distinct event data object
is stored once in ``event_data`` (keyed by a hash of its canonical JSON): a desktop
year holds about a million window events but only tens of thousands of distinct
app/title pairs, so this keeps the database small and lets reads decode each
distinct value once.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

# SQLite only treats "INTEGER PRIMARY KEY" as the rowid; BIGINT would add a second key.
RowId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("password_hash", Text, nullable=True),  # argon2; NULL: cannot log in by password
    Column("created", BigInteger, nullable=False),
)

OWNER_ID = 1  # the local owner every database has (created by migration 0001)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("label", Text, nullable=False),
    Column("prefix", String(16), nullable=False, index=True),
    Column("secret_hash", LargeBinary(32), nullable=False, unique=True),
    Column("scopes", Text, nullable=True),
    Column("read_only", Boolean, nullable=False, server_default=false()),
    Column("created", BigInteger, nullable=False),
    Column("last_used", BigInteger, nullable=True),
    Column("revoked", BigInteger, nullable=True),
)

buckets = Table(
    "buckets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("key", String(512), nullable=False),  # the ActivityWatch bucket id
    Column("name", Text, nullable=True),
    Column("type", Text, nullable=False),
    Column("client", Text, nullable=False),
    Column("hostname", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("data", Text, nullable=False, server_default="{}"),
    # Upper bound of any event's duration in the bucket: range reads look back this far
    # for events that began before the range, so no event is missed however long it is.
    Column("max_duration", BigInteger, nullable=False, server_default="0"),
    UniqueConstraint("user_id", "key", name="uq_buckets_user_key"),
)

event_data = Table(
    "event_data",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("hash", LargeBinary(16), nullable=False, unique=True),
    Column("json", Text, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("bucket_id", Integer, ForeignKey("buckets.id", ondelete="CASCADE"), nullable=False),
    Column("starttime", BigInteger, nullable=False),
    Column("endtime", BigInteger, nullable=False),
    Column("data_id", BigInteger, ForeignKey("event_data.id"), nullable=False),
    Index("ix_events_bucket_start", "bucket_id", "starttime"),
    Index("ix_events_bucket_end", "bucket_id", "endtime"),
    Index("ix_events_data", "data_id"),
    # Never reuse an id: a client holding a deleted event's id must not hit a new event.
    sqlite_autoincrement=True,
)

settings = Table(
    "settings",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("key", String(256), primary_key=True),
    Column("value", Text, nullable=False),
)

server_meta = Table(
    "server_meta",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("value", Text, nullable=False),
)


oauth_clients = Table(
    "oauth_clients",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(64), nullable=False, unique=True),
    Column("secret_hash", LargeBinary(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("redirect_uris", Text, nullable=False),  # JSON list, matched exactly
    Column("created", BigInteger, nullable=False),
)

oauth_codes = Table(
    "oauth_codes",
    metadata,
    Column("code_hash", LargeBinary(32), primary_key=True),
    Column("client_id", String(64), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("redirect_uri", Text, nullable=False),
    Column("scopes", Text, nullable=False),  # JSON list
    Column("code_challenge", Text, nullable=True),
    Column("code_challenge_method", String(16), nullable=True),
    Column("expires", BigInteger, nullable=False),
    Column("used", Boolean, nullable=False, server_default=false()),
)

oauth_tokens = Table(
    "oauth_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", LargeBinary(32), nullable=False, unique=True),
    Column("client_id", String(64), nullable=False, index=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("scopes", Text, nullable=False),  # JSON list
    Column("created", BigInteger, nullable=False),
    Column("expires", BigInteger, nullable=False),
    Column("revoked", BigInteger, nullable=True),
)

# Per-day activity cells of the RescueTime analytics (hourwise.analytics.cellstore),
# so a restarted server need not rebuild past days from raw events. A user's cells cover
# all their buckets; a row is one local day in one time zone. Rows are deleted when a
# write touches their span (migration 0005).
activity_cells = Table(
    "activity_cells",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("zone", String(128), primary_key=True),  # IANA name
    Column("day", String(10), primary_key=True),  # YYYY-MM-DD, local
    Column("start_us", BigInteger, nullable=False),  # UTC microseconds of local midnight
    Column("end_us", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),  # encoding version of ``cells``
    Column("cells", LargeBinary, nullable=False),
    Index("ix_activity_cells_user_end", "user_id", "end_us"),
)
