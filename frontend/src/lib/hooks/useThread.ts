import { useCallback, useEffect, useRef, useState } from "react";

import type { TweetFieldsFragment } from "../../gql/graphql";
import { useTidingsClient } from "../context";
import { EngagementSubscription, RepliesQuery, TweetQuery } from "../documents";
import { compareIds, maxId } from "../ids";

export interface ThreadState {
  /** The tweet; `null` when there is no such tweet, `undefined` while loading. */
  tweet: TweetFieldsFragment | null | undefined;
  /** The replies under it, oldest first. */
  replies: TweetFieldsFragment[];
  error: Error | undefined;
}

export interface UseThreadResult extends ThreadState {
  /** Shows a reply at once (the viewer's own, just posted). */
  addReply(reply: TweetFieldsFragment): void;
}

const PAGE = 50;

/**
 * A tweet and the replies under it, live: the thread follows the tweet's `engagement`
 * stream, and whenever its reply count passes the replies on screen, asks for
 * `replies(after:)` the newest one shown. After a reconnect it asks again, so a reply
 * posted while the socket was down shows up too.
 *
 * @example
 * function Thread({ id }: { id: string }) {
 *   const { tweet, replies } = useThread(id);
 *   return <>{tweet?.content}{replies.map((r) => <p key={r.id}>{r.content}</p>)}</>;
 * }
 */
export function useThread(tweetId: string): UseThreadResult {
  const client = useTidingsClient();
  const [state, setState] = useState<ThreadState>({
    tweet: undefined,
    replies: [],
    error: undefined,
  });
  const merge = useRef<(replies: TweetFieldsFragment[], page: boolean) => void>(() => {});

  useEffect(() => {
    let active = true;
    let lastId: string | null = null;
    const held = new Set<string>();
    let fetching = false;
    let again = false;
    setState({ tweet: undefined, replies: [], error: undefined });

    // `page`: a page of the server's `replies`, which advances the cursor. The viewer's own
    // reply does not: a reply by someone else just before it may not be held yet.
    merge.current = (incoming, page) => {
      if (!active) return;
      if (page) for (const reply of incoming) lastId = maxId(lastId, reply.id);
      const fresh = incoming.filter((reply) => !held.has(reply.id));
      if (fresh.length === 0) return;
      for (const reply of fresh) held.add(reply.id);
      setState((current) => ({
        ...current,
        replies: [...current.replies, ...fresh].sort((a, b) => compareIds(a.id, b.id)),
        error: undefined,
      }));
    };

    /** Every reply after the newest one held, page by page. */
    async function catchUp(): Promise<void> {
      if (fetching) {
        again = true;
        return;
      }
      fetching = true;
      try {
        for (;;) {
          const result = await client.urql
            .query(
              RepliesQuery,
              { tweetId, first: PAGE, after: lastId },
              { requestPolicy: "network-only" },
            )
            .toPromise();
          if (!active) return;
          if (result.data === undefined) {
            setState((current) => ({ ...current, error: result.error }));
            return;
          }
          merge.current(result.data.replies, true);
          if (result.data.replies.length < PAGE && !again) return;
          again = false;
        }
      } finally {
        fetching = false;
      }
    }

    async function loadTweet(): Promise<void> {
      const result = await client.urql
        .query(TweetQuery, { id: tweetId }, { requestPolicy: "network-only" })
        .toPromise();
      if (!active) return;
      if (result.data === undefined) setState((current) => ({ ...current, error: result.error }));
      else setState((current) => ({ ...current, tweet: result.data?.tweet ?? null }));
    }

    const live = client.urql
      .subscription(EngagementSubscription, { tweetId })
      .subscribe((result) => {
        const replies = result.data?.engagement.replies;
        if (replies !== undefined && replies > held.size) void catchUp();
      });
    const offConnected = client.onConnected(({ reconnect }) => {
      if (reconnect) {
        void loadTweet();
        void catchUp();
      }
    });
    void loadTweet();
    void catchUp();
    return () => {
      active = false;
      live.unsubscribe();
      offConnected();
    };
  }, [client, tweetId]);

  const addReply = useCallback((reply: TweetFieldsFragment) => merge.current([reply], false), []);
  return { ...state, addReply };
}
