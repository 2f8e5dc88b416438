"""Fields whose value depends on who asks: the `@viewerScoped` mark, and what they read.

A field declares it once, where it is declared: `strawberry.field(directives=[ViewerScoped()])`.
Whoever decides whether two subscribers may share one execution reads it from the schema
(`is_viewer_scoped`), so a new viewer field needs no list kept anywhere else.

The fields read the viewer's state through `ViewerContext`, which the resolvers' Context is
(types/ imports nothing of resolvers/; resolvers/lookups.py batches the reads).
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

import strawberry
from graphql import GraphQLField
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.schema_directive import Location
from strawberry.types.field import StrawberryField

from ..store import UserRow


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="The value depends on who asks (the viewer): never shared between viewers.",
)
class ViewerScoped:
    pass


def is_viewer_scoped(field: GraphQLField) -> bool:
    """Whether a field of the built schema carries `@viewerScoped`."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return isinstance(definition, StrawberryField) and any(
        isinstance(directive, ViewerScoped) for directive in definition.directives
    )


class Engaged(NamedTuple):
    liked: bool
    retweeted: bool


NEITHER = Engaged(False, False)


class ViewerLookups(Protocol):
    async def engagement(self, viewer: UserRow | None, tweet_id: str, likes: int, retweets: int) -> Engaged:
        """Whether `viewer` likes and retweets the tweet now (NEITHER without a viewer)."""
        ...

    async def follows(self, viewer: UserRow | None, user_id: str) -> bool:
        """Whether `viewer` follows the user; false without a viewer and for the viewer themself."""
        ...

    async def follow_counts(self, user_id: str) -> tuple[int, int]:
        """(followers, following) of a user."""
        ...


class ViewerContext(Protocol):
    """What the viewer fields need of the context."""

    viewer: UserRow | None
    lookups: ViewerLookups
