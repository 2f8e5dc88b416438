"""Which media type a GraphQL request gets back, from its `Accept` header.

    media type                              what                         chosen when
    application/graphql-response+json       GraphQL over HTTP (the spec) listed
    application/json                        GraphQL over HTTP (legacy)   listed, */*, application/*, none
    text/event-stream                       GraphQL over SSE             listed by name
    multipart/mixed;subscriptionSpec="1.0"  Apollo's multipart protocol  listed by name (not deferSpec alone)

The client's order of preference decides (q values, then the order it lists them in), among the
types that can carry the operation: a query or mutation may go in any, a subscription only in a
stream. A wildcard never picks a stream: urql lists `text/event-stream` after the JSON types on
every request and gets JSON for its queries, and a client that names no stream gets none.
"""

from __future__ import annotations

from enum import Enum


class Media(Enum):
    GRAPHQL_JSON = "application/graphql-response+json"
    JSON = "application/json"
    SSE = "text/event-stream"
    MULTIPART = "multipart/mixed"

    @property
    def streams(self) -> bool:
        return self in (Media.SSE, Media.MULTIPART)


JSON_ONLY = (Media.JSON,)


def preferences(accept: str | None) -> tuple[Media, ...]:
    """The media types we can answer with, most preferred first; () when none is acceptable."""
    if accept is None or not accept.strip():
        return JSON_ONLY
    ranked: list[tuple[float, int, Media]] = []
    for position, item in enumerate(accept.split(",")):
        media = _media_of(item)
        if media is not None and media[0] > 0:
            ranked.append((-media[0], position, media[1]))
    ranked.sort(key=lambda entry: (entry[0], entry[1]))
    chosen: list[Media] = []
    for _, _, media_type in ranked:
        if media_type not in chosen:
            chosen.append(media_type)
    return tuple(chosen)


def _media_of(item: str) -> tuple[float, Media] | None:
    kind, *raw_params = item.split(";")
    kind = kind.strip().lower()
    params: dict[str, str] = {}
    for raw in raw_params:
        name, _, value = raw.partition("=")
        params[name.strip().lower()] = value.strip().strip('"')
    try:
        quality = float(params.pop("q", "1"))
    except ValueError:
        quality = 1.0
    if kind == Media.GRAPHQL_JSON.value:
        return quality, Media.GRAPHQL_JSON
    if kind in (Media.JSON.value, "application/*", "*/*"):
        return quality, Media.JSON
    if kind == Media.SSE.value:
        return quality, Media.SSE
    if kind == Media.MULTIPART.value:
        # Apollo's subscription protocol; a client asking for @defer's incremental format alone
        # (deferSpec) would not understand its parts.
        if "subscriptionspec" in params or "deferspec" not in params:
            return quality, Media.MULTIPART
    return None


def choose(preferred: tuple[Media, ...], *, subscription: bool) -> Media | None:
    """The most preferred type that can carry the operation; None when none can."""
    for media in preferred:
        if media.streams or not subscription:
            return media
    return None
