/**
 * Documents named by their codegen hash (src/lib/persisted.ts), against real servers: the shared
 * one, which is not locked (automatic persisted queries), and one locked to the dashboard's own
 * src/gql/persisted-documents.json (TIDINGS_TRUSTED_DOCUMENTS), where only those documents run.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from "vitest";

import type {
  EngagementSubscription as EngagementEvent,
  NotificationEventsSubscription,
} from "../src/gql/graphql";
import {
  documentHash,
  EngagementSubscription,
  LikeTweetMutation,
  NotificationsSubscription,
  PostTweetMutation,
  subscribeResumable,
  ViewerQuery,
  type TidingsClient,
  type TidingsClientOptions,
} from "../src/lib";
import {
  controllableSocket,
  gql,
  like,
  postTweet,
  testClient,
  until,
  type SocketControl,
} from "./helpers";
import { freePort, startServer, type RunningServer } from "./server";

const url = inject("tidingsUrl");
const DOCUMENTS = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "src",
  "gql",
  "persisted-documents.json",
);
const clients: TidingsClient[] = [];

afterEach(() => {
  for (const client of clients.splice(0)) client.dispose();
});

/** What one request carried: its text (or none) and the hash it named (or none). */
interface Sent {
  query: string | undefined;
  hash: string | undefined;
}

function sent(payload: { query?: unknown; extensions?: unknown } | undefined): Sent {
  const persisted = (
    payload?.extensions as { persistedQuery?: { sha256Hash?: string } } | undefined
  )?.persistedQuery;
  return {
    query: typeof payload?.query === "string" ? payload.query : undefined,
    hash: persisted?.sha256Hash,
  };
}

/** A client for `userId` whose HTTP bodies and WebSocket frames are kept for the test to read. */
function recordedClient(
  baseUrl: string,
  userId: string,
  sockets: SocketControl,
  options: Partial<TidingsClientOptions> = {},
): { client: TidingsClient; http: Sent[]; ws: () => Sent[] } {
  const http: Sent[] = [];
  const client = testClient(baseUrl, userId, {
    webSocketImpl: sockets.impl,
    fetch: async (input, init) => {
      if (typeof init?.body === "string") http.push(sent(JSON.parse(init.body) as object));
      return fetch(input, init);
    },
    ...options,
  });
  clients.push(client);
  const ws = () => sockets.sent.filter((m) => m.type === "subscribe").map((m) => sent(m.payload));
  return { client, http, ws };
}

function hashOf(document: unknown): string {
  const hash = documentHash(document);
  if (hash === undefined) throw new Error("the document has no codegen hash");
  return hash;
}

describe("the codegen hash", () => {
  test("is the key of the document in persisted-documents.json, without its prefix", () => {
    const file = JSON.parse(readFileSync(DOCUMENTS, "utf8")) as Record<string, string>;
    for (const document of [ViewerQuery, LikeTweetMutation, EngagementSubscription]) {
      expect(Object.keys(file)).toContain(`sha256:${hashOf(document)}`);
    }
    expect(documentHash({ kind: "Document", definitions: [] })).toBeUndefined();
  });
});

describe("against a server that is not locked", () => {
  test("a query goes by hash, again as text when the server does not know the hash, then as text", async () => {
    const { client, http } = recordedClient(url, "carol", controllableSocket(await freePort()));
    const first = await client.urql
      .query(ViewerQuery, {}, { requestPolicy: "network-only" })
      .toPromise();
    expect(first.error).toBeUndefined();
    expect(first.data?.viewer?.handle).toBe("carol");
    const hash = hashOf(ViewerQuery);
    expect(http).toEqual([
      { query: undefined, hash },
      { query: expect.stringContaining("query Viewer"), hash: undefined },
    ]);

    const again = await client.urql
      .query(ViewerQuery, {}, { requestPolicy: "network-only" })
      .toPromise();
    expect(again.data?.viewer?.handle).toBe("carol");
    expect(http.slice(2)).toEqual([
      { query: expect.stringContaining("query Viewer"), hash: undefined },
    ]);
  });

  test("a subscription goes by hash, then as text, and its events arrive", async () => {
    const tweetId = await postTweet(url, "dave", "counted by a client that names documents");
    const { client, ws } = recordedClient(url, "carol", controllableSocket(await freePort()));
    const seen: EngagementEvent["engagement"][] = [];
    const subscription = client.urql
      .subscription(EngagementSubscription, { tweetId })
      .subscribe((result) => {
        if (result.data !== undefined) seen.push(result.data.engagement);
      });
    await until(() => expect(seen.map((m) => m.likes)).toEqual([0]), 5000, "the snapshot");
    await like(url, "erin", tweetId);
    await until(() => expect(seen.map((m) => m.likes)).toEqual([0, 1]), 5000, "the new count");
    subscription.unsubscribe();
    expect(ws()).toEqual([
      { query: "", hash: hashOf(EngagementSubscription) },
      { query: expect.stringContaining("subscription Engagement"), hash: undefined },
    ]);
    // The documents select __typename as urql would add it: the same answer either way.
    expect(seen[1]).toMatchObject({ __typename: "EngagementMetrics", tweetId, likes: 1 });
  });
});

