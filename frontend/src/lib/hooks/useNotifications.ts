import { useCallback, useEffect, useReducer } from "react";

import type { NotificationEventsSubscription, NotificationFieldsFragment } from "../../gql/graphql";
import { useTidingsClient } from "../context";
import {
  MarkAllNotificationsReadMutation,
  MarkNotificationReadMutation,
  NotificationsQuery,
  NotificationsSubscription,
} from "../documents";
import { subscribeResumable } from "../resumable";

export type NotificationItem = NotificationFieldsFragment;
type NotificationEvent = NotificationEventsSubscription["notifications"];

export interface NotificationsState {
  /** Newest first. */
  notifications: NotificationItem[];
  unreadCount: number;
  /** True until the first page has loaded. */
  loading: boolean;
  error: Error | undefined;
}

export interface UseNotificationsResult extends NotificationsState {
  /** Marks one notification read; the badge drops at once and the server's count follows. */
  markRead(id: string): Promise<void>;
  /** Marks every notification read. */
  markAllRead(): Promise<void>;
}

type Action =
  | { type: "loaded"; notifications: NotificationItem[]; unreadCount: number }
  | { type: "refreshed"; notifications: NotificationItem[]; unreadCount: number }
  | { type: "event"; event: NotificationEvent }
  | { type: "markedRead"; id: string }
  | { type: "markedAllRead" }
  | { type: "failed"; error: Error };

const initialState: NotificationsState = {
  notifications: [],
  unreadCount: 0,
  loading: true,
  error: undefined,
};

function byNewest(a: NotificationItem, b: NotificationItem): number {
  return Date.parse(b.createdAt) - Date.parse(a.createdAt);
}

export function notificationsReducer(
  state: NotificationsState,
  action: Action,
): NotificationsState {
  switch (action.type) {
    case "loaded":
      return {
        notifications: [...action.notifications].sort(byNewest),
        unreadCount: action.unreadCount,
        loading: false,
        error: undefined,
      };
    case "refreshed": {
      // After a reconnect: READ and ALL_READ events sent while we were away are not
      // replayed, so take read flags and the count from a fresh page. New notifications
      // arrive through the resumed stream, not from here.
      const read = new Map(action.notifications.map((n) => [n.id, n.read]));
      return {
        ...state,
        notifications: state.notifications.map((n) => {
          const fresh = read.get(n.id);
          return fresh === undefined || fresh === n.read ? n : { ...n, read: fresh };
        }),
        unreadCount: action.unreadCount,
      };
    }
    case "event": {
      const { event } = action;
      if (event.kind === "CREATED") {
        const created = event.notification;
        if (created === null || state.notifications.some((n) => n.cursor === created.cursor)) {
          return state; // a replay we already hold: each notification shows once
        }
        return {
          ...state,
          notifications: [created, ...state.notifications],
          unreadCount: event.unreadCount,
        };
      }
      if (event.kind === "READ") {
        const id = event.notification?.id;
        return {
          ...state,
          notifications: state.notifications.map((n) => (n.id === id ? { ...n, read: true } : n)),
          unreadCount: event.unreadCount,
        };
      }
      return {
        ...state,
        notifications: state.notifications.map((n) => (n.read ? n : { ...n, read: true })),
        unreadCount: event.unreadCount,
      };
    }
    case "markedRead": {
      const target = state.notifications.find((n) => n.id === action.id);
      if (target === undefined || target.read) return state;
      return {
        ...state,
        notifications: state.notifications.map((n) =>
          n.id === action.id ? { ...n, read: true } : n,
        ),
        unreadCount: Math.max(0, state.unreadCount - 1),
      };
    }
    case "markedAllRead":
      return {
        ...state,
        notifications: state.notifications.map((n) => (n.read ? n : { ...n, read: true })),
        unreadCount: 0,
      };
    case "failed":
      return { ...state, loading: false, error: action.error };
  }
}

