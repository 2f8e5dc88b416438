import { useRef, useState } from "react";
import { useMutation, useQuery } from "urql";

import {
  LikeTweetMutation,
  RetweetMutation,
  TweetAuthorQuery,
  UnlikeTweetMutation,
  UnretweetMutation,
  useEngagementUpdates,
  useTypingUsers,
  type EngagementMetrics,
  type FeedTweet,
} from "../lib";
import { Avatar } from "./Avatar";
import { ReplyBox, typingLine } from "./ReplyBox";
import { Link, paths } from "./router";
import { gateProps, useActionGate, useTransientError, useViewer } from "./state";
import { RelativeTime } from "./time";
import { TweetText } from "./TweetText";
import { useSlot, useVisible } from "./visibility";

/** The newer of two snapshots of the same counters (a tie goes to the second). */
export function latest(a: EngagementMetrics, b: EngagementMetrics | undefined): EngagementMetrics {
  return b !== undefined && Date.parse(b.updatedAt) >= Date.parse(a.updatedAt) ? b : a;
}

/** "Replying to @handle", asking who wrote the parent when the caller does not know. */
function ReplyingTo({ parentId, handle }: { parentId: string; handle: string | undefined }) {
  const [parent] = useQuery({
    query: TweetAuthorQuery,
    variables: { id: parentId },
    pause: handle !== undefined,
    requestPolicy: "cache-first",
  });
  const who = handle ?? parent.data?.tweet?.author.handle;
  return (
    <p className="muted small replying-to" data-testid="replying-to">
      {who === undefined ? (
        <Link to={paths.thread(parentId)}>Replying to a tweet</Link>
      ) : (
        <>
          Replying to{" "}
          <Link to={paths.profile(who)} className="mention">
            @{who}
          </Link>
        </>
      )}
    </p>
  );
}

type Toggle = "like" | "retweet";