describe("against a server locked to the dashboard's persisted documents", () => {
  let dir = "";
  let locked: RunningServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tidings-vitest-locked-"));
    locked = await startServer({
      port: await freePort(),
      databasePath: join(dir, "tidings.db"),
      secret: `vitest-${Math.random().toString(36).slice(2)}`,
      env: { TIDINGS_TRUSTED_DOCUMENTS: DOCUMENTS },
    });
  });

  afterAll(async () => {
    await locked.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a text the file does not hold is refused, even the dashboard's own query as urql prints it", async () => {
    await expect(gql(locked.url, "carol", "{ viewer { id } }")).rejects.toThrow(
      /PERSISTED_QUERY_NOT_FOUND/,
    );
    await expect(
      gql(locked.url, "carol", "query Viewer { viewer { id handle displayName __typename } }"),
    ).rejects.toThrow(/PERSISTED_QUERY_NOT_FOUND/);
  });

  test("queries and mutations run by hash alone", async () => {
    const dave = recordedClient(locked.url, "dave", controllableSocket(await freePort()));
    const carol = recordedClient(locked.url, "carol", controllableSocket(await freePort()));
    const viewer = await carol.client.urql
      .query(ViewerQuery, {}, { requestPolicy: "network-only" })
      .toPromise();
    expect(viewer.error).toBeUndefined();
    expect(viewer.data?.viewer).toEqual({
      __typename: "User",
      id: "carol",
      handle: "carol",
      displayName: "Carol",
    });
    const posted = await dave.client.urql
      .mutation(PostTweetMutation, { content: "posted by hash", replyTo: null })
      .toPromise();
    expect(posted.error).toBeUndefined();
    const tweetId = posted.data?.postTweet.id ?? "";
    const liked = await carol.client.urql.mutation(LikeTweetMutation, { tweetId }).toPromise();
    expect(liked.error).toBeUndefined();
    expect(liked.data?.likeTweet).toMatchObject({ tweetId, likes: 1, likedByViewer: true });

    expect(carol.http).toEqual([
      { query: undefined, hash: hashOf(ViewerQuery) },
      { query: undefined, hash: hashOf(LikeTweetMutation) },
    ]);
    expect(dave.http).toEqual([{ query: undefined, hash: hashOf(PostTweetMutation) }]);
  });

  test("subscriptions, urql's and subscribeResumable's, run by hash alone and deliver live", async () => {
    const dave = recordedClient(locked.url, "dave", controllableSocket(await freePort()));
    const carol = recordedClient(locked.url, "carol", controllableSocket(await freePort()));
    const posted = await dave.client.urql
      .mutation(PostTweetMutation, { content: "watched by hash", replyTo: null })
      .toPromise();
    const tweetId = posted.data?.postTweet.id ?? "";
    expect(tweetId).not.toBe("");

    const likes: number[] = [];
    const engagement = dave.client.urql
      .subscription(EngagementSubscription, { tweetId })
      .subscribe((result) => {
        if (result.data !== undefined) likes.push(result.data.engagement.likes);
      });
    const notifications: NotificationEventsSubscription["notifications"][] = [];
    const errors: unknown[] = [];
    const stop = subscribeResumable<NotificationEventsSubscription, { after: string | null }>(
      dave.client.ws,
      NotificationsSubscription,
      () => ({ after: null }),
      {
        next: (message) => {
          if (message.data) notifications.push(message.data.notifications);
        },
        error: (error) => errors.push(error),
      },
    );
    await until(() => expect(likes).toEqual([0]), 5000, "the snapshot");
    await until(() => expect(dave.ws()).toHaveLength(2), 5000, "both subscriptions sent");

    const liked = await carol.client.urql.mutation(LikeTweetMutation, { tweetId }).toPromise();
    expect(liked.error).toBeUndefined();
    await until(() => expect(likes).toEqual([0, 1]), 5000, "the like, live");
    await until(
      () =>
        expect(notifications).toContainEqual(
          expect.objectContaining({
            kind: "CREATED",
            notification: expect.objectContaining({
              kind: "LIKE",
              actor: expect.objectContaining({ handle: "carol" }),
              tweet: expect.objectContaining({ id: tweetId }),
            }),
          }),
        ),
      5000,
      "the notification, live",
    );
    engagement.unsubscribe();
    stop();
    expect(errors).toEqual([]);
    const byHash = (a: Sent, b: Sent) => String(a.hash).localeCompare(String(b.hash));
    expect(dave.ws().sort(byHash)).toEqual(
      [
        { query: "", hash: hashOf(EngagementSubscription) },
        { query: "", hash: hashOf(NotificationsSubscription) },
      ].sort(byHash),
    );
  });
});
