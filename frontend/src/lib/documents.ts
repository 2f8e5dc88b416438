/**
 * Every GraphQL operation the hooks and the dashboard send. GraphQL Code Generator reads
 * this file and writes their types to `src/gql/` (`npm run codegen`).
 */
import { graphql } from "../gql";

export const UserFieldsFragment = graphql(`
  fragment UserFields on User {
    id
    handle
    displayName
  }
`);

/** Counters with the viewer's own like and retweet: the same on every stream and mutation. */
export const MetricsFieldsFragment = graphql(`
  fragment MetricsFields on EngagementMetrics {
    tweetId
    likes
    replies
    retweets
    updatedAt
    likedByViewer
    retweetedByViewer
  }
`);

export const TweetFieldsFragment = graphql(`
  fragment TweetFields on Tweet {
    id
    content
    hashtags
    createdAt
    replyTo
    author {
      ...UserFields
    }
    metrics {
      ...MetricsFields
    }
  }
`);

export const NotificationFieldsFragment = graphql(`
  fragment NotificationFields on Notification {
    id
    kind
    read
    createdAt
    cursor
    actor {
      id
      handle
      displayName
    }
    tweet {
      id
      content
    }
  }
`);

export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      id
      handle
      displayName
    }
  }
`);

export const NotificationsQuery = graphql(`
  query Notifications($first: Int!) {
    notifications(first: $first) {
      ...NotificationFields
    }
    unreadCount
  }
`);

export const NotificationsSubscription = graphql(`
  subscription NotificationEvents($after: String) {
    notifications(after: $after) {
      kind
      unreadCount
      cursor
      notification {
        ...NotificationFields
      }
    }
  }
`);

export const MarkNotificationReadMutation = graphql(`
  mutation MarkNotificationRead($id: ID!) {
    markNotificationRead(id: $id) {
      id
      read
    }
  }
`);

export const MarkAllNotificationsReadMutation = graphql(`
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead
  }
`);

export const FeedQuery = graphql(`
  query Feed($first: Int!, $before: ID) {
    feed(first: $first, before: $before) {
      ...TweetFields
    }
  }
`);

export const FeedSubscription = graphql(`
  subscription FeedUpdates($after: ID) {
    feed(after: $after) {
      ...TweetFields
    }
  }
`);

export const EngagementSubscription = graphql(`
  subscription Engagement($tweetId: ID!) {
    engagement(tweetId: $tweetId) {
      ...MetricsFields
    }
  }
`);

export const TrendingSubscription = graphql(`
  subscription Trending {
    trending {
      windowSeconds
      computedAt
      topics {
        topic
        tweetCount
        rank
      }
    }
  }
`);

export const TypingSubscription = graphql(`
  subscription Typing($conversationId: ID!) {
    typing(conversationId: $conversationId) {
      conversationId
      isTyping
      at
      user {
        id
        handle
        displayName
      }
    }
  }
`);

export const SetTypingMutation = graphql(`
  mutation SetTyping($conversationId: ID!, $isTyping: Boolean!) {
    setTyping(conversationId: $conversationId, isTyping: $isTyping)
  }
`);

export const PostTweetMutation = graphql(`
  mutation PostTweet($content: String!, $replyTo: ID) {
    postTweet(content: $content, replyTo: $replyTo) {
      ...TweetFields
    }
  }
`);

export const LikeTweetMutation = graphql(`
  mutation LikeTweet($tweetId: ID!) {
    likeTweet(tweetId: $tweetId) {
      ...MetricsFields
    }
  }
`);

export const UnlikeTweetMutation = graphql(`
  mutation UnlikeTweet($tweetId: ID!) {
    unlikeTweet(tweetId: $tweetId) {
      ...MetricsFields
    }
  }
`);

export const RetweetMutation = graphql(`
  mutation Retweet($tweetId: ID!) {
    retweet(tweetId: $tweetId) {
      ...MetricsFields
    }
  }
`);

export const UnretweetMutation = graphql(`
  mutation Unretweet($tweetId: ID!) {
    unretweet(tweetId: $tweetId) {
      ...MetricsFields
    }
  }
`);

export const FollowMutation = graphql(`
  mutation Follow($userId: ID!) {
    follow(userId: $userId)
  }
`);

export const UnfollowMutation = graphql(`
  mutation Unfollow($userId: ID!) {
    unfollow(userId: $userId)
  }
`);

export const ProfileQuery = graphql(`
  query Profile($handle: String!) {
    user(handle: $handle) {
      ...UserFields
      followersCount
      followingCount
      followedByViewer
    }
  }
`);

export const UserTweetsQuery = graphql(`
  query UserTweets($userId: ID!, $first: Int!, $before: ID) {
    userTweets(userId: $userId, first: $first, before: $before) {
      ...TweetFields
    }
  }
`);

export const HashtagQuery = graphql(`
  query Hashtag($tag: String!, $first: Int!, $before: ID) {
    hashtag(tag: $tag, first: $first, before: $before) {
      ...TweetFields
    }
  }
`);

export const TweetQuery = graphql(`
  query Tweet($id: ID!) {
    tweet(id: $id) {
      ...TweetFields
    }
  }
`);

/** Who wrote a tweet: for "Replying to @handle" above a reply. */
export const TweetAuthorQuery = graphql(`
  query TweetAuthor($id: ID!) {
    tweet(id: $id) {
      id
      author {
        ...UserFields
      }
    }
  }
`);

export const RepliesQuery = graphql(`
  query Replies($tweetId: ID!, $first: Int!, $after: ID) {
    replies(tweetId: $tweetId, first: $first, after: $after) {
      ...TweetFields
    }
  }
`);