/**
 * The viewer's notifications, live: the newest `first` from a query, then every
 * `notifications` event. After each reconnect the stream resumes with `after:` the last
 * cursor it saw, so nothing created meanwhile is missed, and each shows exactly once.
 *
 * @example
 * function Bell() {
 *   const { notifications, unreadCount, markRead, markAllRead } = useNotifications();
 *   return (
 *     <>
 *       <button onClick={() => void markAllRead()}>{unreadCount} unread</button>
 *       {notifications.map((n) => (
 *         <p key={n.id} onClick={() => void markRead(n.id)}>{n.actor.displayName}: {n.kind}</p>
 *       ))}
 *     </>
 *   );
 * }
 */
export function useNotifications({ first = 20 }: { first?: number } = {}): UseNotificationsResult {
  const client = useTidingsClient();
  const [state, dispatch] = useReducer(notificationsReducer, initialState);

  useEffect(() => {
    let active = true;
    let lastCursor: string | null = null;
    let loaded = false;
    let stopStream = (): void => {};
    let eventsSinceRefresh = 0;

    const fetchPage = () =>
      client.urql
        .query(NotificationsQuery, { first }, { requestPolicy: "network-only" })
        .toPromise();

    async function load(): Promise<void> {
      const result = await fetchPage();
      if (!active || loaded) return;
      if (result.data === undefined) {
        // Tried again on the next (re)connect.
        dispatch({ type: "failed", error: result.error ?? new Error("notifications: no data") });
        return;
      }
      loaded = true;
      const page = [...result.data.notifications].sort(byNewest);
      lastCursor = page[0]?.cursor ?? null;
      dispatch({ type: "loaded", notifications: page, unreadCount: result.data.unreadCount });
      stopStream = subscribeResumable(
        client.ws,
        NotificationsSubscription,
        () => ({ after: lastCursor }),
        {
          next: (message) => {
            const event = (message.data as NotificationEventsSubscription | null | undefined)
              ?.notifications;
            if (event === undefined) return;
            if (event.kind === "CREATED") lastCursor = event.cursor;
            eventsSinceRefresh++;
            dispatch({ type: "event", event });
          },
          error: (error) => dispatch({ type: "failed", error: toError(error) }),
        },
      );
    }

    async function refresh(): Promise<void> {
      const before = eventsSinceRefresh;
      const result = await fetchPage();
      // A stream event newer than this page beats it.
      if (!active || result.data === undefined || eventsSinceRefresh !== before) return;
      dispatch({
        type: "refreshed",
        notifications: result.data.notifications,
        unreadCount: result.data.unreadCount,
      });
    }

    const offConnected = client.onConnected(({ reconnect }) => {
      if (!loaded) void load();
      else if (reconnect) void refresh();
    });
    void load();
    return () => {
      active = false;
      offConnected();
      stopStream();
    };
  }, [client, first]);

  const markRead = useCallback(
    async (id: string) => {
      dispatch({ type: "markedRead", id });
      const result = await client.urql.mutation(MarkNotificationReadMutation, { id }).toPromise();
      if (result.error !== undefined) dispatch({ type: "failed", error: result.error });
    },
    [client],
  );

  const markAllRead = useCallback(async () => {
    dispatch({ type: "markedAllRead" });
    const result = await client.urql.mutation(MarkAllNotificationsReadMutation, {}).toPromise();
    if (result.error !== undefined) dispatch({ type: "failed", error: result.error });
  }, [client]);

  return { ...state, markRead, markAllRead };
}

function toError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (Array.isArray(error)) {
    return new Error(error.map((e: { message?: unknown }) => String(e.message)).join("; "));
  }
  if (typeof error === "object" && error !== null && "code" in error) {
    const close = error as { code: unknown; reason?: unknown };
    return new Error(`WebSocket closed: ${String(close.code)} ${String(close.reason ?? "")}`);
  }
  return new Error(String(error));
}
