"""The hot writes as plain SQL: a user seen for the first time, a like, a retweet.

These run once per request under load (every like of a fresh user is both), and SQLAlchemy's
statement building, caching and result processing cost more than the database does (a like:
~2.5 ms of CPU for 5 statements on SQLite, measured with py-spy). The same steps as the Core
verbs in store.py, with the same invariants:

- SQLite: functions of a `sqlite3.Connection`, run by the writer thread (writer.py) inside its
  transaction. Dates are stored as SQLAlchemy stores them there ("YYYY-MM-DD HH:MM:SS.ffffff").
- PostgreSQL: ONE statement each (data-modifying CTEs), in autocommit: one round trip, and the
  tweet's and author's row locks are held for one statement instead of a transaction's worth of
  round trips, so concurrent likes of one tweet queue for microseconds, not milliseconds.

The notification's sequence number is still `users.last_seq + 1` under the owner's row lock,
inside the transaction that creates it: strictly increasing and gapless per user.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..errors import AuthError, NotFoundError
from .rows import Created, EngagementResult, Identity, MetricsRow, NotificationRow, TweetRow, UserRow

# (table, counter column, notification kind) of each engagement; names only from here.
ENGAGEMENTS = {"LIKE": ("likes", "likes"), "RETWEET": ("retweets", "retweets")}

_DATE = "%Y-%m-%d %H:%M:%S.%f"


def _to_sqlite(at: datetime) -> str:
    return at.astimezone(UTC).strftime(_DATE)


def _from_sqlite(raw: str) -> datetime:
    return datetime.fromisoformat(raw).replace(tzinfo=UTC)


def _taken(claims: Identity) -> AuthError:
    return AuthError(f"Handle {claims.handle!r} belongs to another user.")


# SQLite ------------------------------------------------------------------------------------------

_SQLITE_UPSERT = (
    "INSERT INTO users (id, handle, display_name, role, last_seq, unread, created_at) "
    "VALUES (?, ?, ?, ?, 0, 0, ?) ON CONFLICT (id) DO UPDATE SET "
    "handle = excluded.handle, role = excluded.role, display_name = COALESCE(?, users.display_name) "
    "RETURNING display_name"
)
_SQLITE_TWEET = (
    "SELECT t.author_id, t.content, t.reply_to, t.hashtags, t.created_at, t.likes, t.replies, "
    "t.retweets, t.updated_at, a.handle, a.display_name, t.version FROM tweets t "
    "JOIN users a ON a.id = t.author_id WHERE t.id = ?"
)
_SQLITE_USER = "SELECT handle, display_name FROM users WHERE id = ?"
_SQLITE_SEQ = (
    "UPDATE users SET last_seq = last_seq + 1, unread = unread + 1 WHERE id = ? RETURNING last_seq, unread"
)
_SQLITE_NOTE = (
    "INSERT INTO notifications (user_id, seq, kind, actor_id, tweet_id, read, created_at) "
    "VALUES (?, ?, ?, ?, ?, 0, ?)"
)


def sqlite_upsert_user(claims: Identity, now: datetime) -> Callable[[sqlite3.Connection], UserRow]:
    def job(conn: sqlite3.Connection) -> UserRow:
        # A new user without a name is shown by their handle; a token without one keeps the name.
        args = (claims.user_id, claims.handle, claims.name or claims.handle, claims.role, _to_sqlite(now))
        try:
            (name,) = conn.execute(_SQLITE_UPSERT, (*args, claims.name)).fetchone()
        except sqlite3.IntegrityError:  # the handle is another user's (UNIQUE)
            raise _taken(claims) from None
        return UserRow(id=claims.user_id, handle=claims.handle, display_name=name)

    return job


def sqlite_engage(
    kind: str, user_id: str, key: int, actor: UserRow | None, now: datetime
) -> Callable[[sqlite3.Connection], EngagementResult]:
    table, counter = ENGAGEMENTS[kind]
    insert = (
        f"INSERT INTO {table} (user_id, tweet_id, created_at, active) VALUES (?, ?, ?, 1) "
        "ON CONFLICT DO NOTHING"
    )
    again = f"UPDATE {table} SET active = 1 WHERE user_id = ? AND tweet_id = ? AND active = 0"
    # `version` orders the tweet's states (subscribers drop older ones): one up in this very
    # UPDATE, so versions follow commit order; `updated_at` never moves back (the dates'
    # fixed-width text sorts as they do).
    bump = (
        f"UPDATE tweets SET {counter} = {counter} + 1, updated_at = max(?, updated_at), "
        "version = version + 1 WHERE id = ? RETURNING likes, replies, retweets, updated_at, version"
    )

    def job(conn: sqlite3.Connection) -> EngagementResult:
        found = conn.execute(_SQLITE_TWEET, (key,)).fetchone()
        if found is None:
            raise NotFoundError(f"No tweet with id {str(key)!r}.")
        author_id, content, reply_to, hashtags, created_at, likes, replies, retweets, updated_at = found[:9]
        tweet_id = str(key)
        stamp = _to_sqlite(now)
        try:
            inserted = conn.execute(insert, (user_id, key, stamp)).rowcount
        except sqlite3.IntegrityError:  # FOREIGN KEY: no such user
            raise NotFoundError(f"No user with id {user_id!r}.") from None
        if not inserted:
            # Done before: taken back since (counts again, notifies nobody: the first time
            # did), or still in place (nothing changes).
            if not conn.execute(again, (user_id, key)).rowcount:
                metrics = MetricsRow(
                    tweet_id, likes, replies, retweets, _from_sqlite(updated_at), version=found[11]
                )
                return EngagementResult(metrics=metrics, changed=False)
        likes, replies, retweets, updated_at, version = conn.execute(bump, (stamp, key)).fetchone()
        metrics = MetricsRow(tweet_id, likes, replies, retweets, _from_sqlite(updated_at), version=version)
        if author_id == user_id or not inserted:
            return EngagementResult(metrics=metrics, changed=True)
        who = actor
        if who is None:
            row = conn.execute(_SQLITE_USER, (user_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"No user with id {user_id!r}.")
            who = UserRow(user_id, row[0], row[1])
        tweet = TweetRow(
            id=tweet_id,
            author=UserRow(author_id, found[9], found[10]),
            content=content,
            hashtags=hashtags.split() if hashtags else [],
            created_at=_from_sqlite(created_at),
            reply_to=str(reply_to) if reply_to is not None else None,
            metrics=metrics,
        )
        seq, unread = conn.execute(_SQLITE_SEQ, (author_id,)).fetchone()
        note = conn.execute(_SQLITE_NOTE, (author_id, seq, kind, who.id, key, stamp))
        notification = NotificationRow(
            id=str(note.lastrowid),
            user_id=author_id,
            seq=seq,
            kind=kind,
            actor=who,
            tweet=tweet,
            read=False,
            created_at=now,
        )
        return EngagementResult(metrics=metrics, changed=True, created=Created(notification, unread))

    return job


# PostgreSQL --------------------------------------------------------------------------------------

PG_UPSERT = (
    "INSERT INTO users (id, handle, display_name, role, last_seq, unread, created_at) "
    "VALUES ($1, $2, $3, $4, 0, 0, $5) ON CONFLICT (id) DO UPDATE SET "
    "handle = EXCLUDED.handle, role = EXCLUDED.role, "
    "display_name = COALESCE($6::varchar, users.display_name) RETURNING display_name"
)


def _pg_engage_sql(kind: str) -> str:
    """$1 user id, $2 tweet id, $3 now, $4 kind; one row when the tweet exists, none otherwise.
    Each data-modifying step reads the one before through RETURNING, so they run in order.
    `version` orders the counts (subscribers drop older ones): one up in the same UPDATE, under
    the row lock, so versions follow commit order whatever the clocks say; `updated_at` only
    ever grows too, even between processes whose clocks differ."""
    table, counter = ENGAGEMENTS[kind]
    return f"""
