/**
 * Persisted documents: every document is named by the SHA-256 hash GraphQL Code Generator gave
 * it (`__meta__.hash`, its key in src/gql/persisted-documents.json), so that a server locked to
 * that file (TIDINGS_TRUSTED_DOCUMENTS) runs it.
 *
 * That hash is of codegen's normalized print, not of the text urql or graphql-js print, and a
 * server refuses a text sent with a hash that is not its own. So a request carries the hash or
 * the text, never both: it goes out with the hash alone, and when the server does not know the
 * hash (PERSISTED_QUERY_NOT_FOUND: a server that is not locked, whose automatic persisted
 * queries never learn these hashes), again with the text alone. From then on this client sends
 * that document as text straight away. A locked server that does not know a hash refuses the
 * text as well, so nothing it does not trust runs.
 */
import { makeOperation, type Exchange, type Operation } from "@urql/core";
import type {
  Client as WsClient,
  FormattedExecutionResult,
  Sink,
  SubscribePayload,
} from "graphql-ws";
import { filter, makeSubject, map, merge, pipe } from "wonka";

/** The code of the error a server answers a hash it does not know with. */
export const PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND";

/**
 * Where a payload given to a Tidings client's `ws.subscribe` carries its document's hash
 * besides the text. A symbol: JSON leaves it out, so a plain graphql-ws client sends the text
 * as before.
 */
export const DOCUMENT_HASH: unique symbol = Symbol("tidings.documentHash");

/** A subscribe payload with, maybe, its document's hash under {@link DOCUMENT_HASH}. */
export type PersistedPayload = SubscribePayload & { readonly [DOCUMENT_HASH]?: string | undefined };

/** The hex SHA-256 codegen's client preset attached to a document, without "sha256:". */
export function documentHash(document: unknown): string | undefined {
  const meta = (document as { __meta__?: { hash?: unknown } } | null | undefined)?.__meta__;
  const hash = meta?.hash;
  return typeof hash === "string" && hash !== "" ? hash.replace(/^sha256:/, "") : undefined;
}

/** Whether errors (a result's, or a graphql-ws `error` payload) say the hash is unknown. */
export function isPersistedMiss(errors: unknown): boolean {
  if (!Array.isArray(errors)) return false;
  return errors.some((error: unknown) => {
    const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
    return code === PERSISTED_QUERY_NOT_FOUND;
  });
}

function persistedQuery(hash: string) {
  return { version: 1 as const, sha256Hash: hash };
}

/** The hash an operation went out with (its `extensions.persistedQuery`), if any. */
function sentHash(operation: Operation): string | undefined {
  const persisted = (
    operation.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined
  )?.persistedQuery;
  return typeof persisted?.sha256Hash === "string" ? persisted.sha256Hash : undefined;
}

/**
 * urql's exchange for queries and mutations: each goes out by its codegen hash alone (urql's
 * fetch body leaves the query out when `extensions.persistedQuery` is set), and once more as
 * text when the server does not know the hash. `unknown` holds the hashes a server did not know.
 * Goes after the cacheExchange and before the fetchExchange.
 */
export function persistedExchange(unknown: Set<string>): Exchange {
  return ({ forward }) =>
    (operations$) => {
      const retries = makeSubject<Operation>();
      const byHash$ = pipe(
        operations$,
        map((operation) => {
          if (operation.kind !== "query" && operation.kind !== "mutation") return operation;
          const hash = documentHash(operation.query);
          if (hash === undefined || unknown.has(hash)) return operation;
          return makeOperation(
            operation.kind,
            {
              ...operation,
              extensions: { ...operation.extensions, persistedQuery: persistedQuery(hash) },
            },
            operation.context,
          );
        }),
      );
      return pipe(
        forward(merge([byHash$, retries.source])),
        filter((result) => {
          const hash = sentHash(result.operation);
          if (hash === undefined || !isPersistedMiss(result.error?.graphQLErrors)) return true;
          unknown.add(hash);
          const { persistedQuery: _sent, ...extensions } = result.operation.extensions ?? {};
          retries.next(
            makeOperation(
              result.operation.kind,
              { ...result.operation, extensions },
              result.operation.context,
            ),
          );
          return false;
        }),
      );
    };
}

/**
 * `ws.subscribe` for a payload that may carry its document's hash under {@link DOCUMENT_HASH}:
 * sends the hash alone (graphql-ws needs a `query` string: an empty one, which the server takes
 * as none), and on PERSISTED_QUERY_NOT_FOUND subscribes again with the text. The sink sees only
 * the operation that ran. Returns the function that ends it.
 */
export function subscribePersisted<Data, Extensions>(
  ws: WsClient,
  unknown: Set<string>,
  payload: PersistedPayload,
  sink: Sink<FormattedExecutionResult<Data, Extensions>>,
): () => void {
  const hash = payload[DOCUMENT_HASH];
  if (hash === undefined || unknown.has(hash)) return ws.subscribe(payload, sink);
  let stopped = false;
  let unsubscribe = ws.subscribe<Data, Extensions>(
    {
      ...payload,
      query: "",
      extensions: { ...payload.extensions, persistedQuery: persistedQuery(hash) },
    },
    {
      next: (value) => sink.next(value),
      error: (error) => {
        if (!isPersistedMiss(error)) {
          sink.error(error);
          return;
        }
        unknown.add(hash);
        if (!stopped) unsubscribe = ws.subscribe(payload, sink);
      },
      complete: () => sink.complete(),
    },
  );
  return () => {
    stopped = true;
    unsubscribe();
  };
}
