/** What the tests share: HTTP calls as a demo user, tokens, waiting, and a socket they can cut. */
import { createHmac } from "node:crypto";

import { WebSocket } from "ws";

import { createTidingsClient, type TidingsClient, type TidingsClientOptions } from "../src/lib";
import type { WebSocketConstructor } from "../src/lib/websocket";

export async function demoToken(baseUrl: string, userId: string): Promise<string> {
  const response = await fetch(`${baseUrl}/demo/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId }),
  });
  if (!response.ok) throw new Error(`POST /demo/token ${userId}: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** A JWT signed with the test server's secret; `expiresIn` seconds from now. */
export function signToken(secret: string, userId: string, expiresIn: number): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const body = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({
    sub: userId,
    handle: userId,
    name: userId.charAt(0).toUpperCase() + userId.slice(1),
    iat: now,
    exp: now + expiresIn,
  })}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}

/** One GraphQL call over HTTP as `userId`; throws on any error. */
export async function gql<T>(
  baseUrl: string,
  userId: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${await demoToken(baseUrl, userId)}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors !== undefined || body.data === undefined) {
    throw new Error(`GraphQL errors for ${userId}: ${JSON.stringify(body.errors)}`);
  }
  return body.data;
}

export async function postTweet(
  baseUrl: string,
  userId: string,
  content: string,
  replyTo?: string,
) {
  const data = await gql<{ postTweet: { id: string } }>(
    baseUrl,
    userId,
    "mutation($c: String!, $r: ID) { postTweet(content: $c, replyTo: $r) { id } }",
    { c: content, r: replyTo ?? null },
  );
  return data.postTweet.id;
}

export async function like(baseUrl: string, userId: string, tweetId: string) {
  return gql<{ likeTweet: { likes: number } }>(
    baseUrl,
    userId,
    "mutation($t: ID!) { likeTweet(tweetId: $t) { likes } }",
    { t: tweetId },
  );
}

export async function unreadCount(baseUrl: string, userId: string): Promise<number> {
  return (await gql<{ unreadCount: number }>(baseUrl, userId, "{ unreadCount }")).unreadCount;
}

/** Resolves once `check` returns without throwing; rethrows its last error after `timeoutMs`. */
export async function until<T>(check: () => T, timeoutMs = 5000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`${what} not met within ${timeoutMs} ms: ${String(error)}`);
      }
    }
    await new Promise((wake) => setTimeout(wake, 25));
  }
}

/** Resolves after `ms`; only for "nothing more arrives" windows, never to wait for something. */
export function quietFor(ms: number): Promise<void> {
  return new Promise((wake) => setTimeout(wake, ms));
}

/**
 * `ws`'s WebSocket, plus two levers: `cut()` terminates every open socket as a dead
 * network would, and while `blocked` new sockets are pointed at a port nobody listens on.
 */
export interface SocketControl {
  readonly impl: WebSocketConstructor;
  blocked: boolean;
  readonly opened: number;
  /** Every frame the client sent and received, parsed, in order. */
  readonly sent: WireMessage[];
  readonly received: WireMessage[];
  cut(): void;
}

export interface WireMessage {
  type: string;
  id?: string;
  payload?: {
    variables?: Record<string, unknown>;
    query?: string;
    extensions?: Record<string, unknown>;
    data?: unknown;
  };
}

export function controllableSocket(deadPort: number): SocketControl {
  const open = new Set<WebSocket>();
  const control = {
    blocked: false,
    opened: 0,
    sent: [] as WireMessage[],
    received: [] as WireMessage[],
    cut() {
      for (const socket of open) socket.terminate();
    },
  } as Omit<SocketControl, "impl"> & { impl: WebSocketConstructor; opened: number };
  class ControlledSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      const target = control.blocked ? url.replace(/:\d+\//, `:${deadPort}/`) : url;
      super(target, protocols);
      control.opened++;
      open.add(this);
      this.once("close", () => open.delete(this));
      this.on("message", (data: Buffer) => control.received.push(JSON.parse(data.toString())));
    }

    override send(data: string): void {
      control.sent.push(JSON.parse(data) as WireMessage);
      super.send(data);
    }
  }
  control.impl = ControlledSocket as unknown as WebSocketConstructor;
  return control;
}

/** A client for `userId` against the test server, with quick retries. */
export function testClient(
  baseUrl: string,
  userId: string,
  options: Partial<TidingsClientOptions> = {},
): TidingsClient {
  return createTidingsClient({
    url: `${baseUrl}/graphql`,
    getToken: () => demoToken(baseUrl, userId),
    webSocketImpl: WebSocket as unknown as WebSocketConstructor,
    backoff: { baseMs: 50, maxMs: 400 },
    keepAlive: 5000,
    ...options,
  });
}

/** Every status a client passes through, in order. */
export function recordStatuses(client: TidingsClient): string[] {
  const seen = [client.status.getSnapshot() as string];
  client.status.subscribe(() => seen.push(client.status.getSnapshot()));
  return seen;
}
