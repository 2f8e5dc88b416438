/**
 * The connection status of a Tidings client, for a badge in the UI.
 *
 * | status         | meaning                                                        |
 * | -------------- | -------------------------------------------------------------- |
 * | `connecting`   | first connection attempt, nothing acknowledged yet             |
 * | `live`         | the server acknowledged `connection_init`; streams are flowing |
 * | `reconnecting` | the socket closed; the client is backing off and will retry    |
 * | `offline`      | the browser reports no network, or the client was disposed     |
 */
export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "offline";

/** A tiny observable value, shaped for React's `useSyncExternalStore`. */
export interface StatusStore {
  getSnapshot(): ConnectionStatus;
  subscribe(listener: () => void): () => void;
}

export interface WritableStatusStore extends StatusStore {
  set(status: ConnectionStatus): void;
}

export function createStatusStore(initial: ConnectionStatus = "connecting"): WritableStatusStore {
  let current = initial;
  const listeners = new Set<() => void>();
  return {
    getSnapshot: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(status) {
      if (status === current) return;
      current = status;
      for (const listener of [...listeners]) listener();
    },
  };
}
