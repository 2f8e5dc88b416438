"""Persisted documents, on every transport: a request may name its document by hash instead of
(or as well as) sending it.

- Automatic persisted queries (Apollo's APQ): `extensions.persistedQuery` is
  `{"version": 1, "sha256Hash": "<hex>"}`. A hash we do not know, sent without `query`, gets
  `PersistedQueryNotFound` (code PERSISTED_QUERY_NOT_FOUND); the client then sends hash and query,
  and we remember the pair once the document parses and validates; later the hash alone runs it.
  A `query` whose SHA-256 is not the hash it came with is refused. What we remember is an LRU
  bounded in bytes (TIDINGS_APQ_CACHE_BYTES), per process: a client whose hash another process
  knows gets PERSISTED_QUERY_NOT_FOUND there once, and sends the query again.
- Trusted documents (TIDINGS_TRUSTED_DOCUMENTS=FILE, GraphQL Code Generator's
  persisted-documents JSON: `{"<sha256>": "<document>"}`): only those documents run. A request
  names one by hash (`extensions.persistedQuery` or `documentId`), or sends its exact text; any
  other gets PERSISTED_QUERY_NOT_FOUND and nothing runs. Nothing is ever registered.

Beside a hash, an empty `query` is no query: graphql-ws' client refuses to send a subscribe
payload without a `query` string, so over WebSocket a client naming its document by hash sends "".
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

import orjson

from ..errors import ConfigError

NOT_FOUND = "PersistedQueryNotFound"
HASH = re.compile(r"[0-9a-f]{64}")
ENTRY_OVERHEAD = 200  # bytes an entry costs beside its text: the key, the dict slot, the objects


class PersistedQueryError(Exception):
    """The request's document cannot be found or trusted; `errors` is what the client gets."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.errors = [{"message": message, "extensions": {"code": code}}]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def load_trusted(path: Path) -> dict[str, str]:
    """The hash -> document map of a persisted-documents file; ConfigError if it is not one."""
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ConfigError(
            f"TIDINGS_TRUSTED_DOCUMENTS is {str(path)!r}, which cannot be read as JSON: {exc}"
        ) from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ConfigError(
            f"TIDINGS_TRUSTED_DOCUMENTS is {str(path)!r}; expected a JSON object of hash -> document "
            "(GraphQL Code Generator's persisted-documents.json)"
        )
    for key, document in data.items():
        digest = key.removeprefix("sha256:").lower()
        if digest != sha256(document):
            raise ConfigError(
                f"In TIDINGS_TRUSTED_DOCUMENTS {str(path)!r}, {key[:80]!r} is not the SHA-256 of its "
                "document: generate the file with persistedDocuments: { hashAlgorithm: 'sha256' }"
            )
    return {key.removeprefix("sha256:").lower(): document for key, document in data.items()}


class PersistedDocuments:
    """Which document a request runs (`resolve`), and the documents registered by hash."""

    def __init__(self, max_bytes: int, trusted: dict[str, str] | None = None) -> None:
        self.max_bytes = max_bytes
        self.trusted = trusted
        self._by_text = {document: digest for digest, document in (trusted or {}).items()}
        self._cache: OrderedDict[str, str] = OrderedDict()
        self.bytes = 0
        self.hits = 0
        self.misses = 0

    def resolve(self, query: Any, extensions: Any, document_id: Any = None) -> tuple[str, str | None]:
        """The document to run, and the hash to `remember` it under once it validates (None:
        nothing to register). PersistedQueryError when there is none we may run."""
        digest = _requested_hash(extensions, document_id)
        if query is not None and not isinstance(query, str):
            raise PersistedQueryError("`query` must be a string.", "BAD_REQUEST")
        if query == "" and digest is not None:
            # graphql-ws sends a `query` string whatever the payload: "" beside a hash is none.
            query = None
        if self.trusted is not None:
            return self._trusted(query, digest), None
        if digest is None:
            if query is None:
                raise PersistedQueryError("Missing `query`.", "BAD_REQUEST")
            return query, None
        if query is None:
            document = self._cache.get(digest)
            if document is None:
                self.misses += 1
                raise PersistedQueryError(NOT_FOUND, "PERSISTED_QUERY_NOT_FOUND")
            self.hits += 1
            self._cache.move_to_end(digest)
            return document, None
        if sha256(query) != digest:
            raise PersistedQueryError("provided sha does not match query", "BAD_REQUEST")
        return query, digest if digest not in self._cache else None

    def _trusted(self, query: str | None, digest: str | None) -> str:
        assert self.trusted is not None
        if digest is None:
            if query is not None and query in self._by_text:
                return query
            raise PersistedQueryError(
                "Only trusted documents run on this server, and this is not one of them.",
                "PERSISTED_QUERY_NOT_FOUND",
            )
        document = self.trusted.get(digest)
        if document is None:
            raise PersistedQueryError(NOT_FOUND, "PERSISTED_QUERY_NOT_FOUND")
        if query is not None and query != document:
            raise PersistedQueryError("provided sha does not match query", "BAD_REQUEST")
        return document

    def remember(self, digest: str, document: str) -> None:
        """Register a document that parsed and validated, dropping the least recently used ones
        past the byte bound."""
        if digest in self._cache:
            return
        size = len(document.encode()) + ENTRY_OVERHEAD
        if size > self.max_bytes:
            return
        self._cache[digest] = document
        self.bytes += size
        while self.bytes > self.max_bytes:
            _, dropped = self._cache.popitem(last=False)
            self.bytes -= len(dropped.encode()) + ENTRY_OVERHEAD

    def __len__(self) -> int:
        return len(self._cache)


def _requested_hash(extensions: Any, document_id: Any) -> str | None:
    if extensions is not None and not isinstance(extensions, dict):
        raise PersistedQueryError("`extensions` must be an object.", "BAD_REQUEST")
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is not None:
        if not isinstance(persisted, dict):
            raise PersistedQueryError("`extensions.persistedQuery` must be an object.", "BAD_REQUEST")
        if persisted.get("version") != 1:
            raise PersistedQueryError("Unsupported persisted query version; expected 1.", "BAD_REQUEST")
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or not HASH.fullmatch(digest.lower()):
            raise PersistedQueryError(
                "`extensions.persistedQuery.sha256Hash` must be 64 hexadecimal digits.", "BAD_REQUEST"
            )
        return digest.lower()
    if document_id is not None:
        # GraphQL over HTTP's persisted documents: `documentId` is "sha256:<hex>".
        digest = document_id.removeprefix("sha256:").lower() if isinstance(document_id, str) else ""
        if not HASH.fullmatch(digest):
            raise PersistedQueryError("`documentId` must be 'sha256:' and 64 hex digits.", "BAD_REQUEST")
        return digest
    return None
