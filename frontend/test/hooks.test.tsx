// @vitest-environment jsdom
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, inject, test } from "vitest";

import {
  TidingsProvider,
  useEngagementUpdates,
  useFeedUpdates,
  useNotifications,
  useThread,
  useTrending,
  useTyping,
  type TidingsClient,
} from "../src/lib";
import { freePort } from "./server";
import {
  controllableSocket,
  gql,
  like,
  postTweet,
  quietFor,
  testClient,
  unreadCount,
} from "./helpers";

const url = inject("tidingsUrl");
const clients: TidingsClient[] = [];

function clientFor(userId: string, options: Parameters<typeof testClient>[2] = {}): TidingsClient {
  const client = testClient(url, userId, options);
  clients.push(client);
  return client;
}

function wrapperFor(client: TidingsClient) {
  return ({ children }: { children: ReactNode }) => (
    <TidingsProvider client={client}>{children}</TidingsProvider>
  );
}

afterEach(() => {
  cleanup();
  for (const client of clients.splice(0)) client.dispose();
});

/** Polls `check` (outside act, so state updates land) until it passes or `timeoutMs` ends. */
async function eventually(check: () => unknown, timeoutMs = 5000, what = "condition") {
  try {
    await waitFor(check, { timeout: timeoutMs, interval: 25 });
  } catch (error) {
    throw new Error(`${what} not met within ${timeoutMs} ms: ${String(error)}`);
  }
}

function count<T>(values: T[], value: T): number {
  return values.filter((v) => v === value).length;
}