export function TweetCard({
  tweet,
  replyingTo,
  large = false,
  replyOpen = false,
  onReplied,
}: {
  tweet: FeedTweet;
  /** The parent's author's handle, when the caller knows it (a thread page). */
  replyingTo?: string;
  /** The thread's own tweet: bigger text, the full date. */
  large?: boolean;
  /** Start with the reply box open. */
  replyOpen?: boolean;
  onReplied?: (reply: FeedTweet) => void;
}) {
  const viewer = useViewer();
  const gate = useActionGate();
  const live = useEngagementUpdates(tweet.id);
  const [replying, setReplying] = useState(replyOpen);
  const [replied, setReplied] = useState(false);
  const [fromMutation, setFromMutation] = useState<EngagementMetrics | undefined>(undefined);
  const [pending, setPending] = useState<Partial<Record<Toggle, boolean>>>({});
  const [error, setError] = useTransientError();
  const [, like] = useMutation(LikeTweetMutation);
  const [, unlike] = useMutation(UnlikeTweetMutation);
  const [, retweet] = useMutation(RetweetMutation);
  const [, unretweet] = useMutation(UnretweetMutation);

  const article = useRef<HTMLElement>(null);
  const watching = useSlot(useVisible(article));
  const typing = useTypingUsers(tweet.id, { enabled: watching });

  const metrics = latest(latest(tweet.metrics, live), fromMutation);
  const liked = pending.like ?? metrics.likedByViewer;
  const retweeted = pending.retweet ?? metrics.retweetedByViewer;
  // While a toggle is on its way the count moves with the button, then the server's wins.
  const likes =
    metrics.likes +
    (pending.like === undefined ? 0 : liked === metrics.likedByViewer ? 0 : liked ? 1 : -1);
  const retweets =
    metrics.retweets +
    (pending.retweet === undefined
      ? 0
      : retweeted === metrics.retweetedByViewer
        ? 0
        : retweeted
          ? 1
          : -1);
  const mine = viewer !== undefined && tweet.author.id === viewer.id;

  // A click while a toggle is on its way changes what is wanted; the loop sends again until
  // the server's state is the last one asked for (a quick like-unlike ends unliked).
  const inFlight = useRef<Record<Toggle, boolean>>({ like: false, retweet: false });
  const wanted = useRef<Partial<Record<Toggle, boolean>>>({});

  async function send(which: Toggle, on: boolean) {
    const variables = { tweetId: tweet.id };
    if (which === "like") {
      const answer = await (on ? like(variables) : unlike(variables));
      const data = answer.data;
      const result =
        data === undefined ? undefined : "likeTweet" in data ? data.likeTweet : data.unlikeTweet;
      return { result, error: answer.error };
    }
    const answer = await (on ? retweet(variables) : unretweet(variables));
    const data = answer.data;
    const result =
      data === undefined ? undefined : "retweet" in data ? data.retweet : data.unretweet;
    return { result, error: answer.error };
  }

  async function toggle(which: Toggle): Promise<void> {
    const on = !(which === "like" ? liked : retweeted);
    wanted.current[which] = on;
    setPending((current) => ({ ...current, [which]: on }));
    if (inFlight.current[which]) return;
    inFlight.current[which] = true;
    try {
      for (;;) {
        const target = wanted.current[which] ?? on;
        const { result, error: failure } = await send(which, target);
        if (result === undefined) {
          if (failure !== undefined) setError(failure);
          break;
        }
        setFromMutation(result);
        setError(undefined);
        const now = which === "like" ? result.likedByViewer : result.retweetedByViewer;
        if (wanted.current[which] === now) break;
      }
    } finally {
      inFlight.current[which] = false;
      delete wanted.current[which];
      setPending((current) => {
        const next = { ...current };
        delete next[which];
        return next;
      });
    }
  }

  const profile = paths.profile(tweet.author.handle);
  return (
    <article
      ref={article}
      className={`card tweet${mine ? " mine" : ""}${large ? " large" : ""}`}
      data-testid="tweet"
      data-tweet-id={tweet.id}
      data-author={tweet.author.id}
      data-typing-watch={String(watching)}
      aria-labelledby={`tweet-${tweet.id}-author`}
    >
      <Link to={profile} className="avatar-link" tabIndex={-1} aria-hidden="true">
        <Avatar user={tweet.author} />
      </Link>
      <div className="tweet-body">
        <header className="tweet-header">
          <Link
            to={profile}
            className="author"
            data-testid="author-link"
            id={`tweet-${tweet.id}-author`}
          >
            <strong>{tweet.author.displayName}</strong>{" "}
            <span className="muted">@{tweet.author.handle}</span>
          </Link>
          <span className="muted" aria-hidden="true">
            ·
          </span>
          <Link to={paths.thread(tweet.id)} className="muted permalink" data-testid="tweet-link">
            <RelativeTime iso={tweet.createdAt} />
            <span className="sr-only"> — open the thread</span>
          </Link>
        </header>
        {tweet.replyTo !== null && <ReplyingTo parentId={tweet.replyTo} handle={replyingTo} />}
        <TweetText content={tweet.content} large={large} />
        <p className="typing card-typing" data-testid="card-typing" aria-live="polite">
          {typing.length > 0 ? typingLine(typing, " a reply") : ""}
        </p>
        <footer className="tweet-actions">
          <button
            type="button"
            className={`action${replying ? " active" : ""}`}
            data-testid="reply-button"
            aria-expanded={replying}
            onClick={() => setReplying(!replying)}
          >
            <span aria-hidden="true">↩</span>{" "}
            <span data-testid="reply-count">{metrics.replies}</span>
          </button>
          <button
            type="button"
            className={`action retweet${retweeted ? " active" : ""}`}
            data-testid="retweet-button"
            aria-pressed={retweeted}
            onClick={() => void toggle("retweet")}
            {...gateProps(gate)}
          >
            <span aria-hidden="true">⟲</span>
            <span className="sr-only">Retweet, </span>
            <span data-testid="retweet-count">{retweets}</span>
            <span className="sr-only"> {retweets === 1 ? "retweet" : "retweets"}</span>
          </button>
          <button
            type="button"
            className={`action like${liked ? " active" : ""}`}
            data-testid="like-button"
            aria-pressed={liked}
            onClick={() => void toggle("like")}
            {...gateProps(gate)}
          >
            <span aria-hidden="true">{liked ? "♥" : "♡"}</span>
            <span className="sr-only">Like, </span>
            <span data-testid="like-count">{likes}</span>
            <span className="sr-only"> {likes === 1 ? "like" : "likes"}</span>
          </button>
        </footer>
        {error !== undefined && (
          <p className="error small" role="alert">
            {error}
          </p>
        )}
        {replied && !replying && (
          <p className="small replied" role="status" data-testid="reply-sent">
            Reply sent.{" "}
            <Link to={paths.thread(tweet.id)} className="inline-link">
              View the thread
            </Link>
          </p>
        )}
        {replying && (
          <ReplyBox
            tweet={tweet}
            autoFocus={!replyOpen}
            onSent={(reply) => {
              if (!replyOpen) {
                setReplying(false);
                setReplied(true);
              }
              onReplied?.(reply);
            }}
          />
        )}
      </div>
    </article>
  );
}
