"""The registered documents of automatic persisted queries: an LRU bounded in bytes."""

from __future__ import annotations

import hashlib

import pytest

from tidings.execution.persisted import ENTRY_OVERHEAD, PersistedDocuments, PersistedQueryError


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq(digest: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def register(documents: PersistedDocuments, text: str) -> None:
    resolved, digest = documents.resolve(text, apq(sha(text)))
    assert resolved == text and digest == sha(text)
    documents.remember(digest, text)


def test_the_least_recently_used_documents_go_first_past_the_byte_bound():
    size = 1000 + ENTRY_OVERHEAD
    documents = PersistedDocuments(max_bytes=3 * size)
    texts = [f"query Q{i} {{ viewer {{ id }} }}".ljust(1000) for i in range(4)]
    for text in texts[:3]:
        register(documents, text)
    assert documents.bytes == 3 * size and len(documents) == 3
    assert documents.resolve(None, apq(sha(texts[0])))[0] == texts[0]  # used: now the newest
    register(documents, texts[3])
    assert len(documents) == 3 and documents.bytes <= 3 * size
    with pytest.raises(PersistedQueryError) as refused:
        documents.resolve(None, apq(sha(texts[1])))  # the least recently used one went
    assert refused.value.errors[0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_FOUND"}
    for kept in (texts[0], texts[2], texts[3]):
        assert documents.resolve(None, apq(sha(kept)))[0] == kept


def test_a_document_larger_than_the_whole_bound_is_never_kept():
    documents = PersistedDocuments(max_bytes=500)
    register(documents, "{ viewer { id } }" + " " * 1000)
    assert len(documents) == 0 and documents.bytes == 0


def test_a_hash_already_registered_is_not_registered_twice():
    documents = PersistedDocuments(max_bytes=10_000)
    register(documents, "{ viewer { id } }")
    assert documents.resolve("{ viewer { id } }", apq(sha("{ viewer { id } }"))) == (
        "{ viewer { id } }",
        None,
    )
    assert documents.bytes == len("{ viewer { id } }") + ENTRY_OVERHEAD


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        ({"persistedQuery": "x"}, "must be an object"),
        ({"persistedQuery": {"version": 2, "sha256Hash": "a" * 64}}, "Unsupported persisted query version"),
        ({"persistedQuery": {"version": 1, "sha256Hash": "xyz"}}, "64 hexadecimal digits"),
    ],
)
def test_malformed_persisted_query_extensions_are_refused(extensions, message):
    with pytest.raises(PersistedQueryError, match=message):
        PersistedDocuments(max_bytes=1000).resolve(None, extensions)
