export { backoffDelay, type BackoffOptions } from "./backoff";
export {
  createTidingsClient,
  WS_4403_FORBIDDEN,
  type ConnectedEvent,
  type GetToken,
  type TidingsClient,
  type TidingsClientOptions,
} from "./client";
export { TidingsProvider, useConnectionStatus, useOnReconnect, useTidingsClient } from "./context";
export * from "./documents";
export { useEngagementUpdates, type EngagementMetrics } from "./hooks/useEngagementUpdates";
export { useFeedUpdates, type FeedTweet, type UseFeedUpdatesResult } from "./hooks/useFeedUpdates";
export {
  useNotifications,
  type NotificationItem,
  type UseNotificationsResult,
} from "./hooks/useNotifications";
export { useTrending, type TrendingTopic, type TrendingUpdate } from "./hooks/useTrending";
export { useThread, type ThreadState, type UseThreadResult } from "./hooks/useThread";
export {
  useTyping,
  useTypingUsers,
  type TypingOptions,
  type TypingUser,
  type UseTypingResult,
} from "./hooks/useTyping";
export { compareIds, maxId } from "./ids";
export { DOCUMENT_HASH, documentHash, persistedExchange, type PersistedPayload } from "./persisted";
export { subscribeResumable } from "./resumable";
export { createStatusStore, type ConnectionStatus, type StatusStore } from "./status";
export { retryingWebSocket, WS_4599_RETRYABLE, type WebSocketConstructor } from "./websocket";
