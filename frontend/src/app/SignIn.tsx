import { useEffect, useState, type FormEvent } from "react";

import { fetchDemoUsers, type DemoUser, type Session } from "./session";

/** Demo users as buttons; without demo mode, a field for a token from `tidings token`. */
export function SignIn({ onSignIn }: { onSignIn: (session: Session) => void }) {
  const [users, setUsers] = useState<DemoUser[] | null | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [token, setToken] = useState("");

  useEffect(() => {
    let active = true;
    fetchDemoUsers().then(
      (found) => active && setUsers(found),
      (failure: unknown) => active && setError(String(failure)),
    );
    return () => {
      active = false;
    };
  }, []);

  function submitToken(event: FormEvent): void {
    event.preventDefault();
    if (token.trim() !== "") onSignIn({ kind: "token", token: token.trim() });
  }

  return (
    <main className="signin" data-testid="signin">
      <h1 className="brand">Tidings</h1>
      <p className="muted">A live social feed over GraphQL subscriptions.</p>
      {error !== undefined && (
        <p className="error" data-testid="signin-error">
          {error}
        </p>
      )}
      {users === undefined && error === undefined && <p className="muted">Loading…</p>}
      {users != null && (
        <section className="card">
          <h2>Sign in as a demo user</h2>
          <div className="signin-users">
            {users.map((user) => (
              <button
                key={user.id}
                type="button"
                className="button"
                data-testid={`signin-${user.id}`}
                onClick={() => onSignIn({ kind: "demo", userId: user.id })}
              >
                {user.displayName} <span className="muted">@{user.handle}</span>
              </button>
            ))}
          </div>
        </section>
      )}
      {users === null && (
        <form className="card" onSubmit={submitToken}>
          <h2>Sign in with a token</h2>
          <p className="muted">
            This server is not in demo mode. Paste a token from <code>tidings token USER_ID</code>.
          </p>
          <textarea
            data-testid="signin-token"
            value={token}
            onChange={(event) => setToken(event.target.value)}
            rows={3}
          />
          <button type="submit" className="button primary" data-testid="signin-token-submit">
            Sign in
          </button>
        </form>
      )}
    </main>
  );
}
