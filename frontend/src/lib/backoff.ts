/** Exponential backoff with jitter, for reconnect attempts that never give up. */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. Default 500. */
  baseMs?: number;
  /** Largest delay, in ms. Default 10 000. */
  maxMs?: number;
  /** Source of randomness in [0, 1); injectable for tests. Default `Math.random`. */
  random?: () => number;
}

/**
 * The delay before retry number `attempt` (0 for the first retry): "equal jitter",
 * half of the exponential step plus a random share of the other half, capped at `maxMs`.
 * Jitter keeps a thousand tabs from reconnecting in the same millisecond after a restart.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const { baseMs = 500, maxMs = 10_000, random = Math.random } = options;
  const step = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + random() * (step / 2));
}
