import { useSyncExternalStore } from "react";

const TICK_MS = 15_000;

let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === undefined) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const each of [...listeners]) each();
    }, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The time, in ms, moving on every 15 s: one timer for every clock on the page. */
export function useNow(): number {
  return useSyncExternalStore(
    subscribe,
    () => now,
    () => now,
  );
}

/** "now", "5m", "3h", "2d", or a date. */
export function age(iso: string, at: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((at - Date.parse(iso)) / 1000));
  if (seconds < 45) return "now";
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))}m`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)}h`;
  if (seconds < 7 * 86_400) return `${Math.round(seconds / 86_400)}d`;
  return new Date(iso).toLocaleDateString();
}

/** A relative time that keeps itself current; the full date and time on hover. */
export function RelativeTime({ iso, className }: { iso: string; className?: string }) {
  const at = useNow();
  return (
    <time dateTime={iso} title={new Date(iso).toLocaleString()} className={className}>
      {age(iso, at)}
    </time>
  );
}
