"""Initial schema: users, buckets, deduplicated event data, events, settings, server metadata.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    users = op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=True),
        sa.Column("created", sa.BigInteger, nullable=False),
    )
    # The local owner: every database has it, and a single-person install never needs
    # another. It has no password until one is set (hourwise user passwd owner).
    op.bulk_insert(users, [{"id": 1, "name": "owner", "password_hash": None, "created": 0}])
    op.create_table(
        "buckets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("name", sa.Text, nullable=True),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("client", sa.Text, nullable=False),
        sa.Column("hostname", sa.Text, nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("data", sa.Text, nullable=False, server_default="{}"),
        sa.Column("max_duration", sa.BigInteger, nullable=False, server_default="0"),
        sa.UniqueConstraint("user_id", "key", name="uq_buckets_user_key"),
    )
    op.create_table(
        "event_data",
        sa.Column("id", RowId, primary_key=True, autoincrement=True),
        sa.Column("hash", sa.LargeBinary(16), nullable=False, unique=True),
        sa.Column("json", sa.Text, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", RowId, primary_key=True, autoincrement=True),
        sa.Column(
            "bucket_id",
            sa.Integer,
            sa.ForeignKey("buckets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("starttime", sa.BigInteger, nullable=False),
        sa.Column("endtime", sa.BigInteger, nullable=False),
        sa.Column("data_id", sa.BigInteger, sa.ForeignKey("event_data.id"), nullable=False),
        sqlite_autoincrement=True,  # event ids are never reused after a delete
    )
    op.create_index("ix_events_bucket_start", "events", ["bucket_id", "starttime"])
    op.create_index("ix_events_bucket_end", "events", ["bucket_id", "endtime"])
    op.create_index("ix_events_data", "events", ["data_id"])
    op.create_table(
        "settings",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("key", sa.String(256), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "server_meta",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("server_meta")
    op.drop_table("settings")
    op.drop_table("events")
    op.drop_table("event_data")
    op.drop_table("buckets")
    op.drop_table("users")
