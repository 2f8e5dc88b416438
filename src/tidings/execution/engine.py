"""Parse, validate and execute GraphQL documents over the Strawberry schema with graphql-core.

Both transports share this: the document size, token, depth and alias limits; a cache of
parsed and validated documents (reconnect storms re-send the same few); error masking (our
`TidingsError` messages pass word for word, anything else becomes "Unexpected error." and is
logged); and the subscription pipeline split into its two halves, so that the WebSocket layer
can execute an event once and send the bytes to every subscriber that may share them.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterable
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.execution import (
    Executor,
    MiddlewareManager,
    create_source_event_stream,
    execute_subscription_event,
)
from graphql.execution.collect_fields import collect_fields
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator

from ..config import Settings
from ..errors import ConfigError, TidingsError
from . import scope
from .hydrate import Capture, Rendered
from .persisted import PersistedDocuments, PersistedQueryError, load_trusted
from .ratelimit import MutationLimiter
from .repeats import excess_repeats

log = logging.getLogger("tidings.engine")

CACHE_SIZE = 512
# A parsed document with its locations holds ~500 bytes a token: 512 documents of 2,000 tokens
# (11 kB each, anyone may send them) held ~500 MB. The cache keeps at most this many tokens
# (~25 MB), its texts counted too; the dashboard's documents are 50-150 tokens each.
CACHE_TOKENS = 50_000
UNEXPECTED = "Unexpected error."


class RequestError(Exception):
    """The request cannot run at all (too big, syntax, validation, unknown operation)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors[0]["message"] if errors else "bad request")
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed, validated document and its selected operation."""

    key: str
    document: DocumentNode
    operation: OperationType
    root_field: str | None
    definition: OperationDefinitionNode


def format_error(error: GraphQLError) -> dict[str, Any]:
    """The client's view of an error: ours word for word, graphql-core's as is, others masked."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return dict(error.formatted)
    formatted: dict[str, Any] = dict(error.formatted)
    if isinstance(original, TidingsError):
        formatted["message"] = original.message
        formatted["extensions"] = original.extensions
        return formatted
    log.error("unexpected error in %s", error.path, exc_info=original)
    formatted["message"] = UNEXPECTED
    formatted.pop("extensions", None)
    return formatted


def format_result(result: ExecutionResult) -> dict[str, Any]:
    if result.data is None and result.errors and all(e.path is None for e in result.errors):
        # A request error (variables that do not coerce): execution never began, so the
        # response has no `data` entry (GraphQL spec, "Response Format"). A field error has a path.
        return {"errors": [format_error(e) for e in result.errors]}
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [format_error(e) for e in result.errors]
    return out


def error_of(exc: BaseException) -> dict[str, Any]:
    """A raised exception as one client-facing error."""
    if isinstance(exc, TidingsError):
        return {"message": exc.message, "extensions": exc.extensions}
    if isinstance(exc, GraphQLError):
        return format_error(exc)
    log.error("unexpected error", exc_info=exc)
    return {"message": UNEXPECTED}


def refuse_what_would_not_run(schema: strawberry.Schema) -> None:
    """Strawberry runs schema extensions and custom operation directives inside its own
    `execute`; the engine executes with graphql-core directly (to execute a subscription event
    once for many subscribers), so they would never run. Refuse them at start: ConfigError."""
    skipped = [getattr(extension, "__name__", type(extension).__name__) for extension in schema.extensions]
    skipped += [f"@{directive.graphql_name or directive.python_name}" for directive in schema.directives]
    if skipped:
        raise ConfigError(
            f"The schema has Strawberry extensions or operation directives ({', '.join(skipped)}) that "
            "Tidings would not run: it executes documents with graphql-core (execution/engine.py). "
            "Put the behaviour in execution/ (validation rules, error formatting, the mutation limiter)."
        )


