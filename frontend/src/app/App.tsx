import { useEffect, useState } from "react";

import { createTidingsClient, TidingsProvider, type TidingsClient } from "../lib";
import { Dashboard } from "./Dashboard";
import { loadSession, saveSession, tokenGetter, type Session } from "./session";
import { SignIn } from "./SignIn";

/** Sign-in until there is a session, then the dashboard on a client made for it. */
export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);

  const [client, setClient] = useState<TidingsClient | null>(null);

  // Made in an effect, not a memo, so that StrictMode's mount-unmount-mount in development
  // disposes its first client and renders with the second, instead of a disposed one.
  useEffect(() => {
    if (session === null) {
      setClient(null);
      return undefined;
    }
    const made = createTidingsClient({ getToken: tokenGetter(session) });
    setClient(made);
    return () => made.dispose();
  }, [session]);

  function signIn(next: Session): void {
    saveSession(next);
    setSession(next);
  }

  function signOut(): void {
    saveSession(null);
    setSession(null);
  }

  if (session === null) return <SignIn onSignIn={signIn} />;
  if (client === null) return null;
  return (
    <TidingsProvider client={client}>
      <Dashboard onSignOut={signOut} />
    </TidingsProvider>
  );
}
