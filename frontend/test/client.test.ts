import { afterEach, describe, expect, inject, test } from "vitest";

import { EngagementSubscription, type TidingsClient } from "../src/lib";
import { freePort } from "./server";
import {
  controllableSocket,
  demoToken,
  like,
  postTweet,
  recordStatuses,
  signToken,
  testClient,
  until,
} from "./helpers";

const url = inject("tidingsUrl");
const secret = inject("tidingsSecret");
const clients: TidingsClient[] = [];

function track(client: TidingsClient): TidingsClient {
  clients.push(client);
  return client;
}

afterEach(() => {
  for (const client of clients.splice(0)) client.dispose();
});

describe("createTidingsClient", () => {
  test("connects with the token from getToken and reports connecting, then live", async () => {
    const calls: boolean[] = [];
    const client = track(
      testClient(url, "carol", {
        getToken: ({ forceRefresh }) => {
          calls.push(forceRefresh);
          return demoToken(url, "carol");
        },
      }),
    );
    const statuses = recordStatuses(client);
    await until(() => expect(client.status.getSnapshot()).toBe("live"), 5000, "live");
    expect(statuses).toEqual(["connecting", "live"]);
    expect(calls).toEqual([false]);
  });

  test("subscriptions go through urql's subscription exchange over the socket", async () => {
    const tweetId = await postTweet(url, "dave", "counting likes over urql");
    const client = track(testClient(url, "carol"));
    const seen: number[] = [];
    const subscription = client.urql
      .subscription(EngagementSubscription, { tweetId })
      .subscribe((result) => {
        if (result.data !== undefined) seen.push(result.data.engagement.likes);
      });
    await until(() => expect(seen).toEqual([0]), 5000, "the snapshot");
    await like(url, "erin", tweetId);
    await until(() => expect(seen).toEqual([0, 1]), 5000, "the new count");
    subscription.unsubscribe();
  });

  test("after a 4403 the next attempt asks getToken for a fresh token instead of resending it", async () => {
    const calls: boolean[] = [];
    const client = track(
      testClient(url, "carol", {
        getToken: async ({ forceRefresh }) => {
          calls.push(forceRefresh);
          return calls.length === 1 ? "not-a-jwt" : demoToken(url, "carol");
        },
      }),
    );
    const closes: number[] = [];
    client.ws.on("closed", (event) => closes.push((event as { code: number }).code));
    await until(() => expect(client.status.getSnapshot()).toBe("live"), 5000, "live");
    expect(closes).toEqual([4403]);
    expect(calls).toEqual([false, true]);
  });

  test("a token that expires while connected is replaced and the client comes back live", async () => {
    const calls: boolean[] = [];
    const client = track(
      testClient(url, "carol", {
        getToken: async ({ forceRefresh }) => {
          calls.push(forceRefresh);
          return forceRefresh ? demoToken(url, "carol") : signToken(secret, "carol", 2);
        },
      }),
    );
    const statuses = recordStatuses(client);
    const closes: number[] = [];
    client.ws.on("closed", (event) => closes.push((event as { code: number }).code));
    await until(() => expect(statuses).toEqual(["connecting", "live"]), 5000, "first live");
    await until(() => expect(closes).toEqual([4403]), 6000, "the expiry close");
    await until(() => expect(client.status.getSnapshot()).toBe("live"), 5000, "live again");
    expect(statuses).toEqual(["connecting", "live", "reconnecting", "live"]);
    expect(calls).toEqual([false, true]);
  });

  test("keeps retrying past graphql-ws' five attempts while the server is unreachable", async () => {
    const sockets = controllableSocket(await freePort());
    sockets.blocked = true;
    const client = track(
      testClient(url, "carol", { webSocketImpl: sockets.impl, backoff: { baseMs: 10, maxMs: 40 } }),
    );
    await until(() => expect(sockets.opened).toBeGreaterThan(8), 5000, "nine attempts");
    expect(client.status.getSnapshot()).toBe("connecting");
    sockets.blocked = false;
    await until(() => expect(client.status.getSnapshot()).toBe("live"), 5000, "live");
  });

  test("a dropped socket shows reconnecting, then live again", async () => {
    const sockets = controllableSocket(await freePort());
    const client = track(testClient(url, "carol", { webSocketImpl: sockets.impl }));
    const statuses = recordStatuses(client);
    await until(() => expect(client.status.getSnapshot()).toBe("live"), 5000, "live");
    sockets.blocked = true;
    sockets.cut();
    await until(
      () => expect(client.status.getSnapshot()).toBe("reconnecting"),
      2000,
      "reconnecting",
    );
    sockets.blocked = false;
    await until(() => expect(client.status.getSnapshot()).toBe("live"), 5000, "live again");
    expect(statuses[0]).toBe("connecting");
    expect(statuses.at(-1)).toBe("live");
    expect(new Set(statuses.slice(2, -1))).toEqual(new Set(["reconnecting"]));
  });

  test("sends keep-alive pings and hears the pongs", async () => {
    const client = track(testClient(url, "carol", { keepAlive: 100 }));
    const pongs: boolean[] = [];
    client.ws.on("pong", (received) => pongs.push(received));
    await until(() => expect(pongs.length).toBeGreaterThanOrEqual(3), 3000, "three pongs");
    expect(new Set(pongs)).toEqual(new Set([true]));
  });

  test("dispose closes the socket and reports offline", async () => {
    const client = testClient(url, "carol");
    await until(() => expect(client.status.getSnapshot()).toBe("live"), 5000, "live");
    const closes: number[] = [];
    client.ws.on("closed", (event) => closes.push((event as { code: number }).code));
    client.dispose();
    await until(() => expect(closes).toEqual([1000]), 2000, "normal closure");
    expect(client.status.getSnapshot()).toBe("offline");
  });
});
