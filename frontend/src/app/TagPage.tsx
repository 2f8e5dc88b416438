import { useEffect } from "react";

import { HashtagQuery, useTidingsClient, type FeedTweet } from "../lib";
import { PageTitle } from "./PageTitle";
import { PAGE_SIZE, usePagedTweets } from "./pages";
import { ErrorNote } from "./state";
import { TweetList } from "./TweetList";

/** Every tweet with #tag, newest first; new ones in the viewer's feed join at the top. */
export function TagPage({ tag, live }: { tag: string; live: FeedTweet[] }) {
  const client = useTidingsClient();
  const list = usePagedTweets(`tag:${tag}`, async (before) => {
    const result = await client.urql
      .query(HashtagQuery, { tag, first: PAGE_SIZE, before }, { requestPolicy: "network-only" })
      .toPromise();
    return result.data === undefined
      ? { error: result.error ?? new Error("no data") }
      : { tweets: result.data.hashtag };
  });
  const { merge } = list;
  useEffect(() => {
    merge(live.filter((t) => t.hashtags.includes(tag)));
  }, [live, tag, merge]);

  return (
    <>
      <header className="page-header">
        <PageTitle>#{tag}</PageTitle>
      </header>
      <section
        className="feed"
        data-testid="tag-page"
        data-tag={tag}
        aria-label={`Tweets with #${tag}`}
      >
        <ErrorNote error={list.error} />
        <TweetList
          tweets={list.tweets}
          loading={list.loading}
          hasOlder={list.hasOlder}
          loadOlder={list.loadOlder}
          testId="tag-tweets"
          empty={<p>No tweets with #{tag} yet.</p>}
        />
      </section>
    </>
  );
}
