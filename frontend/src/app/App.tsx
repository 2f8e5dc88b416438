import { useEffect, useState } from "react";

import { createTidingsClient, TidingsProvider, type TidingsClient } from "../lib";
import { Dashboard } from "./Dashboard";
import {
  checkSession,
  loadSession,
  saveSession,
  SignInError,
  tokenGetter,
  type Session,
} from "./session";
import { SignIn } from "./SignIn";

/** Sign-in until there is a session that works, then the dashboard on a client made for it. */
export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [client, setClient] = useState<TidingsClient | null>(null);

  // Made in an effect, not a memo, so that StrictMode's mount-unmount-mount in development
  // disposes its first client and renders with the second, instead of a disposed one.
  useEffect(() => {
    setClient(null);
    if (session === null) return undefined;
    let active = true;
    let made: TidingsClient | undefined;
    const getToken = tokenGetter(session);
    checkSession(session, getToken).then(
      () => {
        if (!active) return;
        saveSession(session);
        setProblem(undefined);
        made = createTidingsClient({ getToken });
        setClient(made);
      },
      (error: unknown) => {
        if (!active) return;
        saveSession(null);
        setProblem(error instanceof SignInError ? error.message : "Could not sign in. Try again.");
        setSession(null);
      },
    );
    return () => {
      active = false;
      made?.dispose();
    };
  }, [session]);

  function signIn(next: Session): void {
    setProblem(undefined);
    setSession(next);
  }

  function signOut(): void {
    saveSession(null);
    setSession(null);
  }

  if (session === null) return <SignIn onSignIn={signIn} problem={problem} />;
  if (client === null) {
    return (
      <p className="muted center signing-in" role="status">
        Signing in…
      </p>
    );
  }
  return (
    <TidingsProvider client={client}>
      <Dashboard onSignOut={signOut} />
    </TidingsProvider>
  );
}
