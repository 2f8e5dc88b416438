"""The parsed-document cache (review): it kept the last 512 documents whatever their size, and a
parsed document with its locations holds ~500 bytes a token, so 512 distinct documents of 2,000
tokens (11 kB each, anonymous, a new operation name each) pinned ~500 MB. The cache is bounded in
tokens now (execution/engine.py, CACHE_TOKENS, ~25 MB), its texts counted too."""

from __future__ import annotations

import gc
import tracemalloc

import httpx

from tidings.execution.engine import CACHE_TOKENS

from ..conftest import LiveServer

DOCUMENTS = 40  # ~1,000 tokens each: ~20 MB retained before the bound
BOUND = 10_000  # tokens: this test's engine holds ~5 MB of documents at most


def _document(i: int) -> str:
    inner = " ".join(["id content createdAt replyTo hashtags"] * 3)
    author = "author { id handle displayName id handle displayName }"
    fields = " ".join(f'a{j}: tweet(id: "{j}") {{ {inner} {author} }}' for j in range(30))
    return f"query Q{i} {{ {fields} }}"


async def test_distinct_large_documents_do_not_pin_memory(
    live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    engine = live_server.tidings.engine
    assert engine.cache_tokens == CACHE_TOKENS
    engine.cache_tokens = BOUND  # the default's behaviour, with fewer documents to send
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for i in range(DOCUMENTS):
            answer = await http.post("/graphql", json={"query": _document(i)})
            assert answer.status_code == 200 and "data" in answer.json(), answer.text[:200]
        gc.collect()
        retained, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    grown_mb = (retained - before) / 2**20
    # BOUND at ~500 bytes a token is ~5 MB; before the bound, ~20 MB stayed.
    assert grown_mb < 12, f"{grown_mb:.0f} MB retained after {DOCUMENTS} distinct documents"
    assert engine.cached_tokens <= BOUND
    # The most recent documents are still cached: a repeat is a hit.
    hits = engine.cache_hits
    await http.post("/graphql", json={"query": _document(DOCUMENTS - 1)})
    assert engine.cache_hits == hits + 1
