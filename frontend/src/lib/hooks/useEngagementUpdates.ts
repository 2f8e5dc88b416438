import { useSubscription } from "urql";

import type { EngagementSubscription as EngagementData } from "../../gql/graphql";
import { EngagementSubscription } from "../documents";

export type EngagementMetrics = EngagementData["engagement"];

/**
 * Live like, reply and retweet counts for one tweet: the current counts as soon as the
 * subscription starts, then every change (under a burst, at least the latest).
 * `undefined` until the first event; show the tweet's own `metrics` meanwhile.
 *
 * @example
 * function Counters({ tweet }: { tweet: FeedTweet }) {
 *   const metrics = useEngagementUpdates(tweet.id) ?? tweet.metrics;
 *   return <span>♥ {metrics.likes} ⟲ {metrics.retweets} ↩ {metrics.replies}</span>;
 * }
 */
export function useEngagementUpdates(tweetId: string): EngagementMetrics | undefined {
  const [result] = useSubscription({ query: EngagementSubscription, variables: { tweetId } });
  return result.data?.engagement;
}
