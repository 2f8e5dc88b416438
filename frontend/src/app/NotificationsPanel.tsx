import { useEffect, useRef, useState } from "react";

import type { NotificationItem, UseNotificationsResult } from "../lib";
import { Avatar } from "./Avatar";
import { Link, paths } from "./router";
import { ErrorNote } from "./state";
import { RelativeTime } from "./time";

const VERBS: Record<NotificationItem["kind"], string> = {
  LIKE: "liked your tweet",
  RETWEET: "retweeted your tweet",
  REPLY: "replied to you",
  MENTION: "mentioned you",
  FOLLOW: "followed you",
};

/** How many show before "Show all": the panel grows with the page instead of scrolling inside. */
const FIRST_SHOWN = 6;

export function describeNotification(n: NotificationItem): string {
  return `${n.actor.displayName} ${VERBS[n.kind]}`;
}

/** Where a notification leads: its tweet's thread, or for a follow the follower's profile. */
function target(n: NotificationItem): string {
  return n.tweet === null ? paths.profile(n.actor.handle) : paths.thread(n.tweet.id);
}

/** What a screen reader hears, politely, when notifications arrive (not those already there). */
function useAnnouncement(notifications: NotificationItem[], loading: boolean): string {
  const seen = useRef<Set<string> | null>(null);
  const [announcement, setAnnouncement] = useState("");
  useEffect(() => {
    if (loading) return;
    if (seen.current === null) {
      seen.current = new Set(notifications.map((n) => n.id));
      return;
    }
    const known = seen.current;
    const fresh = notifications.filter((n) => !known.has(n.id));
    if (fresh.length === 0) return;
    for (const n of fresh) known.add(n.id);
    const [newest] = fresh;
    if (newest === undefined) return;
    setAnnouncement(
      fresh.length === 1
        ? `New notification: ${describeNotification(newest)}.`
        : `${fresh.length} new notifications. Latest: ${describeNotification(newest)}.`,
    );
  }, [notifications, loading]);
  return announcement;
}

export function NotificationsPanel({ inbox }: { inbox: UseNotificationsResult }) {
  const { notifications, unreadCount, markRead, markAllRead, loading, error } = inbox;
  const [showAll, setShowAll] = useState(false);
  const announcement = useAnnouncement(notifications, loading);
  const shown = showAll ? notifications : notifications.slice(0, FIRST_SHOWN);

  return (
    <section
      className="card notifications"
      data-testid="notifications-panel"
      id="notifications"
      aria-labelledby="notifications-heading"
    >
      <header className="card-header">
        <h2 id="notifications-heading">
          Notifications{" "}
          <span
            className={`badge${unreadCount > 0 ? " badge-unread" : ""}`}
            data-testid="unread-badge"
            aria-label={`${unreadCount} unread`}
          >
            {unreadCount}
          </span>
        </h2>
        <button
          type="button"
          className="button small"
          data-testid="mark-all-read"
          disabled={unreadCount === 0}
          onClick={() => void markAllRead()}
        >
          Mark all read
        </button>
      </header>
      <div
        className="sr-only"
        role="status"
        aria-live="polite"
        data-testid="notification-announcer"
      >
        {announcement}
      </div>
      <ErrorNote error={error} testId="notifications-error" />
      {loading && <p className="muted">Loading…</p>}
      {!loading && notifications.length === 0 && (
        <p className="muted">Nothing yet. Likes, replies, mentions and follows show up here.</p>
      )}
      <ul className="notification-list" data-testid="notification-list">
        {shown.map((n) => (
          <li
            key={n.id}
            className={`notification${n.read ? "" : " unread"}`}
            data-testid="notification"
            data-notification-id={n.id}
            data-kind={n.kind}
            data-actor={n.actor.id}
            data-tweet-id={n.tweet?.id}
            data-read={String(n.read)}
          >
            <Link
              to={paths.profile(n.actor.handle)}
              className="avatar-link"
              tabIndex={-1}
              aria-hidden="true"
            >
              <Avatar user={n.actor} size="small" />
            </Link>
            <Link
              to={target(n)}
              className="notification-link"
              data-testid="notification-link"
              onClick={() => {
                if (!n.read) void markRead(n.id);
              }}
            >
              <span>
                <strong>{n.actor.displayName}</strong> {VERBS[n.kind]}
                {!n.read && <span className="sr-only"> (unread)</span>}
              </span>
              {n.tweet !== null && <span className="quote">“{n.tweet.content}”</span>}
              <RelativeTime iso={n.createdAt} className="muted time" />
            </Link>
            {!n.read && (
              <button
                type="button"
                className="icon-button"
                data-testid="mark-read"
                aria-label={`Mark read: ${describeNotification(n)}`}
                title="Mark read"
                onClick={() => void markRead(n.id)}
              >
                <span className="unread-dot" aria-hidden="true" />
              </button>
            )}
          </li>
        ))}
      </ul>
      {notifications.length > FIRST_SHOWN && (
        <button
          type="button"
          className="button small show-all"
          data-testid="show-all-notifications"
          aria-expanded={showAll}
          onClick={() => setShowAll(!showAll)}
        >
          {showAll ? "Show fewer" : `Show all ${notifications.length}`}
        </button>
      )}
    </section>
  );
}
