"""The Strawberry schema: `tidings.schema:schema`."""

import strawberry

from .root import Mutation, Query, Subscription

schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)

__all__ = ["Mutation", "Query", "Subscription", "schema"]
