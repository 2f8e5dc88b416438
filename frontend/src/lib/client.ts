import {
  Client as UrqlClient,
  cacheExchange,
  fetchExchange,
  subscriptionExchange,
} from "@urql/core";
import {
  createClient as createWsClient,
  type Client as WsClient,
  type FormattedExecutionResult,
  type Sink,
} from "graphql-ws";

import { backoffDelay, type BackoffOptions } from "./backoff";
import {
  DOCUMENT_HASH,
  documentHash,
  persistedExchange,
  subscribePersisted,
  type PersistedPayload,
} from "./persisted";
import { createStatusStore, type ConnectionStatus, type StatusStore } from "./status";
import { retryingWebSocket, type WebSocketConstructor } from "./websocket";

/** Close code the server sends for a missing, bad or expired token (docs/PROTOCOL.md). */
export const WS_4403_FORBIDDEN = 4403;

/**
 * Returns the token to send. `forceRefresh` is true after the server rejected the
 * previous one (HTTP 401/403 or WebSocket close 4403): fetch a new one, do not reuse it.
 */
export type GetToken = (options: { forceRefresh: boolean }) => string | Promise<string>;

export interface TidingsClientOptions {
  /** The GraphQL HTTP endpoint, absolute or relative to the page. Default `/graphql`. */
  url?: string;
  /** The WebSocket endpoint. Default: `url` with `http` swapped for `ws`. */
  wsUrl?: string;
  getToken: GetToken;
  /** Ping interval in ms; a dead socket is noticed within about this long. Default 10 000. */
  keepAlive?: number;
  /** Reconnect backoff. Defaults: 500 ms doubling up to 10 s, with jitter. */
  backoff?: BackoffOptions;
  /** The WebSocket class; the browser's by default, pass `ws`'s on Node. */
  webSocketImpl?: WebSocketConstructor;
  /** The fetch function; `globalThis.fetch` by default. */
  fetch?: typeof fetch;
}

/** What `connected` listeners get: `reconnect` is false only for the very first connection. */
export interface ConnectedEvent {
  reconnect: boolean;
}

export interface TidingsClient {
  /** The urql client for queries, mutations and plain subscriptions. */
  readonly urql: UrqlClient;
  /** The graphql-ws client underneath, for streams that manage their own resumption. */
  readonly ws: WsClient;
  /** connecting, live, reconnecting or offline. */
  readonly status: StatusStore;
  /** Calls `listener` on every acknowledged connection; returns an unsubscribe function. */
  onConnected(listener: (event: ConnectedEvent) => void): () => void;
  /** Closes the socket for good and stops retrying. */
  dispose(): void;
}

function resolveUrl(url: string, protocol: "http" | "ws"): string {
  const base = typeof location === "undefined" ? "http://127.0.0.1/" : location.href;
  const resolved = new URL(url, base);
  if (protocol === "ws") resolved.protocol = resolved.protocol === "https:" ? "wss:" : "ws:";
  return resolved.toString();
}

/**
 * Builds the client a Tidings front end needs: urql over HTTP for queries and mutations,
 * and one graphql-ws socket for every subscription, which
 * - asks `getToken` for the token on every (re)connect, so a refreshed token is used;
 * - after a 4403 close asks `getToken({forceRefresh: true})` instead of retrying the same token;
 * - retries forever with exponential backoff and jitter while the page is open;
 * - pings every `keepAlive` ms so that a silently dead connection is noticed;
 * - publishes its {@link ConnectionStatus} in `status`.
 *
 * @example
 * const client = createTidingsClient({
 *   url: "/graphql",
 *   getToken: async ({ forceRefresh }) => (forceRefresh ? await auth.refresh() : auth.token),
 * });
 * client.status.subscribe(() => console.log(client.status.getSnapshot()));
 */
