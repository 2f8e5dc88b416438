/**
 * Who the dashboard acts as. A demo server (`tidings serve --demo`) lists its users at
 * `GET /demo/users` and mints tokens at `POST /demo/token`; elsewhere (404) a person
 * pastes a token printed by `tidings token USER_ID`.
 */
import type { GetToken } from "../lib";

export interface DemoUser {
  id: string;
  handle: string;
  displayName: string;
}

export type Session = { kind: "demo"; userId: string } | { kind: "token"; token: string };

const STORAGE_KEY = "tidings.session";

/** The demo users, or `null` when the server is not in demo mode. */
export async function fetchDemoUsers(): Promise<DemoUser[] | null> {
  const response = await fetch("/demo/users");
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`GET /demo/users answered ${response.status}`);
  const body = (await response.json()) as { users: DemoUser[] };
  return body.users;
}

export async function mintDemoToken(userId: string): Promise<string> {
  const response = await fetch("/demo/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId }),
  });
  if (!response.ok) throw new Error(`POST /demo/token for ${userId} answered ${response.status}`);
  const body = (await response.json()) as { token: string };
  return body.token;
}

/** Seconds since the epoch at which a JWT expires, or `undefined` if it does not say. */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as {
      exp?: unknown;
    };
    return typeof claims.exp === "number" ? claims.exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `getToken` for a session: a demo session mints a token when it has none, when the
 * one it has expires within a minute, and whenever the server rejected it.
 */
export function tokenGetter(session: Session): GetToken {
  if (session.kind === "token") return () => session.token;
  let cached: Promise<string> | undefined;
  return async ({ forceRefresh }) => {
    const current = cached === undefined ? undefined : await cached.catch(() => undefined);
    const exp = current === undefined ? undefined : tokenExpiry(current);
    const stale = exp !== undefined && exp - 60 < Date.now() / 1000;
    if (current === undefined || forceRefresh || stale) {
      cached = mintDemoToken(session.userId);
    }
    return cached as Promise<string>;
  };
}

export function loadSession(): Session | null {
  const as = new URLSearchParams(location.search).get("as");
  if (as !== null && as !== "") return { kind: "demo", userId: as };
  const raw = sessionStorage.getItem(STORAGE_KEY);
  if (raw === null) return null;
  try {
    return JSON.parse(raw) as Session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session === null) {
    sessionStorage.removeItem(STORAGE_KEY);
    const url = new URL(location.href);
    if (url.searchParams.has("as")) {
      url.searchParams.delete("as");
      history.replaceState(null, "", url);
    }
  } else {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  }
}
