"""The root types: Query, Mutation, Subscription. Each field delegates to `resolvers`."""

from __future__ import annotations

import strawberry

from ..resolvers import engagement as engagement_fields
from ..resolvers import live as live_fields
from ..resolvers import notifications as notification_fields
from ..resolvers import service as service_fields
from ..resolvers import social as social_fields
from ..resolvers import tweets as tweet_fields
from ..types.live import ConnectionStats, TrendingTopic, TrendingUpdate
from ..types.notifications import Notification
from ..types.social import EngagementMetrics, Tweet, User
from ..types.viewer import ViewerScoped


@strawberry.type
class Query:
    viewer: User | None = strawberry.field(
        resolver=social_fields.viewer, description="Whoever the token names.", directives=[ViewerScoped()]
    )
    tweet: Tweet | None = strawberry.field(resolver=tweet_fields.tweet, description="One tweet, or null.")
    notifications: list[Notification] = strawberry.field(
        resolver=notification_fields.notifications,
        description=(
            "The viewer's notifications. Newest first, or, with `after:`, those created after that "
            "cursor, oldest first; `before:` pages back through older ones. `first` is 1-100."
        ),
        directives=[ViewerScoped()],
    )
    unread_count: int = strawberry.field(
        resolver=notification_fields.unread_count,
        description="The viewer's unread count.",
        directives=[ViewerScoped()],
    )
    feed: list[Tweet] = strawberry.field(
        resolver=tweet_fields.feed,
        description=(
            "Newest first: tweets by the people the viewer follows, and their own; `before:` a "
            "tweet id pages back."
        ),
        directives=[ViewerScoped()],
    )
    user: User | None = strawberry.field(
        resolver=social_fields.user, description="The user with this handle (`@` optional), or null."
    )
    user_tweets: list[Tweet] = strawberry.field(
        resolver=tweet_fields.user_tweets,
        description="A user's tweets and replies, newest first; `before:` a tweet id pages back.",
    )
    replies: list[Tweet] = strawberry.field(
        resolver=tweet_fields.replies,
        description="The thread under a tweet: its replies, oldest first; `after:` a tweet id pages on.",
    )
    hashtag: list[Tweet] = strawberry.field(
        resolver=tweet_fields.hashtag,
        description="Tweets with #tag (`#` optional, any case), newest first; `before:` pages back.",
    )
    trending: list[TrendingTopic] = strawberry.field(
        resolver=live_fields.trending,
        description="Hashtags of the trending window, most used first (`limit` 1-50).",
    )
    stats: ConnectionStats = strawberry.field(
        resolver=live_fields.stats, description="Live connection figures (signed-in viewers only)."
    )


@strawberry.type
class Mutation:
    mark_notification_read: Notification = strawberry.mutation(
        resolver=notification_fields.mark_read, description="Mark one of the viewer's notifications read."
    )
    mark_all_notifications_read: int = strawberry.mutation(
        resolver=notification_fields.mark_all_read, description="Mark all read; returns how many were unread."
    )
    post_tweet: Tweet = strawberry.mutation(
        resolver=tweet_fields.post_tweet,
        description="Post a tweet (at most 280 characters), or a reply with `replyTo`.",
    )
    like_tweet: EngagementMetrics = strawberry.mutation(
        resolver=engagement_fields.like_tweet, description="Like a tweet; idempotent per viewer."
    )
    unlike_tweet: EngagementMetrics = strawberry.mutation(
        resolver=engagement_fields.unlike_tweet, description="Take a like back; its notification stays."
    )
    retweet: EngagementMetrics = strawberry.mutation(
        resolver=engagement_fields.retweet, description="Retweet; idempotent per viewer."
    )
    unretweet: EngagementMetrics = strawberry.mutation(
        resolver=engagement_fields.unretweet, description="Take a retweet back; its notification stays."
    )
    follow: bool = strawberry.mutation(
        resolver=social_fields.follow, description="Follow a user; true when this call started following."
    )
    unfollow: bool = strawberry.mutation(
        resolver=social_fields.unfollow, description="Stop following; true when this call stopped following."
    )
    set_typing: bool = strawberry.mutation(
        resolver=live_fields.set_typing,
        description="Tell the others in a conversation that the viewer is typing.",
    )
    create_notification: Notification = strawberry.mutation(
        resolver=service_fields.create_notification,
        description="Service token only: `actorId` did `kind` to `userId`; stored, then on their stream.",
    )
    publish_tweet: Tweet = strawberry.mutation(
        resolver=service_fields.publish_tweet,
        description="Service token only: post as `authorId`, exactly as postTweet does for a user.",
    )
    publish_engagement: EngagementMetrics = strawberry.mutation(
        resolver=service_fields.publish_engagement,
        description=(
            "Service token only: `userId` liked, unliked or retweeted `tweetId`, as likeTweet etc. do."
        ),
    )
    publish_trending: TrendingUpdate = strawberry.mutation(
        resolver=service_fields.publish_trending,
        description="Service token only: the ranking, most trending first; it becomes the current one.",
    )
    publish_typing: bool = strawberry.mutation(
        resolver=service_fields.publish_typing,
        description="Service token only: `userId` started or stopped typing in a conversation.",
    )


@strawberry.type
class Subscription:
    notifications = strawberry.subscription(
        resolver=notification_fields.notifications_stream,
        description="The viewer's notification events; `after:` replays what was missed, then goes live.",
        directives=[ViewerScoped()],
    )
    feed = strawberry.subscription(
        resolver=tweet_fields.feed_stream,
        description=(
            "New tweets by authors the viewer follows; `after:` a tweet id first replays those after "
            "it, oldest first, then goes live: each once, in order."
        ),
        # Not @viewerScoped: which tweets reach a viewer is decided when they are routed
        # (bus/timeline.py); one tweet renders the same for every follower unless the selection
        # reaches a viewer field, so followers with one selection share one execution.
    )
    engagement = strawberry.subscription(
        resolver=engagement_fields.engagement_stream,
        description=(
            "Current counts, then every change (latest wins); `likedByViewer` / "
            "`retweetedByViewer` are each subscriber's own."
        ),
    )
    trending = strawberry.subscription(
        resolver=live_fields.trending_stream, description="The current ranking, then each change."
    )
    typing = strawberry.subscription(
        resolver=live_fields.typing_stream, description="Typing indicators of the others in a conversation."
    )