describe("useNotifications", () => {
  test("shows a like at once with the server's unread count", async () => {
    const tweetId = await postTweet(url, "alice", "like this one");
    const client = clientFor("alice");
    const { result } = renderHook(() => useNotifications(), { wrapper: wrapperFor(client) });
    await eventually(() => expect(result.current.loading).toBe(false), 5000, "first page");
    await eventually(() => expect(client.status.getSnapshot()).toBe("live"), 5000, "live");
    const before = result.current.unreadCount;
    expect(before).toBe(await unreadCount(url, "alice"));

    await like(url, "bob", tweetId);
    await eventually(
      () => expect(result.current.notifications[0]?.tweet?.id).toBe(tweetId),
      2000,
      "the like notification",
    );
    expect(result.current.notifications[0]?.kind).toBe("LIKE");
    expect(result.current.notifications[0]?.actor.id).toBe("bob");
    expect(result.current.unreadCount).toBe(before + 1);
  });

  test("under StrictMode's double effects it holds one stream and shows each notification once", async () => {
    const tweetId = await postTweet(url, "alice", "strict mode");
    const client = clientFor("alice");
    const { result } = renderHook(() => useNotifications(), {
      wrapper: wrapperFor(client),
      reactStrictMode: true,
    });
    await eventually(() => expect(result.current.loading).toBe(false), 5000, "first page");
    await eventually(() => expect(client.status.getSnapshot()).toBe("live"), 5000, "live");
    const streams = () =>
      gql<{ stats: { byField: { field: string; subscriptions: number }[] } }>(
        url,
        "alice",
        "{ stats { byField { field subscriptions } } }",
      ).then((data) => data.stats.byField.find((f) => f.field === "notifications")?.subscriptions);
    await eventually(async () => expect(await streams()).toBe(1), 2000, "one notifications stream");

    await like(url, "erin", tweetId);
    await eventually(
      () => expect(result.current.notifications[0]?.tweet?.id).toBe(tweetId),
      2000,
      "the like",
    );
    await act(() => quietFor(300));
    expect(result.current.notifications.filter((n) => n.tweet?.id === tweetId)).toHaveLength(1);
  });

  test("after a dropped socket it resumes from its last cursor and shows each notification once", async () => {
    const sockets = controllableSocket(await freePort());
    const client = clientFor("alice", { webSocketImpl: sockets.impl });
    const { result } = renderHook(() => useNotifications({ first: 50 }), {
      wrapper: wrapperFor(client),
    });
    await eventually(() => expect(client.status.getSnapshot()).toBe("live"), 5000, "live");
    await eventually(() => expect(result.current.loading).toBe(false), 5000, "first page");
    const first = await postTweet(url, "bob", "before the drop @alice");
    await eventually(
      () => expect(result.current.notifications[0]?.tweet?.id).toBe(first),
      2000,
      "the mention before the drop",
    );

    sockets.blocked = true;
    sockets.cut();
    await eventually(() => expect(client.status.getSnapshot()).toBe("reconnecting"), 2000, "down");
    const missed: string[] = [];
    for (const n of [1, 2, 3]) missed.push(await postTweet(url, "carol", `while away ${n} @alice`));
    sockets.blocked = false;

    await eventually(() => expect(client.status.getSnapshot()).toBe("live"), 5000, "back");
    await eventually(
      () =>
        expect(result.current.notifications.slice(0, 4).map((n) => n.tweet?.id)).toEqual([
          ...missed.reverse(),
          first,
        ]),
      3000,
      "the three missed mentions, newest first",
    );
    await act(() => quietFor(500));
    const cursors = result.current.notifications.map((n) => n.cursor);
    expect(cursors.length).toBe(new Set(cursors).size);
    expect(result.current.unreadCount).toBe(await unreadCount(url, "alice"));

    // On the wire: the resubscription asked for what came after the last cursor seen,
    // and the server sent each missed notification exactly once.
    const firstCursor = result.current.notifications[3]?.cursor;
    const resubscribe = sockets.sent.filter(
      (m) => m.type === "subscribe" && m.payload?.query?.includes("NotificationEvents"),
    );
    expect(resubscribe.at(-1)?.payload?.variables).toEqual({ after: firstCursor });
    const delivered = sockets.received
      .filter((m) => m.type === "next")
      .map(
        (m) =>
          (m.payload?.data as { notifications?: { notification?: { tweet?: { id: string } } } })
            .notifications?.notification?.tweet?.id,
      );
    for (const id of [first, ...missed])
      expect(count(delivered, id), `deliveries of ${id}`).toBe(1);
  });

  test("a disposed client opens no new socket for a stream still mounted", async () => {
    const sockets = controllableSocket(await freePort());
    const client = clientFor("alice", { webSocketImpl: sockets.impl });
    const { result } = renderHook(() => useNotifications(), { wrapper: wrapperFor(client) });
    await eventually(() => expect(result.current.loading).toBe(false), 5000, "first page");
    await eventually(() => expect(client.status.getSnapshot()).toBe("live"), 5000, "live");
    const opened = sockets.opened;
    client.dispose();
    await act(() => quietFor(500));
    expect(sockets.opened).toBe(opened);
    expect(client.status.getSnapshot()).toBe("offline");
  });

  test("markRead and markAllRead reach the viewer's other tabs", async () => {
    const tweetId = await postTweet(url, "alice", "two tabs");
    const tabA = clientFor("alice");
    const tabB = clientFor("alice");
    const a = renderHook(() => useNotifications(), { wrapper: wrapperFor(tabA) });
    const b = renderHook(() => useNotifications(), { wrapper: wrapperFor(tabB) });
    await eventually(() => expect(tabA.status.getSnapshot()).toBe("live"), 5000, "tab A live");
    await eventually(() => expect(tabB.status.getSnapshot()).toBe("live"), 5000, "tab B live");
    await eventually(() => expect(b.result.current.loading).toBe(false), 5000, "tab B loaded");

    await like(url, "dave", tweetId);
    await eventually(
      () => expect(b.result.current.notifications[0]?.tweet?.id).toBe(tweetId),
      2000,
      "tab B has the like",
    );
    const unread = await unreadCount(url, "alice");
    expect(b.result.current.unreadCount).toBe(unread);
    const id = b.result.current.notifications[0]?.id ?? "";
    await eventually(
      () => expect(a.result.current.notifications[0]?.id).toBe(id),
      2000,
      "tab A has it",
    );

    await act(() => a.result.current.markRead(id));
    expect(a.result.current.unreadCount).toBe(unread - 1);
    await eventually(() => expect(b.result.current.unreadCount).toBe(unread - 1), 2000, "B drops");
    expect(b.result.current.notifications[0]?.read).toBe(true);

    await act(() => b.result.current.markAllRead());
    expect(b.result.current.unreadCount).toBe(0);
    await eventually(() => expect(a.result.current.unreadCount).toBe(0), 2000, "A drops to 0");
    expect(a.result.current.notifications.every((n) => n.read)).toBe(true);
    expect(await unreadCount(url, "alice")).toBe(0);
  });
});

