import { describe, expect, test } from "vitest";

import { backoffDelay } from "../src/lib/backoff";
import { feedReducer, type FeedTweet } from "../src/lib/hooks/useFeedUpdates";
import { compareIds, maxId } from "../src/lib/ids";
import { notificationsReducer, type NotificationItem } from "../src/lib/hooks/useNotifications";
import { retryableClose, WS_4599_RETRYABLE } from "../src/lib/websocket";

describe("backoffDelay", () => {
  test("doubles from the base with at most half of each step as jitter", () => {
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, { random: () => 0 }))).toEqual([
      250, 500, 1000, 2000,
    ]);
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, { random: () => 0.999999 }))).toEqual([
      500, 1000, 2000, 4000,
    ]);
  });

  test("stays at the cap however many tries have failed", () => {
    expect(backoffDelay(10_000, { maxMs: 8000, random: () => 0 })).toBe(4000);
    expect(backoffDelay(10_000, { maxMs: 8000, random: () => 0.999999 })).toBe(8000);
  });
});

describe("retryableClose", () => {
  test("turns codes graphql-ws would give up on into a retryable one, keeping the original", () => {
    expect(retryableClose({ code: 1011, reason: "boom", wasClean: true })).toEqual({
      code: WS_4599_RETRYABLE,
      reason: "1011: boom",
      wasClean: true,
      originalCode: 1011,
    });
    expect(retryableClose({ code: 4500, reason: "bug", wasClean: true }).code).toBe(
      WS_4599_RETRYABLE,
    );
  });

  test("leaves retryable codes and 4403 alone", () => {
    for (const code of [1000, 1001, 1006, 1012, 4403, 4408, 4499]) {
      expect(retryableClose({ code, reason: "", wasClean: false }).code).toBe(code);
    }
  });
});

function notification(cursor: string, read = false): NotificationItem {
  return {
    __typename: "Notification",
    id: `n${cursor}`,
    kind: "LIKE",
    read,
    createdAt: "2024-01-01T00:00:00Z",
    cursor,
    actor: { __typename: "User", id: "bob", handle: "bob", displayName: "Bob" },
    tweet: null,
  };
}

describe("notificationsReducer", () => {
  const loaded = notificationsReducer(
    { notifications: [], unreadCount: 0, loading: true, error: undefined },
    { type: "loaded", notifications: [notification("2"), notification("1", true)], unreadCount: 1 },
  );

  test("a CREATED event already held is dropped, so a replay shows each notification once", () => {
    const event = {
      __typename: "NotificationEvent" as const,
      kind: "CREATED" as const,
      cursor: "2",
      unreadCount: 5,
      notification: notification("2"),
    };
    expect(notificationsReducer(loaded, { type: "event", event })).toBe(loaded);
  });

  test("a new CREATED event goes on top with the server's count", () => {
    const event = {
      __typename: "NotificationEvent" as const,
      kind: "CREATED" as const,
      cursor: "3",
      unreadCount: 2,
      notification: notification("3"),
    };
    const next = notificationsReducer(loaded, { type: "event", event });
    expect(next.notifications.map((n) => n.cursor)).toEqual(["3", "2", "1"]);
    expect(next.unreadCount).toBe(2);
  });

  test("READ and ALL_READ take the server's count", () => {
    const read = notificationsReducer(loaded, {
      type: "event",
      event: {
        __typename: "NotificationEvent",
        kind: "READ",
        cursor: "2",
        unreadCount: 0,
        notification: notification("2", true),
      },
    });
    expect(read.notifications.map((n) => n.read)).toEqual([true, true]);
    expect(read.unreadCount).toBe(0);
    const all = notificationsReducer(loaded, {
      type: "event",
      event: {
        __typename: "NotificationEvent",
        kind: "ALL_READ",
        cursor: "2",
        unreadCount: 0,
        notification: null,
      },
    });
    expect(all.notifications.every((n) => n.read)).toBe(true);
  });

  test("marking read locally drops the count once, however often it is clicked", () => {
    const once = notificationsReducer(loaded, { type: "markedRead", id: "n2" });
    expect(notificationsReducer(once, { type: "markedRead", id: "n2" })).toBe(once);
    expect(once.unreadCount).toBe(0);
  });
});

function tweet(id: string): FeedTweet {
  return {
    __typename: "Tweet",
    id,
    content: id,
    hashtags: [],
    createdAt: "2024-01-01T00:00:00Z",
    replyTo: null,
    author: { __typename: "User", id: "bob", handle: "bob", displayName: "Bob" },
    metrics: {
      __typename: "EngagementMetrics",
      tweetId: id,
      likes: 0,
      replies: 0,
      retweets: 0,
      updatedAt: "2024-01-01T00:00:00Z",
      likedByViewer: false,
      retweetedByViewer: false,
    },
  };
}

describe("feedReducer", () => {
  test("new tweets wait in pending, deduplicated, until shown", () => {
    let state = feedReducer(
      { tweets: [], pending: [], loading: true, hasOlder: true, error: undefined },
      { type: "loaded", tweets: [tweet("1")], hasOlder: false },
    );
    state = feedReducer(state, { type: "arrived", tweets: [tweet("2")] });
    state = feedReducer(state, { type: "arrived", tweets: [tweet("3"), tweet("2"), tweet("1")] });
    expect(state.pending.map((t) => t.id)).toEqual(["3", "2"]);
    state = feedReducer(state, { type: "showNew" });
    expect(state.tweets.map((t) => t.id)).toEqual(["3", "2", "1"]);
    expect(state.pending).toEqual([]);
  });

  test("a replay arriving oldest first still waits newest first; ids compare as numbers", () => {
    let state = feedReducer(
      { tweets: [], pending: [], loading: true, hasOlder: true, error: undefined },
      { type: "loaded", tweets: [tweet("9")], hasOlder: false },
    );
    for (const id of ["10", "11", "100"])
      state = feedReducer(state, { type: "arrived", tweets: [tweet(id)] });
    expect(state.pending.map((t) => t.id)).toEqual(["100", "11", "10"]);
  });

  test("an error clears when the stream delivers again, and older pages append without repeats", () => {
    let state = feedReducer(
      {
        tweets: [tweet("5"), tweet("4")],
        pending: [],
        loading: false,
        hasOlder: true,
        error: undefined,
      },
      { type: "failed", error: new Error("[Network] Failed to fetch") },
    );
    expect(state.error).toBeDefined();
    state = feedReducer(state, { type: "arrived", tweets: [tweet("5")] });
    expect(state.error).toBeUndefined();
    state = feedReducer(state, {
      type: "older",
      tweets: [tweet("4"), tweet("3")],
      hasOlder: false,
    });
    expect(state.tweets.map((t) => t.id)).toEqual(["5", "4", "3"]);
    expect(state.hasOlder).toBe(false);
  });
});

describe("compareIds", () => {
  test("orders decimal ids by value without parsing them", () => {
    const ids = ["10", "9", "18446744073709551615", "100", "1"];
    expect([...ids].sort(compareIds)).toEqual(["1", "9", "10", "100", "18446744073709551615"]);
    expect(maxId(null, "3")).toBe("3");
    expect(maxId("12", "3")).toBe("12");
  });
});
