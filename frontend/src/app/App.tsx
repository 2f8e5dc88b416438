import { useEffect, useMemo, useState } from "react";

import { createTidingsClient, TidingsProvider } from "../lib";
import { Dashboard } from "./Dashboard";
import { loadSession, saveSession, tokenGetter, type Session } from "./session";
import { SignIn } from "./SignIn";

/** Sign-in until there is a session, then the dashboard on a client made for it. */
export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);

  const client = useMemo(
    () => (session === null ? null : createTidingsClient({ getToken: tokenGetter(session) })),
    [session],
  );
  useEffect(() => () => client?.dispose(), [client]);

  function signIn(next: Session): void {
    saveSession(next);
    setSession(next);
  }

  function signOut(): void {
    saveSession(null);
    setSession(null);
  }

  if (client === null) return <SignIn onSignIn={signIn} />;
  return (
    <TidingsProvider client={client}>
      <Dashboard onSignOut={signOut} />
    </TidingsProvider>
  );
}
