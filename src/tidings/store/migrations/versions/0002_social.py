"""social: likes and retweets remember being taken back; indexes for profiles, threads, hashtags

Revision ID: 0002
Revises: 0001

`active` keeps a like (retweet) row after unlike (unretweet), so that liking again notifies
nobody. The indexes serve userTweets, replies and hashtag, each paged by tweet id; the new
(author_id, id) index replaces the one on author_id alone.

A database made by `create_all` from a tables.py that has these already, then adopted by
`tidings migrate` (stamped 0001), has them: each step is skipped when its target exists.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXES = (
    ("tweets", "ix_tweets_author_id_id", ["author_id", "id"]),
    ("tweets", "ix_tweets_reply_to_id", ["reply_to", "id"]),
    ("hashtags", "ix_hashtags_tag_tweet_id", ["tag", "tweet_id"]),
)


def _indexes(table: str) -> set[str]:
    return {ix["name"] for ix in sa.inspect(op.get_bind()).get_indexes(table) if ix["name"]}


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for table in ("likes", "retweets"):
        if "active" not in {c["name"] for c in inspector.get_columns(table)}:
            op.add_column(table, sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    for table, name, columns in INDEXES:
        if name not in _indexes(table):
            op.create_index(name, table, columns)
    if "ix_tweets_author_id" in _indexes("tweets"):
        op.drop_index("ix_tweets_author_id", table_name="tweets")


def downgrade() -> None:
    op.create_index("ix_tweets_author_id", "tweets", ["author_id"])
    for table, name, _ in INDEXES:
        op.drop_index(name, table_name=table)
    for table in ("likes", "retweets"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("active")
