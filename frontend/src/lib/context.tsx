import {
  createContext,
  useContext,
  useEffect,
  useRef,
  useSyncExternalStore,
  type ReactNode,
} from "react";
import { Provider as UrqlProvider } from "urql";

import type { ConnectedEvent, TidingsClient } from "./client";
import type { ConnectionStatus } from "./status";

const TidingsContext = createContext<TidingsClient | null>(null);

/**
 * Makes a {@link TidingsClient} available to the hooks (and to urql's own hooks).
 *
 * @example
 * const client = createTidingsClient({ getToken });
 * root.render(<TidingsProvider client={client}><App /></TidingsProvider>);
 */
export function TidingsProvider({
  client,
  children,
}: {
  client: TidingsClient;
  children: ReactNode;
}) {
  return (
    <TidingsContext.Provider value={client}>
      <UrqlProvider value={client.urql}>{children}</UrqlProvider>
    </TidingsContext.Provider>
  );
}

/** The client given to the nearest {@link TidingsProvider}. */
export function useTidingsClient(): TidingsClient {
  const client = useContext(TidingsContext);
  if (client === null)
    throw new Error("useTidingsClient: no <TidingsProvider> above this component");
  return client;
}

/**
 * The connection status, re-rendering when it changes.
 *
 * @example
 * const status = useConnectionStatus(); // "connecting" | "live" | "reconnecting" | "offline"
 * return <span className={`badge ${status}`}>{status}</span>;
 */
export function useConnectionStatus(): ConnectionStatus {
  const { status } = useTidingsClient();
  return useSyncExternalStore(status.subscribe, status.getSnapshot, status.getSnapshot);
}

/** Calls `onReconnect` each time the socket comes back after a drop (not on the first connect). */
export function useOnReconnect(onReconnect: () => void): void {
  const client = useTidingsClient();
  const latest = useRef(onReconnect);
  latest.current = onReconnect;
  useEffect(
    () =>
      client.onConnected((event: ConnectedEvent) => {
        if (event.reconnect) latest.current();
      }),
    [client],
  );
}