class Engine:
    def __init__(self, schema: strawberry.Schema, settings: Settings) -> None:
        refuse_what_would_not_run(schema)
        self.schema: GraphQLSchema = schema._schema
        self.max_bytes = settings.max_query_bytes
        self.max_tokens = settings.max_tokens
        self.rules = [
            *specified_rules,
            depth_validator(settings.max_depth, None),
            aliases_validator(settings.max_aliases),
        ]
        self._documents: OrderedDict[str, tuple[DocumentNode | list[dict[str, Any]], int]] = OrderedDict()
        self.cached_tokens = 0  # of the documents in the cache
        self.cache_tokens = CACHE_TOKENS  # the most it may hold
        # Asked before every mutation (limits.py); None: no limit.
        self.mutation_limiter: MutationLimiter | None = None
        self.cache_hits = 0
        self.cache_misses = 0
        trusted = load_trusted(settings.trusted_documents) if settings.trusted_documents else None
        self.documents = PersistedDocuments(settings.apq_cache_bytes, trusted)
        for digest, document in (trusted or {}).items():
            problems = self._parse_and_validate(document)
            if isinstance(problems, list):
                raise ConfigError(
                    f"Trusted document {digest[:12]}... does not run on this schema: {problems[0]['message']}"
                )

    def _document(self, query: str) -> DocumentNode:
        entry = self._documents.get(query)
        if entry is not None:
            self.cache_hits += 1
            self._documents.move_to_end(query)
            cached = entry[0]
        else:
            self.cache_misses += 1
            cached = self._parse_and_validate(query)
            # Its tokens, and its text (the key) at the same ~500 bytes a unit.
            tokens = (_tokens(cached) if isinstance(cached, DocumentNode) else 1) + len(query) // 500
            self._documents[query] = (cached, tokens)
            self.cached_tokens += tokens
            while len(self._documents) > 1 and (
                len(self._documents) > CACHE_SIZE or self.cached_tokens > self.cache_tokens
            ):
                _, (_, dropped) = self._documents.popitem(last=False)
                self.cached_tokens -= dropped
        if isinstance(cached, list):
            raise RequestError(cached)
        return cached

    def _parse_and_validate(self, query: str) -> DocumentNode | list[dict[str, Any]]:
        size = len(query.encode()) if len(query) * 4 > self.max_bytes else len(query)
        if size > self.max_bytes:
            return [{"message": f"Query document is {size} bytes; the limit is {self.max_bytes}."}]
        try:
            document = parse(query, max_tokens=self.max_tokens, no_location=False)
        except GraphQLError as exc:
            return [dict(exc.formatted)]
        repeated = excess_repeats(document)  # before validate: its cost grows with the repeats
        if repeated is not None:
            return [{"message": repeated}]
        errors = validate(self.schema, document, self.rules)
        if errors:
            return [dict(e.formatted) for e in errors]
        return document

    def prepare_request(
        self, query: Any, operation_name: str | None, extensions: Any = None, document_id: Any = None
    ) -> Prepared:
        """`prepare` for what a client sent, on any transport: its document found by persisted
        hash when it names one (`persisted.py`), and registered once it validates."""
        try:
            text, register = self.documents.resolve(query, extensions, document_id)
        except PersistedQueryError as exc:
            raise RequestError(exc.errors) from None
        prepared = self.prepare(text, operation_name)
        if register is not None:
            self.documents.remember(register, text)
        return prepared

    def prepare(self, query: str, operation_name: str | None = None) -> Prepared:
        """Parse (cached), validate (cached) and select the operation; RequestError if it can't run."""
        if len(query) > self.max_bytes:  # refuse a huge document before even hashing it
            raise RequestError([{"message": f"Query document is over the limit of {self.max_bytes} bytes."}])
        document = self._document(query)
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            message = (
                f"Unknown operation named {operation_name!r}."
                if operation_name
                else "The document has several operations: give `operationName`."
            )
            raise RequestError([{"message": message}])
        return Prepared(
            key=query,
            document=document,
            operation=operation.operation,
            root_field=_root_field(document, operation),
            definition=operation,
        )

    def viewer_scoped(self, prepared: Prepared, variables: dict[str, Any] | None) -> bool:
        """Whether the operation's result may depend on who asks (scope.py)."""
        return scope.viewer_scoped(self.schema, prepared.document, prepared.definition, variables)

    def sharing(self, prepared: Prepared, variables: dict[str, Any] | None) -> scope.Sharing:
        """How subscribers of the operation may share an event's execution (scope.py)."""
        return scope.sharing(self.schema, prepared.document, prepared.definition, variables)

    async def execute(
        self, prepared: Prepared, context: Any, variables: dict[str, Any] | None, operation_name: str | None
    ) -> dict[str, Any]:
        """Run a query or mutation; the response as a dict with `data` and maybe `errors`. A
        mutation over the rate limit is refused whole, before anything runs: each mutation field
        it would run takes one token (30 aliased `postTweet` are 30)."""
        if prepared.operation is OperationType.MUTATION and self.mutation_limiter is not None:
            fields = self.root_fields(prepared, variables, operation_name)
            if isinstance(fields, list):
                return {"data": None, "errors": fields}
            refusal = await self.mutation_limiter.refuse(context, fields)
            if refusal is not None:
                return {"data": None, "errors": [refusal]}
        result = execute(
            self.schema,
            prepared.document,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
        )
        if not isinstance(result, ExecutionResult):
            result = await result
        return format_result(result)

    def root_fields(
        self, prepared: Prepared, variables: dict[str, Any] | None, operation_name: str | None
    ) -> int | list[dict[str, Any]]:
        """How many root fields the operation runs with these variables (through fragments,
        after `@skip`/`@include`, one per response key), as graphql-core collects them; or the
        errors of variables that do not fit the document."""
        executor = Executor.build(
            self.schema, prepared.document, raw_variable_values=variables, operation_name=operation_name
        )
        if isinstance(executor, list):
            return [format_error(e) for e in executor]
        root_type = self.schema.get_root_type(prepared.operation)
        assert root_type is not None  # validation refused the operation otherwise
        collected = collect_fields(
            self.schema, executor.fragments, executor.variable_values, root_type, executor.operation
        )
        return len(collected.grouped_field_set)

    async def subscribe(
        self, prepared: Prepared, context: Any, variables: dict[str, Any] | None, operation_name: str | None
    ) -> Subscription:
        """Start a subscription's source stream; RequestError when it cannot start."""
        executor = Executor.build(
            self.schema,
            prepared.document,
            context_value=context,
            raw_variable_values=variables,
            operation_name=operation_name,
        )
        if isinstance(executor, list):
            raise RequestError([format_error(e) for e in executor])
        stream = create_source_event_stream(executor)
        if not isinstance(stream, (ExecutionResult, AsyncIterable)):
            stream = await stream
        if isinstance(stream, ExecutionResult):
            raise RequestError([format_error(e) for e in stream.errors or []])
        return Subscription(executor, stream)


