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

/** Why a sign-in failed: `status` is the HTTP status, or 0 when the server was not reached. */
export class SignInError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "SignInError";
  }
}

export async function mintDemoToken(userId: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch("/demo/token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId }),
    });
  } catch {
    throw new SignInError("Could not reach the server to sign in. Is it running?", 0);
  }
  if (response.status === 400 || response.status === 404) {
    throw new SignInError(`There is no demo user “${userId}”. Pick one below.`, response.status);
  }
  if (!response.ok) {
    throw new SignInError(
      `The server could not sign you in as “${userId}” (HTTP ${response.status}). Try again.`,
      response.status,
    );
  }
  const body = (await response.json()) as { token: string };
  return body.token;
}

/**
 * Checks a session once before the dashboard opens, so that a sign-in that cannot work (an
 * unknown demo user, a refused token, no server) goes back to the sign-in page with one
 * message instead of a dashboard that retries forever. Throws a {@link SignInError}.
 */
export async function checkSession(session: Session, getToken: GetToken): Promise<void> {
  if (session.kind === "demo") {
    await getToken({ forceRefresh: false });
    return;
  }
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${session.token}` },
      body: JSON.stringify({ query: "{ viewer { id } }" }),
    });
  } catch {
    throw new SignInError("Could not reach the server to sign in. Is it running?", 0);
  }
  if (response.status === 401 || response.status === 403) {
    throw new SignInError(
      "The server did not accept that token. Paste a fresh one.",
      response.status,
    );
  }
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

/** Keeps the session for this tab (a reload stays signed in) and drops `?as=` from the address. */
export function saveSession(session: Session | null): void {
  if (session === null) sessionStorage.removeItem(STORAGE_KEY);
  else sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  const url = new URL(location.href);
  if (url.searchParams.has("as")) {
    url.searchParams.delete("as");
    history.replaceState(null, "", url);
  }
}
