import { print, type DocumentNode } from "graphql";
import type { FormattedExecutionResult, Client as WsClient, Sink } from "graphql-ws";

import { DOCUMENT_HASH, documentHash, type PersistedPayload } from "./persisted";

/**
 * A subscription that restarts with fresh variables after every reconnect.
 *
 * graphql-ws re-sends an operation's original variables when it reconnects, which for
 * `notifications(after: $cursor)` would replay everything since the first subscribe.
 * This starts a new operation after each close instead, asking `variables()` again, so
 * the stream resumes from the last cursor the caller saw.
 *
 * `next` gets results of the current operation only; a stale one's late messages are
 * dropped. Returns a function that stops the stream for good.
 *
 * A Tidings client's `ws` sends the document by its codegen hash (persisted.ts); any other
 * graphql-ws client sends its text.
 */
export function subscribeResumable<TData, TVariables extends Record<string, unknown>>(
  client: WsClient,
  document: DocumentNode,
  variables: () => TVariables,
  sink: Pick<Sink<FormattedExecutionResult<TData, unknown>>, "next" | "error">,
): () => void {
  const query = print(document);
  const hash = documentHash(document);
  let generation = 0;
  let stopped = false;
  let unsubscribe = (): void => {};

  function start(): void {
    const mine = ++generation;
    const payload: PersistedPayload = { query, variables: variables(), [DOCUMENT_HASH]: hash };
    unsubscribe = client.subscribe<TData>(payload, {
      next: (result) => {
        if (mine === generation && !stopped) sink.next(result);
      },
      error: (error) => {
        if (mine === generation && !stopped) sink.error(error);
      },
      complete: () => {},
    });
  }

  // The closed listener runs before graphql-ws' own bookkeeping for that close, so the
  // restart waits a tick: by then the client is already waiting to reconnect, and the new
  // operation is sent on the next acknowledged socket.
  const offClosed = client.on("closed", () => {
    if (stopped) return;
    const previous = unsubscribe;
    generation++;
    previous();
    setTimeout(() => {
      if (!stopped) start();
    }, 0);
  });

  start();
  return () => {
    stopped = true;
    offClosed();
    unsubscribe();
  };
}
