import { useNotifications, type NotificationItem } from "../lib";
import { age } from "./TweetText";

const VERBS: Record<NotificationItem["kind"], string> = {
  LIKE: "liked your tweet",
  RETWEET: "retweeted your tweet",
  REPLY: "replied",
  MENTION: "mentioned you",
  FOLLOW: "followed you",
};

export function NotificationsPanel() {
  const { notifications, unreadCount, markRead, markAllRead, loading, error } = useNotifications();

  return (
    <section className="card notifications" data-testid="notifications-panel">
      <header className="card-header">
        <h2>
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
      {error !== undefined && (
        <p className="error" data-testid="notifications-error">
          {error.message}
        </p>
      )}
      {!loading && notifications.length === 0 && <p className="muted">Nothing yet.</p>}
      <ul className="notification-list" data-testid="notification-list">
        {notifications.map((n) => (
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
            <div className="notification-body">
              <strong>{n.actor.displayName}</strong> {VERBS[n.kind]}
              {n.tweet !== null && <span className="quote">“{n.tweet.content}”</span>}
              <span className="muted time">{age(n.createdAt)}</span>
            </div>
            {!n.read && (
              <button
                type="button"
                className="button small"
                data-testid="mark-read"
                onClick={() => void markRead(n.id)}
              >
                Mark read
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
