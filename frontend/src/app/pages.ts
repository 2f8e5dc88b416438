import { useCallback, useEffect, useRef, useState } from "react";

import { compareIds, useOnReconnect, type FeedTweet } from "../lib";

export const PAGE_SIZE = 20;

export type FetchPage = (before: string | null) => Promise<{ tweets?: FeedTweet[]; error?: Error }>;

export interface PagedTweets {
  tweets: FeedTweet[];
  loading: boolean;
  hasOlder: boolean;
  error: Error | undefined;
  loadOlder(): Promise<void>;
  /** Adds tweets not shown yet, keeping newest first (e.g. live ones from the feed). */
  merge(tweets: FeedTweet[]): void;
}

function mergeNewestFirst(held: FeedTweet[], incoming: FeedTweet[]): FeedTweet[] {
  const known = new Set(held.map((t) => t.id));
  const fresh = incoming.filter((t) => !known.has(t.id));
  if (fresh.length === 0) return held;
  return [...held, ...fresh].sort((a, b) => compareIds(b.id, a.id));
}

/**
 * A list of tweets read newest first, page by page with `before:` (a profile, a hashtag).
 * `key` names the list: a new key starts over. After a reconnect the newest page is read
 * again and whatever is new joins at the top.
 */
export function usePagedTweets(key: string, fetchPage: FetchPage): PagedTweets {
  const [state, setState] = useState({
    key,
    tweets: [] as FeedTweet[],
    loading: true,
    hasOlder: false,
    error: undefined as Error | undefined,
  });
  const latestFetch = useRef(fetchPage);
  latestFetch.current = fetchPage;
  const current =
    state.key === key ? state : { ...state, key, tweets: [], loading: true, hasOlder: false };

  useEffect(() => {
    let active = true;
    setState({ key, tweets: [], loading: true, hasOlder: false, error: undefined });
    void latestFetch.current(null).then(({ tweets, error }) => {
      if (!active) return;
      setState((s) =>
        s.key !== key
          ? s
          : {
              key,
              tweets: tweets ?? [],
              loading: false,
              hasOlder: (tweets?.length ?? 0) >= PAGE_SIZE,
              error: tweets === undefined ? error : undefined,
            },
      );
    });
    return () => {
      active = false;
    };
  }, [key]);

  const merge = useCallback(
    (incoming: FeedTweet[]) =>
      setState((s) => {
        if (s.key !== key) return s;
        const tweets = mergeNewestFirst(s.tweets, incoming);
        return tweets === s.tweets ? s : { ...s, tweets };
      }),
    [key],
  );

  useOnReconnect(() => {
    void latestFetch.current(null).then(({ tweets }) => {
      if (tweets !== undefined) merge(tweets);
    });
  });

  const oldest = current.tweets.at(-1)?.id ?? null;
  const loadOlder = useCallback(async () => {
    if (oldest === null) return;
    const { tweets, error } = await latestFetch.current(oldest);
    setState((s) => {
      if (s.key !== key) return s;
      if (tweets === undefined) return { ...s, error };
      return {
        ...s,
        tweets: mergeNewestFirst(s.tweets, tweets),
        hasOlder: tweets.length >= PAGE_SIZE,
      };
    });
  }, [key, oldest]);

  return { ...current, loadOlder, merge };
}
