import { useConnectionStatus } from "../lib";

const LABELS = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
} as const;

export function StatusBadge() {
  const status = useConnectionStatus();
  return (
    <span
      className={`status status-${status}`}
      data-testid="status-badge"
      data-status={status}
      role="status"
      title={`Connection: ${status}`}
    >
      <span className="status-dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
