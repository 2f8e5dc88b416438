/**
 * Every GraphQL operation the hooks and the dashboard send. GraphQL Code Generator reads
 * this file and writes their types to `src/gql/` (`npm run codegen`).
 */
import { graphql } from "../gql";

export const TweetFieldsFragment = graphql(`
  fragment TweetFields on Tweet {
    id
    content
    hashtags
    createdAt
    replyTo
    author {
      id
      handle
      displayName
    }
    metrics {
      tweetId
      likes
      replies
      retweets
      updatedAt
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
  query Feed($first: Int!) {
    feed(first: $first) {
      ...TweetFields
    }
  }
`);

export const FeedSubscription = graphql(`
  subscription FeedUpdates {
    feed {
      ...TweetFields
    }
  }
`);

export const EngagementSubscription = graphql(`
  subscription Engagement($tweetId: ID!) {
    engagement(tweetId: $tweetId) {
      tweetId
      likes
      replies
      retweets
      updatedAt
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
      tweetId
      likes
      replies
      retweets
      updatedAt
    }
  }
`);

export const UnlikeTweetMutation = graphql(`
  mutation UnlikeTweet($tweetId: ID!) {
    unlikeTweet(tweetId: $tweetId) {
      tweetId
      likes
      replies
      retweets
      updatedAt
    }
  }
`);

export const RetweetMutation = graphql(`
  mutation Retweet($tweetId: ID!) {
    retweet(tweetId: $tweetId) {
      tweetId
      likes
      replies
      retweets
      updatedAt
    }
  }
`);