class Subscription:
    """A started subscription: its source events, and how to execute one into a response."""

    __slots__ = ("_executor", "stream")

    def __init__(self, executor: Executor[Any], stream: AsyncIterable[Any]) -> None:
        self._executor = executor
        self.stream = stream

    def _per_event(self, value: Any) -> Executor[Any]:
        """graphql-core's executor for one event: a shallow copy of the subscription's, which
        would share its memo of collected subfields. That memo is keyed by the identity of each
        execution's own field lists, so every event added an entry that lived as long as the
        subscription (tests/execution/test_event_memory.py); each event gets a memo of its own.
        A private attribute: graphql-core is pinned (~=), tests/test_private_apis.py checks it."""
        executor = self._executor.build_per_event_executor(value)
        executor._relevant_sub_fields = {}
        return executor

    async def execute(self, value: Any) -> dict[str, Any]:
        result = execute_subscription_event(self._per_event(value))
        if not isinstance(result, ExecutionResult):
            result = await result
        return format_result(result)

    async def render(self, value: Any) -> Rendered:
        """Execute everything but the viewer fields, for every viewer to hydrate (hydrate.py)."""
        capture = Capture()
        executor = self._per_event(value)
        executor.middleware_manager = MiddlewareManager(capture)
        result = execute_subscription_event(executor)
        if not isinstance(result, ExecutionResult):
            result = await result
        return capture.rendered(format_result(result))

    async def aclose(self) -> None:
        aclose = getattr(self.stream, "aclose", None)
        if aclose is not None:
            await aclose()


def _tokens(document: DocumentNode) -> int:
    """How many tokens the parsed document holds (they stay linked from its locations)."""
    count = 0
    token = document.loc.start_token if document.loc is not None else None
    while token is not None:
        count += 1
        token = token.next
    return count


def _root_field(document: DocumentNode, operation: OperationDefinitionNode) -> str | None:
    """The one root field an operation selects, through fragments and aliases; None when several.

    A fragment's own name is not the field: `subscription { ...trending }` may select `feed`
    (the sharing scope reads this, so the difference is a viewer's data, shared.py)."""
    fragments = scope.fragments_of(document)
    names: set[str] = set()
    pending: list[SelectionSetNode] = [operation.selection_set]
    seen: set[str] = set()
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    pending.append(fragment.selection_set)
    return names.pop() if len(names) == 1 else None
