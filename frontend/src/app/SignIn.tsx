import { useEffect, useState, type FormEvent } from "react";

import { Avatar } from "./Avatar";
import { fetchDemoUsers, type DemoUser, type Session } from "./session";

/** Demo users as buttons; without demo mode, a field for a token from `tidings token`. */
export function SignIn({
  onSignIn,
  problem,
}: {
  onSignIn: (session: Session) => void;
  /** Why the last sign-in did not work; shown instead of any other error. */
  problem?: string | undefined;
}) {
  const [users, setUsers] = useState<DemoUser[] | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const [token, setToken] = useState("");

  useEffect(() => {
    let active = true;
    fetchDemoUsers().then(
      (found) => active && setUsers(found),
      () => active && setLoadError("Could not reach the server. Reload the page to try again."),
    );
    return () => {
      active = false;
    };
  }, []);

  function submitToken(event: FormEvent): void {
    event.preventDefault();
    if (token.trim() !== "") onSignIn({ kind: "token", token: token.trim() });
  }

  const message = problem ?? loadError;
  return (
    <main className="signin" data-testid="signin" id="main">
      <h1 className="brand">Tidings</h1>
      <p className="muted">A live social feed over GraphQL subscriptions.</p>
      {message !== undefined && (
        <p className="error notice" data-testid="signin-error" role="alert">
          {message}
        </p>
      )}
      {users === undefined && loadError === undefined && <p className="muted">Loading…</p>}
      {users != null && (
        <section className="card" aria-labelledby="demo-heading">
          <h2 id="demo-heading">Sign in as a demo user</h2>
          <div className="signin-users">
            {users.map((user) => (
              <button
                key={user.id}
                type="button"
                className="button signin-user"
                data-testid={`signin-${user.id}`}
                onClick={() => onSignIn({ kind: "demo", userId: user.id })}
              >
                <Avatar user={user} size="small" />
                {user.displayName} <span className="muted">@{user.handle}</span>
              </button>
            ))}
          </div>
        </section>
      )}
      {users === null && (
        <form className="card" onSubmit={submitToken} aria-labelledby="token-heading">
          <h2 id="token-heading">Sign in with a token</h2>
          <p className="muted" id="token-help">
            This server is not in demo mode. Paste a token from <code>tidings token USER_ID</code>.
          </p>
          <textarea
            data-testid="signin-token"
            aria-labelledby="token-heading"
            aria-describedby="token-help"
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
