import { useCallback, useEffect, useReducer } from "react";

import type { TweetFieldsFragment } from "../../gql/graphql";
import { useTidingsClient } from "../context";
import { FeedQuery, FeedSubscription } from "../documents";

export type FeedTweet = TweetFieldsFragment;

export interface FeedState {
  /** The tweets on screen, newest first. */
  tweets: FeedTweet[];
  /** Tweets that arrived since, newest first, waiting behind the "N new tweets" button. */
  pending: FeedTweet[];
  loading: boolean;
  error: Error | undefined;
}

export interface UseFeedUpdatesResult extends FeedState {
  /** `pending.length`: what the "N new tweets" button says. */
  newCount: number;
  /** Moves the pending tweets to the top of `tweets`. */
  showNew(): void;
  /** Puts a tweet at the top at once (e.g. the viewer's own, just posted). */
  addTweet(tweet: FeedTweet): void;
}

type Action =
  | { type: "loaded"; tweets: FeedTweet[] }
  | { type: "arrived"; tweets: FeedTweet[] }
  | { type: "showNew" }
  | { type: "added"; tweet: FeedTweet }
  | { type: "failed"; error: Error };

export function feedReducer(state: FeedState, action: Action): FeedState {
  switch (action.type) {
    case "loaded":
      return { tweets: action.tweets, pending: [], loading: false, error: undefined };
    case "arrived": {
      const known = new Set([...state.tweets, ...state.pending].map((t) => t.id));
      const fresh = action.tweets.filter((t) => !known.has(t.id));
      return fresh.length === 0 ? state : { ...state, pending: [...fresh, ...state.pending] };
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
    case "failed":
      return { ...state, loading: false, error: action.error };
  }
}

/**
 * The viewer's feed: the newest `first` tweets from the `feed` query, then new ones from
 * the `feed` subscription collected in `pending` until `showNew()`, so the list does not
 * jump under the reader's thumb. After a reconnect the query runs again and anything
 * posted meanwhile joins `pending`.
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
    error: undefined,
  });

  useEffect(() => {
    let active = true;
    let loaded = false;
    const fetchFeed = () =>
      client.urql.query(FeedQuery, { first }, { requestPolicy: "network-only" }).toPromise();

    async function load(): Promise<void> {
      const result = await fetchFeed();
      if (!active || loaded) return;
      if (result.data === undefined) {
        dispatch({ type: "failed", error: result.error ?? new Error("feed: no data") });
        return;
      }
      loaded = true;
      dispatch({ type: "loaded", tweets: result.data.feed });
    }

    async function catchUp(): Promise<void> {
      // The feed subscription has no cursor: what was posted while the socket was down
      // is only in the query.
      const result = await fetchFeed();
      if (active && result.data !== undefined)
        dispatch({ type: "arrived", tweets: result.data.feed });
    }

    const live = client.urql.subscription(FeedSubscription, {}).subscribe((result) => {
      if (result.data !== undefined) dispatch({ type: "arrived", tweets: [result.data.feed] });
      else if (result.error !== undefined) dispatch({ type: "failed", error: result.error });
    });
    const offConnected = client.onConnected(({ reconnect }) => {
      if (!loaded) void load();
      else if (reconnect) void catchUp();
    });
    void load();
    return () => {
      active = false;
      offConnected();
      live.unsubscribe();
    };
  }, [client, first]);

  const showNew = useCallback(() => dispatch({ type: "showNew" }), []);
  const addTweet = useCallback((tweet: FeedTweet) => dispatch({ type: "added", tweet }), []);
  return { ...state, newCount: state.pending.length, showNew, addTweet };
}
