import { useState, type ReactNode } from "react";

import type { FeedTweet } from "../lib";
import { TweetCard } from "./TweetCard";

/** Tweet cards, newest first, with a button for older ones while there may be some. */
export function TweetList({
  tweets,
  loading,
  empty,
  hasOlder,
  loadOlder,
  testId = "tweet-list",
}: {
  tweets: FeedTweet[];
  loading: boolean;
  empty: ReactNode;
  hasOlder: boolean;
  loadOlder: () => Promise<void>;
  testId?: string;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <>
      {loading && tweets.length === 0 && <p className="muted center">Loading…</p>}
      {!loading && tweets.length === 0 && <div className="muted center empty">{empty}</div>}
      <ul className="tweet-list" data-testid={testId}>
        {tweets.map((tweet) => (
          <li key={tweet.id}>
            <TweetCard tweet={tweet} />
          </li>
        ))}
      </ul>
      {hasOlder && tweets.length > 0 && (
        <button
          type="button"
          className="button older"
          data-testid="older-button"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void loadOlder().finally(() => setBusy(false));
          }}
        >
          {busy ? "Loading…" : "Show older tweets"}
        </button>
      )}
    </>
  );
}
