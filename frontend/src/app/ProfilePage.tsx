import { useEffect, useState } from "react";
import { useMutation, useQuery } from "urql";

import {
  FollowMutation,
  ProfileQuery,
  UnfollowMutation,
  UserTweetsQuery,
  useTidingsClient,
  type FeedTweet,
} from "../lib";
import { Avatar } from "./Avatar";
import { PageTitle } from "./PageTitle";
import { PAGE_SIZE, usePagedTweets } from "./pages";
import { ErrorNote, gateProps, useActionGate, useTransientError, useViewer } from "./state";
import { TweetList } from "./TweetList";

export function ProfilePage({ handle, live }: { handle: string; live: FeedTweet[] }) {
  const client = useTidingsClient();
  const viewer = useViewer();
  const gate = useActionGate();
  const [profile, refetch] = useQuery({
    query: ProfileQuery,
    variables: { handle },
    requestPolicy: "cache-and-network",
  });
  const user = profile.data?.user;
  const userId = user?.id;
  const [, follow] = useMutation(FollowMutation);
  const [, unfollow] = useMutation(UnfollowMutation);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useTransientError();

  const list = usePagedTweets(`user:${userId ?? ""}`, async (before) => {
    if (userId === undefined) return { tweets: [] };
    const result = await client.urql
      .query(
        UserTweetsQuery,
        { userId, first: PAGE_SIZE, before },
        { requestPolicy: "network-only" },
      )
      .toPromise();
    return result.data === undefined
      ? { error: result.error ?? new Error("no data") }
      : { tweets: result.data.userTweets };
  });

  // Their new tweets reach the viewer's feed stream once followed: show them here too.
  const { merge } = list;
  useEffect(() => {
    if (userId !== undefined) merge(live.filter((t) => t.author.id === userId));
  }, [live, userId, merge]);

  // One heading element whatever has loaded, so that focus moved to it stays there.
  const title = (
    <header className="page-header">
      <PageTitle>{user?.displayName ?? `@${handle}`}</PageTitle>
    </header>
  );
  if (profile.data !== undefined && user == null) {
    return (
      <>
        {title}
        <section className="card" data-testid="profile-missing">
          <p className="muted">There is no user @{handle}.</p>
        </section>
      </>
    );
  }

  async function toggleFollow(): Promise<void> {
    if (user == null) return;
    setBusy(true);
    const answer = user.followedByViewer
      ? await unfollow({ userId: user.id })
      : await follow({ userId: user.id });
    if (answer.error !== undefined) setError(answer.error);
    else setError(undefined);
    refetch({ requestPolicy: "network-only" });
    setBusy(false);
  }

  const self = viewer !== undefined && user != null && viewer.id === user.id;
  return (
    <>
      {title}
      <section className="card profile" data-testid="profile" data-user-id={user?.id}>
        {user == null ? (
          <>
            <ErrorNote error={profile.error} />
            {profile.error === undefined && <p className="muted">Loading…</p>}
          </>
        ) : (
          <>
            <div className="profile-head">
              <Avatar user={user} size="large" />
              <div className="profile-names">
                <p className="profile-name">{user.displayName}</p>
                <p className="muted">@{user.handle}</p>
              </div>
              {!self && (
                <button
                  type="button"
                  className={`button${user.followedByViewer ? "" : " primary"}`}
                  data-testid="follow-button"
                  aria-pressed={user.followedByViewer}
                  disabled={busy}
                  onClick={() => void toggleFollow()}
                  {...gateProps(gate)}
                >
                  {user.followedByViewer ? "Following" : "Follow"}
                </button>
              )}
            </div>
            <p className="profile-counts">
              <span data-testid="following-count">
                <strong>{user.followingCount}</strong> following
              </span>
              <span data-testid="followers-count">
                <strong>{user.followersCount}</strong>{" "}
                {user.followersCount === 1 ? "follower" : "followers"}
              </span>
              {self && <span className="muted">This is you.</span>}
            </p>
            {error !== undefined && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
          </>
        )}
      </section>
      {user != null && (
        <section className="feed" aria-label={`Tweets by ${user.displayName}`}>
          <ErrorNote error={list.error} />
          <TweetList
            tweets={list.tweets}
            loading={list.loading}
            hasOlder={list.hasOlder}
            loadOlder={list.loadOlder}
            testId="profile-tweets"
            empty={<p>{self ? "You have" : `${user.displayName} has`} not tweeted yet.</p>}
          />
        </section>
      )}
    </>
  );
}
