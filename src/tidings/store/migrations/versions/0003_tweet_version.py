"""tweet version: the order of a tweet's counts

Revision ID: 0003
Revises: 0002

`version` goes up by one in the same UPDATE that changes a tweet's counts, and that UPDATE
returns it: under the row lock, so versions follow commit order. Engagement subscribers order
counts by it (they used `updated_at`, a clock read before the transaction queued on the lock,
which concurrent transactions could commit out of order). Existing tweets start at 0.

Skipped when the column exists (a database made by `create_all` from a tables.py that has it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "version" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("tweets")}:
        op.add_column("tweets", sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("tweets", "version")