WITH tw AS (
  SELECT t.author_id, t.content, t.reply_to, t.hashtags, t.created_at, t.likes, t.replies,
         t.retweets, t.updated_at, t.version, a.handle, a.display_name
  FROM tweets t JOIN users a ON a.id = t.author_id WHERE t.id = $2::bigint
), ins AS (
  INSERT INTO {table} (user_id, tweet_id, created_at, active)
  SELECT $1::varchar, $2::bigint, $3::timestamptz, true FROM tw
  WHERE EXISTS (SELECT 1 FROM users WHERE id = $1::varchar)
  ON CONFLICT DO NOTHING RETURNING tweet_id
), again AS (
  UPDATE {table} SET active = true
  WHERE user_id = $1::varchar AND tweet_id = $2::bigint AND active = false
  RETURNING tweet_id
), bump AS (
  UPDATE tweets SET {counter} = {counter} + 1,
         updated_at = GREATEST($3::timestamptz, updated_at + interval '1 microsecond'),
         version = version + 1
  WHERE id = (SELECT tweet_id FROM ins UNION ALL SELECT tweet_id FROM again)
  RETURNING author_id, likes, replies, retweets, updated_at, version
), seq AS (
  UPDATE users SET last_seq = last_seq + 1, unread = unread + 1
  WHERE id = (SELECT author_id FROM bump WHERE author_id <> $1::varchar) AND EXISTS (SELECT 1 FROM ins)
  RETURNING id, last_seq, unread
), note AS (
  INSERT INTO notifications (user_id, seq, kind, actor_id, tweet_id, read, created_at)
  SELECT id, last_seq, $4::varchar, $1::varchar, $2::bigint, false, $3::timestamptz FROM seq RETURNING id
), actor AS (
  SELECT handle, display_name FROM users WHERE id = $1::varchar
)
SELECT tw.*, bump.likes AS new_likes, bump.replies AS new_replies, bump.retweets AS new_retweets,
       bump.updated_at AS new_updated_at, bump.version AS new_version,
       seq.last_seq, seq.unread, note.id AS note_id,
       actor.handle AS actor_handle, actor.display_name AS actor_name
