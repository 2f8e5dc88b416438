/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment UserFields on User {\n    id\n    handle\n    displayName\n  }\n": typeof types.UserFieldsFragmentDoc,
    "\n  fragment MetricsFields on EngagementMetrics {\n    tweetId\n    likes\n    replies\n    retweets\n    updatedAt\n    likedByViewer\n    retweetedByViewer\n  }\n": typeof types.MetricsFieldsFragmentDoc,
    "\n  fragment TweetFields on Tweet {\n    id\n    content\n    hashtags\n    createdAt\n    replyTo\n    author {\n      ...UserFields\n    }\n    metrics {\n      ...MetricsFields\n    }\n  }\n": typeof types.TweetFieldsFragmentDoc,
    "\n  fragment NotificationFields on Notification {\n    id\n    kind\n    read\n    createdAt\n    cursor\n    actor {\n      id\n      handle\n      displayName\n    }\n    tweet {\n      id\n      content\n    }\n  }\n": typeof types.NotificationFieldsFragmentDoc,
    "\n  query Viewer {\n    viewer {\n      id\n      handle\n      displayName\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  query Notifications($first: Int!) {\n    notifications(first: $first) {\n      ...NotificationFields\n    }\n    unreadCount\n  }\n": typeof types.NotificationsDocument,
    "\n  subscription NotificationEvents($after: String) {\n    notifications(after: $after) {\n      kind\n      unreadCount\n      cursor\n      notification {\n        ...NotificationFields\n      }\n    }\n  }\n": typeof types.NotificationEventsDocument,
    "\n  mutation MarkNotificationRead($id: ID!) {\n    markNotificationRead(id: $id) {\n      id\n      read\n    }\n  }\n": typeof types.MarkNotificationReadDocument,
    "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n": typeof types.MarkAllNotificationsReadDocument,
    "\n  query Feed($first: Int!, $before: ID) {\n    feed(first: $first, before: $before) {\n      ...TweetFields\n    }\n  }\n": typeof types.FeedDocument,
    "\n  subscription FeedUpdates($after: ID) {\n    feed(after: $after) {\n      ...TweetFields\n    }\n  }\n": typeof types.FeedUpdatesDocument,
    "\n  subscription Engagement($tweetId: ID!) {\n    engagement(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n": typeof types.EngagementDocument,
    "\n  subscription Trending {\n    trending {\n      windowSeconds\n      computedAt\n      topics {\n        topic\n        tweetCount\n        rank\n      }\n    }\n  }\n": typeof types.TrendingDocument,
    "\n  subscription Typing($conversationId: ID!) {\n    typing(conversationId: $conversationId) {\n      conversationId\n      isTyping\n      at\n      user {\n        id\n        handle\n        displayName\n      }\n    }\n  }\n": typeof types.TypingDocument,
    "\n  mutation SetTyping($conversationId: ID!, $isTyping: Boolean!) {\n    setTyping(conversationId: $conversationId, isTyping: $isTyping)\n  }\n": typeof types.SetTypingDocument,
    "\n  mutation PostTweet($content: String!, $replyTo: ID) {\n    postTweet(content: $content, replyTo: $replyTo) {\n      ...TweetFields\n    }\n  }\n": typeof types.PostTweetDocument,
    "\n  mutation LikeTweet($tweetId: ID!) {\n    likeTweet(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n": typeof types.LikeTweetDocument,
    "\n  mutation UnlikeTweet($tweetId: ID!) {\n    unlikeTweet(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n": typeof types.UnlikeTweetDocument,
    "\n  mutation Retweet($tweetId: ID!) {\n    retweet(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n": typeof types.RetweetDocument,
    "\n  mutation Unretweet($tweetId: ID!) {\n    unretweet(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n": typeof types.UnretweetDocument,
    "\n  mutation Follow($userId: ID!) {\n    follow(userId: $userId)\n  }\n": typeof types.FollowDocument,
    "\n  mutation Unfollow($userId: ID!) {\n    unfollow(userId: $userId)\n  }\n": typeof types.UnfollowDocument,
    "\n  query Profile($handle: String!) {\n    user(handle: $handle) {\n      ...UserFields\n      followersCount\n      followingCount\n      followedByViewer\n    }\n  }\n": typeof types.ProfileDocument,
    "\n  query UserTweets($userId: ID!, $first: Int!, $before: ID) {\n    userTweets(userId: $userId, first: $first, before: $before) {\n      ...TweetFields\n    }\n  }\n": typeof types.UserTweetsDocument,
    "\n  query Hashtag($tag: String!, $first: Int!, $before: ID) {\n    hashtag(tag: $tag, first: $first, before: $before) {\n      ...TweetFields\n    }\n  }\n": typeof types.HashtagDocument,
    "\n  query Tweet($id: ID!) {\n    tweet(id: $id) {\n      ...TweetFields\n    }\n  }\n": typeof types.TweetDocument,
    "\n  query TweetAuthor($id: ID!) {\n    tweet(id: $id) {\n      id\n      author {\n        ...UserFields\n      }\n    }\n  }\n": typeof types.TweetAuthorDocument,
    "\n  query Replies($tweetId: ID!, $first: Int!, $after: ID) {\n    replies(tweetId: $tweetId, first: $first, after: $after) {\n      ...TweetFields\n    }\n  }\n": typeof types.RepliesDocument,
};
const documents: Documents = {
    "\n  fragment UserFields on User {\n    id\n    handle\n    displayName\n  }\n": types.UserFieldsFragmentDoc,
    "\n  fragment MetricsFields on EngagementMetrics {\n    tweetId\n    likes\n    replies\n    retweets\n    updatedAt\n    likedByViewer\n    retweetedByViewer\n  }\n": types.MetricsFieldsFragmentDoc,
    "\n  fragment TweetFields on Tweet {\n    id\n    content\n    hashtags\n    createdAt\n    replyTo\n    author {\n      ...UserFields\n    }\n    metrics {\n      ...MetricsFields\n    }\n  }\n": types.TweetFieldsFragmentDoc,
    "\n  fragment NotificationFields on Notification {\n    id\n    kind\n    read\n    createdAt\n    cursor\n    actor {\n      id\n      handle\n      displayName\n    }\n    tweet {\n      id\n      content\n    }\n  }\n": types.NotificationFieldsFragmentDoc,
    "\n  query Viewer {\n    viewer {\n      id\n      handle\n      displayName\n    }\n  }\n": types.ViewerDocument,
    "\n  query Notifications($first: Int!) {\n    notifications(first: $first) {\n      ...NotificationFields\n    }\n    unreadCount\n  }\n": types.NotificationsDocument,
    "\n  subscription NotificationEvents($after: String) {\n    notifications(after: $after) {\n      kind\n      unreadCount\n      cursor\n      notification {\n        ...NotificationFields\n      }\n    }\n  }\n": types.NotificationEventsDocument,
    "\n  mutation MarkNotificationRead($id: ID!) {\n    markNotificationRead(id: $id) {\n      id\n      read\n    }\n  }\n": types.MarkNotificationReadDocument,
    "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n": types.MarkAllNotificationsReadDocument,
    "\n  query Feed($first: Int!, $before: ID) {\n    feed(first: $first, before: $before) {\n      ...TweetFields\n    }\n  }\n": types.FeedDocument,
    "\n  subscription FeedUpdates($after: ID) {\n    feed(after: $after) {\n      ...TweetFields\n    }\n  }\n": types.FeedUpdatesDocument,
    "\n  subscription Engagement($tweetId: ID!) {\n    engagement(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n": types.EngagementDocument,
    "\n  subscription Trending {\n    trending {\n      windowSeconds\n      computedAt\n      topics {\n        topic\n        tweetCount\n        rank\n      }\n    }\n  }\n": types.TrendingDocument,
    "\n  subscription Typing($conversationId: ID!) {\n    typing(conversationId: $conversationId) {\n      conversationId\n      isTyping\n      at\n      user {\n        id\n        handle\n        displayName\n      }\n    }\n  }\n": types.TypingDocument,
    "\n  mutation SetTyping($conversationId: ID!, $isTyping: Boolean!) {\n    setTyping(conversationId: $conversationId, isTyping: $isTyping)\n  }\n": types.SetTypingDocument,
    "\n  mutation PostTweet($content: String!, $replyTo: ID) {\n    postTweet(content: $content, replyTo: $replyTo) {\n      ...TweetFields\n    }\n  }\n": types.PostTweetDocument,
    "\n  mutation LikeTweet($tweetId: ID!) {\n    likeTweet(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n": types.LikeTweetDocument,
    "\n  mutation UnlikeTweet($tweetId: ID!) {\n    unlikeTweet(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n": types.UnlikeTweetDocument,
    "\n  mutation Retweet($tweetId: ID!) {\n    retweet(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n": types.RetweetDocument,
    "\n  mutation Unretweet($tweetId: ID!) {\n    unretweet(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n": types.UnretweetDocument,
    "\n  mutation Follow($userId: ID!) {\n    follow(userId: $userId)\n  }\n": types.FollowDocument,
    "\n  mutation Unfollow($userId: ID!) {\n    unfollow(userId: $userId)\n  }\n": types.UnfollowDocument,
    "\n  query Profile($handle: String!) {\n    user(handle: $handle) {\n      ...UserFields\n      followersCount\n      followingCount\n      followedByViewer\n    }\n  }\n": types.ProfileDocument,
    "\n  query UserTweets($userId: ID!, $first: Int!, $before: ID) {\n    userTweets(userId: $userId, first: $first, before: $before) {\n      ...TweetFields\n    }\n  }\n": types.UserTweetsDocument,
    "\n  query Hashtag($tag: String!, $first: Int!, $before: ID) {\n    hashtag(tag: $tag, first: $first, before: $before) {\n      ...TweetFields\n    }\n  }\n": types.HashtagDocument,
    "\n  query Tweet($id: ID!) {\n    tweet(id: $id) {\n      ...TweetFields\n    }\n  }\n": types.TweetDocument,
    "\n  query TweetAuthor($id: ID!) {\n    tweet(id: $id) {\n      id\n      author {\n        ...UserFields\n      }\n    }\n  }\n": types.TweetAuthorDocument,
    "\n  query Replies($tweetId: ID!, $first: Int!, $after: ID) {\n    replies(tweetId: $tweetId, first: $first, after: $after) {\n      ...TweetFields\n    }\n  }\n": types.RepliesDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserFields on User {\n    id\n    handle\n    displayName\n  }\n"): (typeof documents)["\n  fragment UserFields on User {\n    id\n    handle\n    displayName\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MetricsFields on EngagementMetrics {\n    tweetId\n    likes\n    replies\n    retweets\n    updatedAt\n    likedByViewer\n    retweetedByViewer\n  }\n"): (typeof documents)["\n  fragment MetricsFields on EngagementMetrics {\n    tweetId\n    likes\n    replies\n    retweets\n    updatedAt\n    likedByViewer\n    retweetedByViewer\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TweetFields on Tweet {\n    id\n    content\n    hashtags\n    createdAt\n    replyTo\n    author {\n      ...UserFields\n    }\n    metrics {\n      ...MetricsFields\n    }\n  }\n"): (typeof documents)["\n  fragment TweetFields on Tweet {\n    id\n    content\n    hashtags\n    createdAt\n    replyTo\n    author {\n      ...UserFields\n    }\n    metrics {\n      ...MetricsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment NotificationFields on Notification {\n    id\n    kind\n    read\n    createdAt\n    cursor\n    actor {\n      id\n      handle\n      displayName\n    }\n    tweet {\n      id\n      content\n    }\n  }\n"): (typeof documents)["\n  fragment NotificationFields on Notification {\n    id\n    kind\n    read\n    createdAt\n    cursor\n    actor {\n      id\n      handle\n      displayName\n    }\n    tweet {\n      id\n      content\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      id\n      handle\n      displayName\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      id\n      handle\n      displayName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Notifications($first: Int!) {\n    notifications(first: $first) {\n      ...NotificationFields\n    }\n    unreadCount\n  }\n"): (typeof documents)["\n  query Notifications($first: Int!) {\n    notifications(first: $first) {\n      ...NotificationFields\n    }\n    unreadCount\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription NotificationEvents($after: String) {\n    notifications(after: $after) {\n      kind\n      unreadCount\n      cursor\n      notification {\n        ...NotificationFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription NotificationEvents($after: String) {\n    notifications(after: $after) {\n      kind\n      unreadCount\n      cursor\n      notification {\n        ...NotificationFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkNotificationRead($id: ID!) {\n    markNotificationRead(id: $id) {\n      id\n      read\n    }\n  }\n"): (typeof documents)["\n  mutation MarkNotificationRead($id: ID!) {\n    markNotificationRead(id: $id) {\n      id\n      read\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n"): (typeof documents)["\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Feed($first: Int!, $before: ID) {\n    feed(first: $first, before: $before) {\n      ...TweetFields\n    }\n  }\n"): (typeof documents)["\n  query Feed($first: Int!, $before: ID) {\n    feed(first: $first, before: $before) {\n      ...TweetFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription FeedUpdates($after: ID) {\n    feed(after: $after) {\n      ...TweetFields\n    }\n  }\n"): (typeof documents)["\n  subscription FeedUpdates($after: ID) {\n    feed(after: $after) {\n      ...TweetFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription Engagement($tweetId: ID!) {\n    engagement(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n"): (typeof documents)["\n  subscription Engagement($tweetId: ID!) {\n    engagement(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription Trending {\n    trending {\n      windowSeconds\n      computedAt\n      topics {\n        topic\n        tweetCount\n        rank\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription Trending {\n    trending {\n      windowSeconds\n      computedAt\n      topics {\n        topic\n        tweetCount\n        rank\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription Typing($conversationId: ID!) {\n    typing(conversationId: $conversationId) {\n      conversationId\n      isTyping\n      at\n      user {\n        id\n        handle\n        displayName\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription Typing($conversationId: ID!) {\n    typing(conversationId: $conversationId) {\n      conversationId\n      isTyping\n      at\n      user {\n        id\n        handle\n        displayName\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetTyping($conversationId: ID!, $isTyping: Boolean!) {\n    setTyping(conversationId: $conversationId, isTyping: $isTyping)\n  }\n"): (typeof documents)["\n  mutation SetTyping($conversationId: ID!, $isTyping: Boolean!) {\n    setTyping(conversationId: $conversationId, isTyping: $isTyping)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PostTweet($content: String!, $replyTo: ID) {\n    postTweet(content: $content, replyTo: $replyTo) {\n      ...TweetFields\n    }\n  }\n"): (typeof documents)["\n  mutation PostTweet($content: String!, $replyTo: ID) {\n    postTweet(content: $content, replyTo: $replyTo) {\n      ...TweetFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LikeTweet($tweetId: ID!) {\n    likeTweet(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n"): (typeof documents)["\n  mutation LikeTweet($tweetId: ID!) {\n    likeTweet(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnlikeTweet($tweetId: ID!) {\n    unlikeTweet(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n"): (typeof documents)["\n  mutation UnlikeTweet($tweetId: ID!) {\n    unlikeTweet(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Retweet($tweetId: ID!) {\n    retweet(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n"): (typeof documents)["\n  mutation Retweet($tweetId: ID!) {\n    retweet(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Unretweet($tweetId: ID!) {\n    unretweet(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n"): (typeof documents)["\n  mutation Unretweet($tweetId: ID!) {\n    unretweet(tweetId: $tweetId) {\n      ...MetricsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Follow($userId: ID!) {\n    follow(userId: $userId)\n  }\n"): (typeof documents)["\n  mutation Follow($userId: ID!) {\n    follow(userId: $userId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Unfollow($userId: ID!) {\n    unfollow(userId: $userId)\n  }\n"): (typeof documents)["\n  mutation Unfollow($userId: ID!) {\n    unfollow(userId: $userId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Profile($handle: String!) {\n    user(handle: $handle) {\n      ...UserFields\n      followersCount\n      followingCount\n      followedByViewer\n    }\n  }\n"): (typeof documents)["\n  query Profile($handle: String!) {\n    user(handle: $handle) {\n      ...UserFields\n      followersCount\n      followingCount\n      followedByViewer\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UserTweets($userId: ID!, $first: Int!, $before: ID) {\n    userTweets(userId: $userId, first: $first, before: $before) {\n      ...TweetFields\n    }\n  }\n"): (typeof documents)["\n  query UserTweets($userId: ID!, $first: Int!, $before: ID) {\n    userTweets(userId: $userId, first: $first, before: $before) {\n      ...TweetFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Hashtag($tag: String!, $first: Int!, $before: ID) {\n    hashtag(tag: $tag, first: $first, before: $before) {\n      ...TweetFields\n    }\n  }\n"): (typeof documents)["\n  query Hashtag($tag: String!, $first: Int!, $before: ID) {\n    hashtag(tag: $tag, first: $first, before: $before) {\n      ...TweetFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Tweet($id: ID!) {\n    tweet(id: $id) {\n      ...TweetFields\n    }\n  }\n"): (typeof documents)["\n  query Tweet($id: ID!) {\n    tweet(id: $id) {\n      ...TweetFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TweetAuthor($id: ID!) {\n    tweet(id: $id) {\n      id\n      author {\n        ...UserFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query TweetAuthor($id: ID!) {\n    tweet(id: $id) {\n      id\n      author {\n        ...UserFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Replies($tweetId: ID!, $first: Int!, $after: ID) {\n    replies(tweetId: $tweetId, first: $first, after: $after) {\n      ...TweetFields\n    }\n  }\n"): (typeof documents)["\n  query Replies($tweetId: ID!, $first: Int!, $after: ID) {\n    replies(tweetId: $tweetId, first: $first, after: $after) {\n      ...TweetFields\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;