describe("useFeedUpdates", () => {
  test("collects new tweets behind a count until shown", async () => {
    const client = clientFor("erin");
    const { result } = renderHook(() => useFeedUpdates(), { wrapper: wrapperFor(client) });
    await eventually(() => expect(result.current.loading).toBe(false), 5000, "first page");
    await eventually(() => expect(client.status.getSnapshot()).toBe("live"), 5000, "live");
    const top = result.current.tweets[0]?.id;

    const one = await postTweet(url, "bob", "feed one");
    const two = await postTweet(url, "carol", "feed two");
    await eventually(() => expect(result.current.newCount).toBe(2), 2000, "two new");
    expect(result.current.tweets[0]?.id).toBe(top);
    act(() => result.current.showNew());
    expect(result.current.tweets.slice(0, 2).map((t) => t.id)).toEqual([two, one]);
    expect(result.current.newCount).toBe(0);
  });

  test("after a dropped socket the feed resumes with after: the newest tweet seen, each missed tweet once", async () => {
    const sockets = controllableSocket(await freePort());
    const client = clientFor("erin", { webSocketImpl: sockets.impl });
    const { result } = renderHook(() => useFeedUpdates(), { wrapper: wrapperFor(client) });
    await eventually(() => expect(client.status.getSnapshot()).toBe("live"), 5000, "live");
    await eventually(() => expect(result.current.loading).toBe(false), 5000, "first page");
    const seen = await postTweet(url, "bob", "seen before the drop");
    await eventually(
      () => expect(result.current.pending.map((t) => t.id)).toEqual([seen]),
      2000,
      "live one",
    );

    sockets.blocked = true;
    sockets.cut();
    await eventually(() => expect(client.status.getSnapshot()).toBe("reconnecting"), 2000, "down");
    const away: string[] = [];
    for (const n of [1, 2, 3])
      away.push(await postTweet(url, "dave", `posted while erin was away ${n}`));
    sockets.blocked = false;
    await eventually(
      () =>
        expect(result.current.pending.map((t) => t.id)).toEqual([...away].reverse().concat(seen)),
      5000,
      "caught up",
    );
    await act(() => quietFor(300));
    expect(result.current.pending.map((t) => t.id)).toEqual([...away].reverse().concat(seen));

    // On the wire: the new operation asked for what came after the newest tweet held, and the
    // server sent each missed tweet exactly once.
    const subscribes = sockets.sent.filter(
      (m) => m.type === "subscribe" && m.payload?.query?.includes("FeedUpdates"),
    );
    expect(subscribes.at(-1)?.payload?.variables).toEqual({ after: seen });
    const delivered = sockets.received
      .filter((m) => m.type === "next")
      .map((m) => (m.payload?.data as { feed?: { id: string } }).feed?.id);
    for (const id of [seen, ...away]) expect(count(delivered, id), `deliveries of ${id}`).toBe(1);
  });
});

describe("useThread", () => {
  test("shows the tweet and its replies, and a new reply arrives live, once", async () => {
    const root = await postTweet(url, "alice", "a thread for the hook");
    const early = await postTweet(url, "bob", "an early reply", root);
    const client = clientFor("carol");
    const { result } = renderHook(() => useThread(root), { wrapper: wrapperFor(client) });
    await eventually(() => expect(result.current.tweet?.id).toBe(root), 5000, "the tweet");
    await eventually(
      () => expect(result.current.replies.map((r) => r.id)).toEqual([early]),
      5000,
      "replies",
    );
    await eventually(() => expect(client.status.getSnapshot()).toBe("live"), 5000, "live");

    const late = await postTweet(url, "dave", "a later reply", root);
    const later = await postTweet(url, "erin", "and another", root);
    await eventually(
      () => expect(result.current.replies.map((r) => r.id)).toEqual([early, late, later]),
      3000,
      "the new replies, oldest first",
    );
    await act(() => quietFor(300));
    expect(result.current.replies.map((r) => r.id)).toEqual([early, late, later]);
  });

  test("a tweet that does not exist is null, not an error", async () => {
    const client = clientFor("carol");
    const { result } = renderHook(() => useThread("99999999"), { wrapper: wrapperFor(client) });
    await eventually(() => expect(result.current.tweet).toBeNull(), 5000, "null");
    expect(result.current.error).toBeUndefined();
  });
});

