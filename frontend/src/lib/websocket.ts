import { CloseCode } from "graphql-ws";

/**
 * Close codes that graphql-ws treats as fatal: it stops retrying whatever `shouldRetry`
 * says (graphql-ws `client.ts`, `shouldRetryConnectOrThrow`). A dashboard should not go
 * dark forever because one server instance answered 1011 or 4500 during a deploy, so
 * these are reported to graphql-ws as {@link WS_4599_RETRYABLE} and retried with backoff.
 */
const FATAL_TO_GRAPHQL_WS: ReadonlySet<number> = new Set([
  CloseCode.InternalServerError,
  CloseCode.InternalClientError,
  CloseCode.BadRequest,
  CloseCode.BadResponse,
  CloseCode.Unauthorized,
  CloseCode.SubprotocolNotAcceptable,
  CloseCode.SubscriberAlreadyExists,
  CloseCode.TooManyInitialisationRequests,
]);

const GRAPHQL_WS_RETRIES_1XXX: ReadonlySet<number> = new Set([
  1000, 1001, 1005, 1006, 1012, 1013, 1014,
]);

/** The close code graphql-ws sees in place of a code it would not retry. */
export const WS_4599_RETRYABLE = 4599;

/** A close event as graphql-ws sees it; `originalCode` is what the server sent. */
export interface RetryableCloseEvent {
  code: number;
  reason: string;
  wasClean: boolean;
  originalCode: number;
}

export function isFatalToGraphqlWs(code: number): boolean {
  return (
    FATAL_TO_GRAPHQL_WS.has(code) ||
    (code >= 1000 && code <= 1999 && !GRAPHQL_WS_RETRIES_1XXX.has(code))
  );
}

type CloseLike = { code: number; reason: string; wasClean: boolean };

/** The event graphql-ws should see for a close the server sent. */
export function retryableClose(event: CloseLike): CloseLike | RetryableCloseEvent {
  if (!isFatalToGraphqlWs(event.code)) return event;
  return {
    code: WS_4599_RETRYABLE,
    reason: `${event.code}: ${event.reason}`,
    wasClean: event.wasClean,
    originalCode: event.code,
  };
}

/** The static side of a WebSocket implementation, browser or `ws`. */
export type WebSocketConstructor = {
  new (url: string, protocols?: string | string[]): WebSocket;
  readonly CONNECTING: number;
  readonly OPEN: number;
  readonly CLOSING: number;
  readonly CLOSED: number;
};

/**
 * Wraps a WebSocket class so that graphql-ws retries every close code (see
 * {@link FATAL_TO_GRAPHQL_WS}). Everything else is the base class untouched.
 */
export function retryingWebSocket(Base: WebSocketConstructor): WebSocketConstructor {
  class RetryingWebSocket extends (Base as unknown as typeof WebSocket) {
    override set onclose(handler: ((event: CloseEvent) => unknown) | null) {
      super.onclose =
        handler === null
          ? null
          : (event: CloseEvent) => handler.call(this, retryableClose(event) as CloseEvent);
    }
    override get onclose(): ((event: CloseEvent) => unknown) | null {
      return super.onclose;
    }
  }
  return RetryingWebSocket as unknown as WebSocketConstructor;
}
