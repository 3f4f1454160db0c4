"""Analytics: persisted per-day activity cells (a cache of raw events, deleted on writes).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_cells",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("zone", sa.String(128), primary_key=True),
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("start_us", sa.BigInteger, nullable=False),
        sa.Column("end_us", sa.BigInteger, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("cells", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_activity_cells_user_end", "activity_cells", ["user_id", "end_us"])


def downgrade() -> None:
    op.drop_index("ix_activity_cells_user_end", "activity_cells")
    op.drop_table("activity_cells")