describe("useEngagementUpdates", () => {
  test("starts from the current counts and follows every change", async () => {
    const tweetId = await postTweet(url, "carol", "engage with me");
    await like(url, "alice", tweetId);
    const client = clientFor("erin");
    const { result } = renderHook(() => useEngagementUpdates(tweetId), {
      wrapper: wrapperFor(client),
    });
    await eventually(() => expect(result.current?.likes).toBe(1), 5000, "snapshot");
    await like(url, "bob", tweetId);
    await gql(url, "dave", "mutation($t: ID!) { retweet(tweetId: $t) { retweets } }", {
      t: tweetId,
    });
    await postTweet(url, "erin", "a reply", tweetId);
    expect(result.current?.likedByViewer).toBe(false);
    await like(url, "erin", tweetId); // the subscriber's own like: its stream says so
    await eventually(
      () =>
        expect({
          likes: result.current?.likes,
          retweets: result.current?.retweets,
          replies: result.current?.replies,
          liked: result.current?.likedByViewer,
        }).toEqual({ likes: 3, retweets: 1, replies: 1, liked: true }),
      2000,
      "the counts",
    );
  });
});

describe("useTrending", () => {
  test("a new hashtag shows up in the ranking", async () => {
    const client = clientFor("dave");
    const { result } = renderHook(() => useTrending(), { wrapper: wrapperFor(client) });
    await eventually(() => expect(result.current).toBeDefined(), 5000, "first ranking");
    for (const n of [1, 2, 3, 4]) await postTweet(url, "bob", `#VitestTrend number ${n}`);
    await eventually(
      () =>
        expect(result.current?.topics.find((t) => t.topic === "vitesttrend")?.tweetCount).toBe(4),
      5000,
      "#vitesttrend counted 4 times",
    );
  });
});

describe("useTyping", () => {
  test("shows who else is typing, and setTyping is throttled and stops by itself", async () => {
    const conversationId = await postTweet(url, "alice", "type a reply");
    const requests: string[] = [];
    const countingFetch: typeof fetch = async (input, init) => {
      if (typeof init?.body === "string") requests.push(init.body);
      return fetch(input, init);
    };
    const typist = clientFor("bob", { fetch: countingFetch });
    const watcher = clientFor("alice");
    const bob = renderHook(() => useTyping(conversationId, { idleMs: 600 }), {
      wrapper: wrapperFor(typist),
    });
    const alice = renderHook(() => useTyping(conversationId), { wrapper: wrapperFor(watcher) });
    await eventually(() => expect(typist.status.getSnapshot()).toBe("live"), 5000, "bob live");
    await eventually(() => expect(watcher.status.getSnapshot()).toBe("live"), 5000, "alice live");
    await act(() => quietFor(200)); // both typing subscriptions are registered server-side

    act(() => {
      for (let i = 0; i < 10; i++) bob.result.current.setTyping(true);
    });
    await eventually(
      () => expect(alice.result.current.typingUsers.map((u) => u.id)).toEqual(["bob"]),
      2000,
      "alice sees bob typing",
    );
    expect(bob.result.current.typingUsers).toEqual([]);
    await eventually(() => expect(alice.result.current.typingUsers).toEqual([]), 3000, "idle stop");
    // This server is not locked: the first SetTyping went by hash alone, was not found, and
    // went again as text (src/lib/persisted.ts); the ones that ran are those with their text.
    const sent = requests.filter(
      (body) => body.includes("SetTyping") && "query" in (JSON.parse(body) as object),
    );
    expect(requests.filter((body) => body.includes("SetTyping"))).toHaveLength(sent.length + 1);
    expect(
      sent.map(
        (body) => (JSON.parse(body) as { variables: { isTyping: boolean } }).variables.isTyping,
      ),
    ).toEqual([true, false]);
    expect(count(sent, sent[0]), "no duplicate true").toBe(1);
  });
});
