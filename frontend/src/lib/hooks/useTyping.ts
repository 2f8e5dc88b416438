import { useCallback, useEffect, useRef, useState } from "react";
import { useQuery } from "urql";

import type { TypingSubscription as TypingData } from "../../gql/graphql";
import { useTidingsClient } from "../context";
import { SetTypingMutation, TypingSubscription, ViewerQuery } from "../documents";

export type TypingUser = TypingData["typing"]["user"];

export interface TypingOptions {
  /** While typing goes on, `isTyping: true` is re-sent at most this often, in ms. Default 3000. */
  refreshMs?: number;
  /** `isTyping: false` is sent this long after the last keystroke, in ms. Default 2500. */
  idleMs?: number;
  /** Someone whose last `true` is older than this is no longer shown, in ms. Default 6000. */
  expireMs?: number;
}

export interface UseTypingResult {
  /** Who else is typing in this conversation, in the order they started. */
  typingUsers: TypingUser[];
  /**
   * Call with `true` on every keystroke and `false` on send or blur. Keystrokes are
   * throttled to one `setTyping(true)` per `refreshMs`, and `false` follows by itself
   * after `idleMs` without one.
   */
  setTyping(isTyping: boolean): void;
}

/**
 * Typing indicators for one conversation (a tweet's reply thread): who else is typing,
 * and a debounced `setTyping` for the viewer.
 *
 * @example
 * function ReplyBox({ tweetId }: { tweetId: string }) {
 *   const { typingUsers, setTyping } = useTyping(tweetId);
 *   return (
 *     <>
 *       <textarea onChange={() => setTyping(true)} onBlur={() => setTyping(false)} />
 *       {typingUsers.length > 0 && <p>{typingUsers[0]?.displayName} is typing…</p>}
 *     </>
 *   );
 * }
 */
export function useTyping(conversationId: string, options: TypingOptions = {}): UseTypingResult {
  const { refreshMs = 3000, idleMs = 2500, expireMs = 6000 } = options;
  const client = useTidingsClient();
  const typingUsers = useTypingUsers(conversationId, { expireMs });

  const sent = useRef({
    lastTrue: 0,
    idleTimer: undefined as ReturnType<typeof setTimeout> | undefined,
  });

  const send = useCallback(
    (isTyping: boolean) => {
      void client.urql.mutation(SetTypingMutation, { conversationId, isTyping }).toPromise();
    },
    [client, conversationId],
  );

  const setTyping = useCallback(
    (isTyping: boolean) => {
      const state = sent.current;
      clearTimeout(state.idleTimer);
      state.idleTimer = undefined;
      if (isTyping) {
        const now = Date.now();
        if (now - state.lastTrue >= refreshMs) {
          state.lastTrue = now;
          send(true);
        }
        state.idleTimer = setTimeout(() => {
          state.lastTrue = 0;
          state.idleTimer = undefined;
          send(false);
        }, idleMs);
      } else if (state.lastTrue !== 0) {
        state.lastTrue = 0;
        send(false);
      }
    },
    [send, refreshMs, idleMs],
  );

  // Leaving the conversation mid-sentence stops the indicator for the others.
  useEffect(
    () => () => {
      const state = sent.current;
      clearTimeout(state.idleTimer);
      if (state.lastTrue !== 0) {
        state.lastTrue = 0;
        send(false);
      }
    },
    [send],
  );

  return { typingUsers, setTyping };
}

/**
 * Only who else is typing in a conversation, without sending anything: what a tweet card
 * in a feed shows. `enabled: false` holds no subscription (e.g. for a card off screen).
 * Several watchers of one conversation on one client share one subscription.
 */
export function useTypingUsers(
  conversationId: string,
  { enabled = true, expireMs = 6000 }: { enabled?: boolean; expireMs?: number } = {},
): TypingUser[] {
  const client = useTidingsClient();
  // Cache-first: a page of cards, each watching, asks for the viewer once.
  const [viewer] = useQuery({ query: ViewerQuery, requestPolicy: "cache-first" });
  const viewerId = viewer.data?.viewer?.id;
  const [typing, setTypingUsers] = useState<
    ReadonlyMap<string, { user: TypingUser; seen: number }>
  >(new Map());

  useEffect(() => {
    setTypingUsers(new Map());
    if (!enabled) return undefined;
    const live = client.urql
      .subscription(TypingSubscription, { conversationId })
      .subscribe((result) => {
        const event = result.data?.typing;
        if (event === undefined) return;
        setTypingUsers((current) => {
          const next = new Map(current);
          if (event.isTyping) next.set(event.user.id, { user: event.user, seen: Date.now() });
          else next.delete(event.user.id);
          return next;
        });
      });
    // A sender that vanished (closed tab) never sends `false`: expire it.
    const sweep = setInterval(() => {
      setTypingUsers((current) => {
        const cutoff = Date.now() - expireMs;
        const stale = [...current.values()].filter((entry) => entry.seen < cutoff);
        if (stale.length === 0) return current;
        const next = new Map(current);
        for (const entry of stale) next.delete(entry.user.id);
        return next;
      });
    }, 500);
    return () => {
      live.unsubscribe();
      clearInterval(sweep);
    };
  }, [client, conversationId, enabled, expireMs]);

  return [...typing.values()].map((entry) => entry.user).filter((user) => user.id !== viewerId);
}
