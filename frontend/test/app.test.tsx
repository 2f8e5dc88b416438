// @vitest-environment jsdom
import { describe, expect, test } from "vitest";

import { avatarColor, initials } from "../src/app/Avatar";
import { parseRoute, paths } from "../src/app/router";
import { readable } from "../src/app/state";
import { age } from "../src/app/time";
import { latest } from "../src/app/TweetCard";
import { createSlotPool } from "../src/app/visibility";

describe("parseRoute", () => {
  test("knows the four pages and nothing else", () => {
    expect(parseRoute("/")).toEqual({ page: "home" });
    expect(parseRoute("/u/carol")).toEqual({ page: "profile", handle: "carol" });
    expect(parseRoute("/t/42")).toEqual({ page: "thread", id: "42" });
    expect(parseRoute("/tag/GraphQL")).toEqual({ page: "tag", tag: "graphql" });
    expect(parseRoute("/tag/caf%C3%A9")).toEqual({ page: "tag", tag: "café" });
    for (const path of [
      "/t/abc",
      "/t/",
      "/u/",
      "/u/%E0%A4%A",
      "/x/1",
      "/t/1/2",
      `/t/${"9".repeat(21)}`,
    ]) {
      expect(parseRoute(path), path).toEqual({ page: "missing" });
    }
  });

  test("paths and parseRoute agree", () => {
    expect(parseRoute(paths.profile("a b"))).toEqual({ page: "profile", handle: "a b" });
    expect(parseRoute(paths.tag("Launch"))).toEqual({ page: "tag", tag: "launch" });
    expect(parseRoute(paths.thread("7"))).toEqual({ page: "thread", id: "7" });
  });
});

describe("age", () => {
  const now = Date.parse("2024-05-01T12:00:00Z");
  test("moves from now to minutes, hours and days", () => {
    expect(age("2024-05-01T11:59:30Z", now)).toBe("now");
    expect(age("2024-05-01T11:59:00Z", now)).toBe("1m");
    expect(age("2024-05-01T11:15:00Z", now)).toBe("45m");
    expect(age("2024-05-01T09:00:00Z", now)).toBe("3h");
    expect(age("2024-04-29T12:00:00Z", now)).toBe("2d");
    expect(age("2024-05-01T12:00:05Z", now)).toBe("now"); // a clock slightly behind the server
  });
});

describe("avatars", () => {
  test("initials from the display name, else the handle", () => {
    expect(initials("Alice", "alice")).toBe("A");
    expect(initials("Ada  Lovelace King", "ada")).toBe("AK");
    expect(initials("  ", "zed")).toBe("Z");
    expect(initials("émile zola", "ez")).toBe("ÉZ");
  });

  test("one colour per user, always the same", () => {
    expect(avatarColor("alice")).toBe(avatarColor("alice"));
    expect(
      new Set(["alice", "bob", "carol", "dave", "erin"].map(avatarColor)).size,
    ).toBeGreaterThan(2);
  });
});

describe("readable", () => {
  test("drops urql's prefixes and says what a failed fetch means", () => {
    expect(readable(new Error("[Network] Failed to fetch"))).toBe("Could not reach the server.");
    expect(readable("[GraphQL] Tweet is longer than 280 characters")).toBe(
      "Tweet is longer than 280 characters",
    );
    expect(readable("")).toBe("Something went wrong.");
  });
});

describe("latest", () => {
  const base = {
    __typename: "EngagementMetrics" as const,
    tweetId: "1",
    likes: 1,
    replies: 0,
    retweets: 0,
    updatedAt: "2024-01-01T00:00:01Z",
    likedByViewer: true,
    retweetedByViewer: false,
  };
  test("the newer snapshot wins, a tie goes to the later one", () => {
    const older = { ...base, likes: 0, likedByViewer: false, updatedAt: "2024-01-01T00:00:00Z" };
    expect(latest(base, older)).toBe(base);
    expect(latest(older, base)).toBe(base);
    const same = { ...base };
    expect(latest(base, same)).toBe(same);
    expect(latest(base, undefined)).toBe(base);
  });
});

describe("createSlotPool", () => {
  test("grants the first ones that asked, and the next in line when one lets go", () => {
    const pool = createSlotPool(2);
    let changes = 0;
    pool.subscribe(() => changes++);
    for (const key of ["a", "b", "c"]) pool.want(key);
    expect(["a", "b", "c"].map((k) => pool.granted(k))).toEqual([true, true, false]);
    pool.release("a");
    expect(["a", "b", "c"].map((k) => pool.granted(k))).toEqual([false, true, true]);
    pool.want("b"); // asking twice changes nothing
    expect(changes).toBe(4);
  });
});
