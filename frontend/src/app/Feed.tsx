import type { UseFeedUpdatesResult } from "../lib";
import { TweetCard } from "./TweetCard";

export function Feed({
  feed,
  viewerId,
}: {
  feed: UseFeedUpdatesResult;
  viewerId: string | undefined;
}) {
  const { tweets, newCount, showNew, loading, error } = feed;
  return (
    <section className="feed" data-testid="feed">
      {newCount > 0 && (
        <button
          type="button"
          className="button new-tweets"
          data-testid="new-tweets-button"
          data-count={newCount}
          onClick={showNew}
        >
          {newCount} new {newCount === 1 ? "tweet" : "tweets"}
        </button>
      )}
      {error !== undefined && (
        <p className="error" data-testid="feed-error">
          {error.message}
        </p>
      )}
      {loading && <p className="muted">Loading the feed…</p>}
      {!loading && tweets.length === 0 && (
        <p className="muted">Your feed is empty. Follow someone, or post the first tweet.</p>
      )}
      <ul className="tweet-list" data-testid="tweet-list">
        {tweets.map((tweet) => (
          <li key={tweet.id}>
            <TweetCard tweet={tweet} mine={tweet.author.id === viewerId} />
          </li>
        ))}
      </ul>
    </section>
  );
}
