import { useSubscription } from "urql";

import type { TrendingSubscription as TrendingData } from "../../gql/graphql";
import { TrendingSubscription } from "../documents";

export type TrendingUpdate = TrendingData["trending"];
export type TrendingTopic = TrendingUpdate["topics"][number];

/**
 * The trending topics, live: the current ranking at once, then each change (the server
 * recomputes every `TIDINGS_TRENDING_INTERVAL` seconds). `undefined` until the first one.
 *
 * @example
 * function Trending() {
 *   const trending = useTrending();
 *   return <ol>{trending?.topics.map((t) => <li key={t.topic}>#{t.topic} ({t.tweetCount})</li>)}</ol>;
 * }
 */
export function useTrending(): TrendingUpdate | undefined {
  const [result] = useSubscription({ query: TrendingSubscription });
  return result.data?.trending;
}
