/** What every part of the dashboard needs to know: who the viewer is, and whether it may act. */
import { createContext, useContext, useEffect, useState } from "react";

import { useConnectionStatus, useOnReconnect, type ConnectionStatus } from "../lib";

export interface Viewer {
  id: string;
  handle: string;
  displayName: string;
}

export const ViewerContext = createContext<Viewer | undefined>(undefined);

export function useViewer(): Viewer | undefined {
  return useContext(ViewerContext);
}

/** The id of the element that says why actions are off; buttons point at it. */
export const OFFLINE_REASON_ID = "offline-reason";

const REASONS: Record<Exclude<ConnectionStatus, "live">, string> = {
  connecting: "Connecting to the server… You can post, like and follow once it is live.",
  reconnecting:
    "The connection dropped. Reconnecting… Posting, liking and following come back when it is live.",
  offline: "You are offline. Posting, liking and following come back when the connection does.",
};

/** Whether actions (post, like, follow, …) are on, and if not, why. */
export function useActionGate(): { disabled: boolean; reason: string | undefined } {
  const status = useConnectionStatus();
  return status === "live"
    ? { disabled: false, reason: undefined }
    : { disabled: true, reason: REASONS[status] };
}

/** The props a control that changes something takes while actions are off. */
export function gateProps(gate: { disabled: boolean; reason: string | undefined }) {
  return gate.disabled ? { disabled: true, "aria-describedby": OFFLINE_REASON_ID } : {};
}

/** An error as a person should read it: no "[Network]" or "[GraphQL]" prefix, no jargon. */
export function readable(error: Error | string): string {
  const message = (typeof error === "string" ? error : error.message)
    .replace(/\[(Network|GraphQL)\]\s*/g, "")
    .trim();
  if (/failed to fetch|networkerror|load failed|network request failed/i.test(message)) {
    return "Could not reach the server.";
  }
  return message === "" ? "Something went wrong." : message;
}

/**
 * An error to show until the connection comes back (a failure from before an outage is
 * stale once Live returns) or until `set(undefined)`.
 */
export function useTransientError(): [
  string | undefined,
  (error: Error | string | undefined) => void,
] {
  const [error, setError] = useState<string | undefined>(undefined);
  useOnReconnect(() => setError(undefined));
  const status = useConnectionStatus();
  useEffect(() => {
    if (status === "live") setError(undefined);
  }, [status]);
  return [error, (next) => setError(next === undefined ? undefined : readable(next))];
}

/** An error that is shown only while live: when not, the offline banner says all there is. */
export function ErrorNote({
  error,
  testId,
}: {
  error: Error | string | undefined;
  testId?: string;
}) {
  const status = useConnectionStatus();
  if (error === undefined || status !== "live") return null;
  return (
    <p className="error" role="alert" data-testid={testId}>
      {readable(error)}
    </p>
  );
}