FROM tw LEFT JOIN bump ON true LEFT JOIN seq ON true LEFT JOIN note ON true LEFT JOIN actor ON true
"""


PG_ENGAGE = {kind: _pg_engage_sql(kind) for kind in ENGAGEMENTS}


def pg_engage_result(
    kind: str, user_id: str, key: int, actor: UserRow | None, now: datetime, row: Any
) -> EngagementResult:
    """The EngagementResult of one row of `PG_ENGAGE[kind]` (None: no such tweet)."""
    tweet_id = str(key)
    if row is None:
        raise NotFoundError(f"No tweet with id {tweet_id!r}.")
    if row["actor_handle"] is None:
        raise NotFoundError(f"No user with id {user_id!r}.")
    if row["new_likes"] is None:  # engaged before: nothing changed
        metrics = MetricsRow(
            tweet_id, row["likes"], row["replies"], row["retweets"], row["updated_at"], row["version"]
        )
        return EngagementResult(metrics=metrics, changed=False)
    metrics = MetricsRow(
        tweet_id,
        row["new_likes"],
        row["new_replies"],
        row["new_retweets"],
        row["new_updated_at"],
        row["new_version"],
    )
    if row["note_id"] is None:  # one's own tweet, or done before and taken back: nobody to notify
        return EngagementResult(metrics=metrics, changed=True)
    who = actor or UserRow(user_id, row["actor_handle"], row["actor_name"])
    author_id = row["author_id"]
    tweet = TweetRow(
        id=tweet_id,
        author=UserRow(author_id, row["handle"], row["display_name"]),
        content=row["content"],
        hashtags=row["hashtags"].split() if row["hashtags"] else [],
        created_at=row["created_at"],
        reply_to=str(row["reply_to"]) if row["reply_to"] is not None else None,
        metrics=metrics,
    )
    notification = NotificationRow(
        id=str(row["note_id"]),
        user_id=author_id,
        seq=row["last_seq"],
        kind=kind,
        actor=who,
        tweet=tweet,
        read=False,
        created_at=now,
    )
    return EngagementResult(metrics=metrics, changed=True, created=Created(notification, row["unread"]))


def taken(claims: Identity) -> AuthError:
    """The refusal of a token whose handle belongs to another user."""
    return _taken(claims)
