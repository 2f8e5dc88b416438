import { useCallback, useEffect, useReducer, useRef } from "react";

import type { FeedUpdatesSubscription, TweetFieldsFragment } from "../../gql/graphql";
import { useTidingsClient } from "../context";
import { FeedQuery, FeedSubscription } from "../documents";
import { compareIds, maxId } from "../ids";
import { subscribeResumable } from "../resumable";

export type FeedTweet = TweetFieldsFragment;

export interface FeedState {
  /** The tweets on screen, newest first. */
  tweets: FeedTweet[];
  /** Tweets that arrived since, newest first, waiting behind the "N new tweets" button. */
  pending: FeedTweet[];
  loading: boolean;
  /** False once paging back found nothing older. */
  hasOlder: boolean;
  error: Error | undefined;
}

export interface UseFeedUpdatesResult extends FeedState {
  /** `pending.length`: what the "N new tweets" button says. */
  newCount: number;
  /** Moves the pending tweets to the top of `tweets`. */
  showNew(): void;
  /** Puts a tweet at the top at once (e.g. the viewer's own, just posted). */
  addTweet(tweet: FeedTweet): void;
  /** Appends the next page of older tweets (`feed(before:)`). */
  loadOlder(): Promise<void>;
}

type Action =
  | { type: "loaded"; tweets: FeedTweet[]; hasOlder: boolean }
  | { type: "arrived"; tweets: FeedTweet[] }
  | { type: "older"; tweets: FeedTweet[]; hasOlder: boolean }
  | { type: "showNew" }
  | { type: "added"; tweet: FeedTweet }
  | { type: "recovered" }
  | { type: "failed"; error: Error };

function newestFirst(a: FeedTweet, b: FeedTweet): number {
  return compareIds(b.id, a.id);
}

export function feedReducer(state: FeedState, action: Action): FeedState {
  switch (action.type) {
    case "loaded":
      return {
        tweets: action.tweets,
        pending: [],
        loading: false,
        hasOlder: action.hasOlder,
        error: undefined,
      };
    case "arrived": {
      const known = new Set([...state.tweets, ...state.pending].map((t) => t.id));
      const fresh = action.tweets.filter((t) => !known.has(t.id));
      if (fresh.length === 0)
        return state.error === undefined ? state : { ...state, error: undefined };
      return {
        ...state,
        pending: [...fresh, ...state.pending].sort(newestFirst),
        error: undefined,
      };
    }
    case "older": {
      const known = new Set(state.tweets.map((t) => t.id));
      const older = action.tweets.filter((t) => !known.has(t.id));
      return { ...state, tweets: [...state.tweets, ...older], hasOlder: action.hasOlder };
    }
    case "showNew":
      return state.pending.length === 0
        ? state
        : { ...state, tweets: [...state.pending, ...state.tweets], pending: [] };
    case "added":
      return {
        ...state,
        tweets: [action.tweet, ...state.tweets.filter((t) => t.id !== action.tweet.id)],
        pending: state.pending.filter((t) => t.id !== action.tweet.id),
      };
    case "recovered":
      return state.error === undefined ? state : { ...state, error: undefined };
    case "failed":
      return { ...state, loading: false, error: action.error };
  }
}

/**
 * The viewer's feed: the newest `first` tweets from the `feed` query, then new ones from
 * the `feed(after:)` subscription collected in `pending` until `showNew()`, so the list does
 * not jump under the reader's thumb. The stream starts after the newest tweet of the page
 * and, after every reconnect, resumes after the newest tweet it has seen: the server
 * replays what was posted meanwhile, each tweet once and in order.
 *
 * @example
 * function Feed() {
 *   const { tweets, newCount, showNew } = useFeedUpdates();
 *   return (
 *     <>
 *       {newCount > 0 && <button onClick={showNew}>{newCount} new tweets</button>}
 *       {tweets.map((t) => <p key={t.id}>{t.content}</p>)}
 *     </>
 *   );
 * }
 */
export function useFeedUpdates({ first = 20 }: { first?: number } = {}): UseFeedUpdatesResult {
  const client = useTidingsClient();
  const [state, dispatch] = useReducer(feedReducer, {
    tweets: [],
    pending: [],
    loading: true,
    hasOlder: true,
    error: undefined,
  });
  const oldest = useRef<string | null>(null);

  useEffect(() => {
    let active = true;
    let loaded = false;
    let lastId: string | null = null;
    let stopStream = (): void => {};

    async function load(): Promise<void> {
      const result = await client.urql
        .query(FeedQuery, { first, before: null }, { requestPolicy: "network-only" })
        .toPromise();
      if (!active || loaded) return;
      if (result.data === undefined) {
        // Tried again on the next (re)connect.
        dispatch({ type: "failed", error: result.error ?? new Error("feed: no data") });
        return;
      }
      loaded = true;
      const page = result.data.feed;
      for (const tweet of page) lastId = maxId(lastId, tweet.id);
      oldest.current = page.at(-1)?.id ?? null;
      dispatch({ type: "loaded", tweets: page, hasOlder: page.length >= first });
      stopStream = subscribeResumable(client.ws, FeedSubscription, () => ({ after: lastId }), {
        next: (message) => {
          const tweet = (message.data as FeedUpdatesSubscription | null | undefined)?.feed;
          if (tweet === undefined) return;
          lastId = maxId(lastId, tweet.id);
          dispatch({ type: "arrived", tweets: [tweet] });
        },
        error: (error) => dispatch({ type: "failed", error: toError(error) }),
      });
    }

    const offConnected = client.onConnected(({ reconnect }) => {
      if (!loaded) void load();
      else if (reconnect) dispatch({ type: "recovered" });
    });
    void load();
    return () => {
      active = false;
      offConnected();
      stopStream();
    };
  }, [client, first]);

  const showNew = useCallback(() => dispatch({ type: "showNew" }), []);
  const addTweet = useCallback((tweet: FeedTweet) => dispatch({ type: "added", tweet }), []);
  const loadOlder = useCallback(async () => {
    const before = oldest.current;
    if (before === null) return;
    const result = await client.urql
      .query(FeedQuery, { first, before }, { requestPolicy: "network-only" })
      .toPromise();
    if (result.data === undefined) {
      dispatch({ type: "failed", error: result.error ?? new Error("feed: no data") });
      return;
    }
    const page = result.data.feed;
    oldest.current = page.at(-1)?.id ?? before;
    dispatch({ type: "older", tweets: page, hasOlder: page.length >= first });
  }, [client, first]);
  return { ...state, newCount: state.pending.length, showNew, addTweet, loadOlder };
}

function toError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (Array.isArray(error)) {
    return new Error(error.map((e: { message?: unknown }) => String(e.message)).join("; "));
  }
  return new Error(String(error));
}