export function createTidingsClient(options: TidingsClientOptions): TidingsClient {
  const httpUrl = resolveUrl(options.url ?? "/graphql", "http");
  const wsUrl = resolveUrl(options.wsUrl ?? options.url ?? "/graphql", "ws");
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const status = createStatusStore("connecting");
  const connectedListeners = new Set<(event: ConnectedEvent) => void>();
  let tokenRejected = false;
  let everConnected = false;
  let disposed = false;

  async function token(): Promise<string | undefined> {
    const forceRefresh = tokenRejected;
    try {
      const value = await options.getToken({ forceRefresh });
      tokenRejected = false;
      return value;
    } catch (error) {
      // Throwing from connectionParams makes graphql-ws close with 4005 and give up for
      // good; sending no token instead earns a 4403, and the next try asks again.
      console.warn("tidings: getToken failed; retrying after backoff", error);
      tokenRejected = true;
      return undefined;
    }
  }

  let socketLive = false;
  // The socket may take a keep-alive interval to notice a dead network; the browser knows now.
  let browserOffline = false;

  /** What the badge should say when nothing more specific is known. */
  function settledStatus(): ConnectionStatus {
    if (disposed || isOffline()) return "offline";
    if (socketLive) return "live";
    return everConnected ? "reconnecting" : "connecting";
  }

  const browserSocket = options.webSocketImpl ?? (globalThis.WebSocket as WebSocketConstructor);
  const ws = createWsClient({
    url: wsUrl,
    webSocketImpl: retryingWebSocket(browserSocket),
    lazy: false,
    keepAlive: options.keepAlive ?? 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    retryWait: (retries) =>
      new Promise((resolve) => setTimeout(resolve, backoffDelay(retries, options.backoff))),
    // graphql-ws' default retries only close events, so a browser's plain `error` event
    // (server down) would end the client. Every failure is worth another try here.
    shouldRetry: () => !disposed,
    onNonLazyError: (error) => console.error("tidings: WebSocket client stopped", error),
    connectionParams: async () => {
      const value = await token();
      return value === undefined ? {} : { authorization: `Bearer ${value}` };
    },
    on: {
      connecting: () => status.set(settledStatus()),
      connected: () => {
        const reconnect = everConnected;
        everConnected = true;
        socketLive = true;
        status.set(settledStatus());
        for (const listener of [...connectedListeners]) listener({ reconnect });
      },
      closed: (event) => {
        const code = (event as { code?: unknown } | null)?.code;
        if (code === WS_4403_FORBIDDEN) tokenRejected = true;
        socketLive = false;
        status.set(settledStatus());
      },
    },
  });

  function isOffline(): boolean {
    return browserOffline || (typeof navigator !== "undefined" && navigator.onLine === false);
  }

  const onOffline = () => {
    browserOffline = true;
    status.set(settledStatus());
  };
  const onOnline = () => {
    browserOffline = false;
    status.set(settledStatus());
  };
  if (typeof window !== "undefined" && typeof window.addEventListener === "function") {
    window.addEventListener("offline", onOffline);
    window.addEventListener("online", onOnline);
  }

  // Hashes of documents the server did not know: sent as text from then on (persisted.ts).
  const unknownHashes = new Set<string>();

  // graphql-ws opens a fresh socket for a subscribe() after dispose(); a stream that
  // restarts itself on close (subscribeResumable) would bring the client back to life.
  // A payload that carries its document's hash goes out by hash first (persisted.ts).
  const guardedWs: WsClient = {
    ...ws,
    subscribe(payload: PersistedPayload, sink) {
      if (!disposed) {
        return subscribePersisted(ws, unknownHashes, payload, sink);
      }
      sink.complete();
      return () => {};
    },
  };

  async function authorizedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const send = async (forceRefresh: boolean) => {
      const headers = new Headers(init?.headers);
      headers.set("authorization", `Bearer ${await options.getToken({ forceRefresh })}`);
      return fetchImpl(input, { ...init, headers });
    };
    const response = await send(false);
    if (response.status !== 401 && response.status !== 403) return response;
    return send(true);
  }

  const urql = new UrqlClient({
    url: httpUrl,
    fetch: authorizedFetch,
    requestPolicy: "cache-and-network",
    // POST keeps query documents out of URLs and access logs.
    preferGetMethod: false,
    exchanges: [
      cacheExchange,
      // Queries and mutations by their codegen hash, so that a locked server runs them.
      persistedExchange(unknownHashes),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request, operation) {
          // Text and hash: guardedWs sends the hash first, the text if the server needs it.
          const input: PersistedPayload = {
            ...request,
            query: request.query ?? "",
            [DOCUMENT_HASH]: documentHash(operation.query),
          };
          return {
            subscribe(sink) {
              // urql's ExecutionResult and graphql-ws' FormattedExecutionResult differ
              // only in how optional `data` is spelled under exactOptionalPropertyTypes.
              const unsubscribe = guardedWs.subscribe(
                input,
                sink as Sink<FormattedExecutionResult>,
              );
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });

  return {
    urql,
    ws: guardedWs,
    status,
    onConnected(listener) {
      connectedListeners.add(listener);
      return () => connectedListeners.delete(listener);
    },
    dispose() {
      disposed = true;
      status.set("offline");
      if (typeof window !== "undefined" && typeof window.removeEventListener === "function") {
        window.removeEventListener("offline", onOffline);
        window.removeEventListener("online", onOnline);
      }
      void ws.dispose();
    },
  };
}
