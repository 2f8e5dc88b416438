import { useState } from "react";
import { useMutation } from "urql";

import {
  LikeTweetMutation,
  RetweetMutation,
  UnlikeTweetMutation,
  useEngagementUpdates,
  type EngagementMetrics,
  type FeedTweet,
} from "../lib";
import { ReplyBox } from "./ReplyBox";
import { age, TweetText } from "./TweetText";

/** The newer of two snapshots of the same counters. */
function latest(a: EngagementMetrics, b: EngagementMetrics | undefined): EngagementMetrics {
  return b !== undefined && Date.parse(b.updatedAt) >= Date.parse(a.updatedAt) ? b : a;
}

export function TweetCard({ tweet, mine }: { tweet: FeedTweet; mine: boolean }) {
  const live = useEngagementUpdates(tweet.id);
  const [liked, setLiked] = useState(false);
  const [retweeted, setRetweeted] = useState(false);
  const [replying, setReplying] = useState(false);
  const [fromMutation, setFromMutation] = useState<EngagementMetrics | undefined>(undefined);
  const [, like] = useMutation(LikeTweetMutation);
  const [, unlike] = useMutation(UnlikeTweetMutation);
  const [, retweet] = useMutation(RetweetMutation);

  const metrics = latest(latest(tweet.metrics, live), fromMutation);

  async function toggleLike(): Promise<void> {
    const next = !liked;
    setLiked(next);
    const result = next
      ? (await like({ tweetId: tweet.id })).data?.likeTweet
      : (await unlike({ tweetId: tweet.id })).data?.unlikeTweet;
    if (result !== undefined) setFromMutation(result);
    else setLiked(!next);
  }

  async function doRetweet(): Promise<void> {
    setRetweeted(true);
    const result = (await retweet({ tweetId: tweet.id })).data?.retweet;
    if (result !== undefined) setFromMutation(result);
    else setRetweeted(false);
  }

  return (
    <article
      className={`card tweet${mine ? " mine" : ""}`}
      data-testid="tweet"
      data-tweet-id={tweet.id}
      data-author={tweet.author.id}
    >
      <header className="tweet-header">
        <strong>{tweet.author.displayName}</strong>
        <span className="muted">@{tweet.author.handle}</span>
        <span className="muted">· {age(tweet.createdAt)}</span>
      </header>
      {tweet.replyTo !== null && <p className="muted small">Replying to a tweet</p>}
      <TweetText content={tweet.content} />
      <footer className="tweet-actions">
        <button
          type="button"
          className={`action${liked ? " active" : ""}`}
          data-testid="like-button"
          aria-pressed={liked}
          onClick={() => void toggleLike()}
        >
          <span aria-hidden="true">♥</span> <span data-testid="like-count">{metrics.likes}</span>
          <span className="sr-only"> likes</span>
        </button>
        <button
          type="button"
          className={`action${retweeted ? " active" : ""}`}
          data-testid="retweet-button"
          aria-pressed={retweeted}
          disabled={retweeted}
          onClick={() => void doRetweet()}
        >
          <span aria-hidden="true">⟲</span>{" "}
          <span data-testid="retweet-count">{metrics.retweets}</span>
          <span className="sr-only"> retweets</span>
        </button>
        <button
          type="button"
          className={`action${replying ? " active" : ""}`}
          data-testid="reply-button"
          aria-expanded={replying}
          onClick={() => setReplying(!replying)}
        >
          <span aria-hidden="true">↩</span> <span data-testid="reply-count">{metrics.replies}</span>
          <span className="sr-only"> replies</span>
        </button>
      </footer>
      {replying && <ReplyBox tweet={tweet} onSent={() => setReplying(false)} />}
    </article>
  );
}
