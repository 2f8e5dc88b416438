"""Test clients for GraphQL over HTTP streams: SSE (graphql-sse's distinct connections mode) and
Apollo's multipart subscriptions, read with httpx as a client reads them."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

import httpx

SSE_ACCEPT = "text/event-stream"
MULTIPART_ACCEPT = 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0",application/json'
DELIMITER = b"\r\n--graphql"


class StreamClient:
    """One operation over one HTTP response. `messages` gets, in order:
    ("next", result) for each result, ("complete", None) for SSE's `complete` or multipart's
    closing delimiter, ("comment", text) for SSE comments, ("heartbeat", {}) for multipart's
    `{}`, ("transport-error", errors) for multipart's `{"payload": null, "errors": ...}`, and
    ("closed", None) when the response ends. Every one opened is closed after the test."""

    OPEN: list[StreamClient] = []

    def __init__(self, base_url: str, kind: str = "sse", token: str | None = None) -> None:
        assert kind in ("sse", "multipart")
        self.base_url = base_url
        self.kind = kind
        self.token = token
        self.messages: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.response: httpx.Response | None = None
        self.status: int | None = None
        self.headers: httpx.Headers | None = None
        self._client: httpx.AsyncClient | None = None
        self._reader: asyncio.Task[None] | None = None
        self._stack = contextlib.AsyncExitStack()

    async def open(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        method: str = "POST",
        accept: str | None = None,
        live: Callable[[], int] | None = None,
        extensions: dict[str, Any] | None = None,
        omit_query: bool = False,
    ) -> StreamClient:
        """Send the request; with `live` (the server's count of live subscriptions), return once
        the server holds this one live (or answered), as a test that then causes an event needs."""
        headers = {"accept": accept or (SSE_ACCEPT if self.kind == "sse" else MULTIPART_ACCEPT)}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        self._client = await self._stack.enter_async_context(
            httpx.AsyncClient(base_url=self.base_url, timeout=httpx.Timeout(10, read=None))
        )
        body: dict[str, Any] = {"query": query, "variables": variables or {}}
        if extensions is not None:
            body["extensions"] = extensions
        if omit_query:  # a persisted query named by its hash alone
            del body["query"]
        before = live() if live is not None else 0
        if method == "GET":
            params = {"query": query, "variables": json.dumps(variables or {})}
            request = self._client.build_request("GET", "/graphql", params=params, headers=headers)
        else:
            request = self._client.build_request("POST", "/graphql", json=body, headers=headers)
        self.response = await self._client.send(request, stream=True)
        self._stack.push_async_callback(self.response.aclose)
        StreamClient.OPEN.append(self)
        self.status = self.response.status_code
        self.headers = self.response.headers
        self._reader = asyncio.create_task(self._read())
        if live is not None and query.lstrip().startswith("subscription"):
            deadline = asyncio.get_running_loop().time() + 5
            while live() <= before and self.messages.empty():
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError("stream not live within 5 s")
                await asyncio.sleep(0.01)
        return self

    async def _read(self) -> None:
        assert self.response is not None
        try:
            if self.kind == "sse":
                await self._read_sse()
            else:
                await self._read_multipart()
        except (httpx.HTTPError, asyncio.CancelledError):
            pass
        finally:
            self.messages.put_nowait(("closed", None))

    async def _read_sse(self) -> None:
        assert self.response is not None
        event, data = "", []
        async for line in self.response.aiter_lines():
            if line.startswith(":"):
                self.messages.put_nowait(("comment", line[1:].strip()))
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
            elif line == "" and (event or data):
                payload = "\n".join(data)
                self.messages.put_nowait((event, json.loads(payload) if payload else None))
                event, data = "", []

    async def _read_multipart(self) -> None:
        assert self.response is not None
        buffer = b""
        async for chunk in self.response.aiter_bytes():
            buffer += chunk
            while True:
                start = buffer.find(DELIMITER)
                end = buffer.find(DELIMITER, start + 1) if start >= 0 else -1
                if start < 0:
                    break
                if buffer[start + len(DELIMITER) :].startswith(b"--"):
                    self.messages.put_nowait(("complete", None))
                    return
                if end < 0:
                    break
                part = buffer[start + len(DELIMITER) : end]
                buffer = buffer[end:]
                body = json.loads(part.split(b"\r\n\r\n", 1)[1])
                if body == {}:
                    self.messages.put_nowait(("heartbeat", {}))
                elif body.get("payload") is None and "errors" in body:
                    self.messages.put_nowait(("transport-error", body["errors"]))
                else:
                    self.messages.put_nowait(("next", body["payload"]))

    async def message(self, timeout: float = 5.0, skip: tuple[str, ...] = ("comment", "heartbeat")) -> Any:
        """The next message, skipping keep-alives unless asked for."""
        while True:
            kind, value = await asyncio.wait_for(self.messages.get(), timeout)
            if kind not in skip:
                return kind, value

    async def next(self, timeout: float = 5.0) -> Any:
        """The `data` of the next result's one root field; AssertionError on anything else."""
        kind, result = await self.message(timeout)
        assert kind == "next", (kind, result)
        assert "errors" not in result, result
        (value,) = result["data"].values()
        return value

    async def silent_for(self, seconds: float) -> bool:
        try:
            message = await self.message(seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"expected silence, got {message}")

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        await self._stack.aclose()
