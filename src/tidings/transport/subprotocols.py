"""The two GraphQL WebSocket sub-protocols: graphql-transport-ws (the graphql-ws library) and the
legacy graphql-ws (subscriptions-transport-ws), over `Connection`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..errors import AuthError
from . import closecodes as cc
from .connection import Connection, decode_message, operation_payload, valid_id


class TransportWsConnection(Connection):
    """graphql-transport-ws, as graphql-ws's PROTOCOL.md describes it."""

    protocol = cc.GRAPHQL_TRANSPORT_WS
    next_type = "next"

    async def on_bad_frame(self, reason: str) -> None:
        await self.close(cc.WS_4400_BAD_REQUEST, reason)

    async def send_errors(self, op_id: str, errors: list[dict[str, Any]]) -> None:
        await self.send_json({"id": op_id, "type": "error", "payload": errors})

    async def on_text(self, text: str) -> None:
        message, problem = decode_message(text)
        if message is None:
            return await self.on_bad_frame(problem)
        kind = message["type"]
        if (
            "payload" in message
            and message["payload"] is not None
            and not isinstance(message["payload"], dict)
        ):
            return await self.on_bad_frame("Invalid message: 'payload' must be an object")
        if kind == "connection_init":
            await self.on_init(message)
        elif kind == "subscribe":
            await self.on_subscribe(message)
        elif kind == "complete":
            op_id = valid_id(message)
            if op_id is None:
                return await self.on_bad_frame("Invalid message: 'id' must be a non-empty string")
            self.stop(op_id)
        elif kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "pong":
            pass
        else:
            await self.on_bad_frame(f"Invalid message: unknown type {kind[:40]!r}")

    async def on_init(self, message: dict[str, Any]) -> None:
        if self.init_received:
            return await self.close(cc.WS_4429_TOO_MANY_INIT, "Too many initialisation requests")
        self.init_received = True
        try:
            context = await self.authenticate(message.get("payload"))
        except AuthError as exc:
            self.stats.auth_failures[exc.message.split(":")[0]] += 1
            return await self.close(cc.WS_4403_FORBIDDEN, f"Forbidden: {exc.message}")
        refusal = self.admit_user(context)
        if refusal is not None:
            return await self.close(cc.WS_4430_TOO_MANY_CONNECTIONS_PER_USER, refusal)
        self.initialised(context)
        await self.send_json({"type": "connection_ack"})

    async def on_subscribe(self, message: dict[str, Any]) -> None:
        if self.context is None:
            return await self.close(cc.WS_4401_UNAUTHORIZED, "Unauthorized")
        op_id = valid_id(message)
        if op_id is None:
            return await self.on_bad_frame("Invalid message: 'id' must be a non-empty string")
        parsed, problem = operation_payload(message)
        if parsed is None:
            return await self.on_bad_frame(problem)
        if op_id in self.ops:
            return await self.close(
                cc.WS_4409_SUBSCRIBER_EXISTS, f"Subscriber for {op_id[:64]} already exists"
            )
        await self.begin(op_id, parsed)


class LegacyWsConnection(Connection):
    """The legacy graphql-ws protocol of subscriptions-transport-ws (Apollo's old client)."""

    protocol = cc.GRAPHQL_WS
    next_type = "data"

    async def on_bad_frame(self, reason: str) -> None:
        await self.send_json({"type": "connection_error", "payload": {"message": reason}})

    async def send_errors(self, op_id: str, errors: list[dict[str, Any]]) -> None:
        await self.send_json({"id": op_id, "type": "error", "payload": errors[0] if errors else {}})

    async def on_text(self, text: str) -> None:
        message, problem = decode_message(text)
        if message is None:
            return await self.on_bad_frame(problem)
        kind = message["type"]
        if kind == "connection_init":
            await self.on_init(message)
        elif kind == "start":
            await self.on_start(message)
        elif kind == "stop":
            op_id = valid_id(message)
            if op_id is None:
                return await self.on_bad_frame("Invalid message: 'id' must be a non-empty string")
            if self.stop(op_id):
                await self.send_complete(op_id)
        elif kind == "connection_terminate":
            await self.close(cc.WS_1000_NORMAL, "Terminated")
        else:
            await self.on_bad_frame(f"Invalid message: unknown type {kind[:40]!r}")

    async def on_init(self, message: dict[str, Any]) -> None:
        if self.init_received:
            return await self.on_bad_frame("Too many initialisation requests")
        self.init_received = True
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            payload = None
        try:
            context = await self.authenticate(payload)
        except AuthError as exc:
            self.stats.auth_failures[exc.message.split(":")[0]] += 1
            await self.send_json(
                {"type": "connection_error", "payload": {"message": f"Forbidden: {exc.message}"}}
            )
            return await self.close(cc.WS_4403_FORBIDDEN, f"Forbidden: {exc.message}")
        refusal = self.admit_user(context)
        if refusal is not None:
            await self.send_json({"type": "connection_error", "payload": {"message": refusal}})
            return await self.close(cc.WS_4430_TOO_MANY_CONNECTIONS_PER_USER, refusal)
        self.initialised(context)
        await self.send_json({"type": "connection_ack"})
        await self.send_json({"type": "ka"})
        self._spawn(self.keep_alive)

    async def keep_alive(self) -> None:
        while not self.closed:
            await asyncio.sleep(self.settings.keepalive_interval)
            await self.send_json({"type": "ka"})

    async def on_start(self, message: dict[str, Any]) -> None:
        if self.context is None:
            return await self.close(cc.WS_4401_UNAUTHORIZED, "Unauthorized")
        op_id = valid_id(message)
        if op_id is None:
            return await self.on_bad_frame("Invalid message: 'id' must be a non-empty string")
        parsed, problem = operation_payload(message)
        if parsed is None:
            return await self.send_errors(op_id, [{"message": problem}])
        previous = self.ops.pop(op_id, None)
        if previous is not None:  # subscriptions-transport-ws replaces an operation restarted under its id
            await previous.aclose()
        await self.begin(op_id, parsed)
