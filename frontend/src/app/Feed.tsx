import type { UseFeedUpdatesResult } from "../lib";
import { Compose } from "./Compose";
import { ErrorNote } from "./state";
import { TweetList } from "./TweetList";

/** The home page: the compose box and the viewer's feed, new tweets behind a button. */
export function HomePage({ feed }: { feed: UseFeedUpdatesResult }) {
  const { tweets, newCount, showNew, loading, error, hasOlder, loadOlder } = feed;
  return (
    <>
      <Compose onPosted={feed.addTweet} />
      <section className="feed" data-testid="feed" aria-label="Your feed">
        {newCount > 0 && (
          <button
            type="button"
            className="button primary new-tweets"
            data-testid="new-tweets-button"
            data-count={newCount}
            onClick={showNew}
          >
            {newCount} new {newCount === 1 ? "tweet" : "tweets"}
          </button>
        )}
        <ErrorNote error={error} testId="feed-error" />
        <TweetList
          tweets={tweets}
          loading={loading}
          hasOlder={hasOlder}
          loadOlder={loadOlder}
          empty={
            <p>
              Your feed is empty. Follow someone (open a name or a trending topic to find people),
              or post the first tweet.
            </p>
          }
        />
      </section>
    </>
  );
}
