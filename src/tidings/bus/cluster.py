"""Cluster figures in Redis: every process writes its own, under a key that expires.

Each process writes `{connections}` to `tidings:<deployment>:instance:<id>` every INTERVAL
seconds with a TTL of TTL seconds, then sums every such key it finds. A process that died stops
writing, and its key (and so its figures) disappears within TTL seconds. `<deployment>` is a
digest of the database URL: processes that share a store count together, and several test runs
or deployments sharing one Redis do not count each other.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from typing import Any

import orjson

INTERVAL = 1.0  # seconds between reports
TTL = 5  # seconds a report stands: a dead process drops out within this


def deployment_of(database_url: str) -> str:
    return hashlib.sha256(database_url.encode()).hexdigest()[:12]


class ClusterFigures:
    """Report this process's figures and read the sum over the live ones."""

    def __init__(self, redis: Any, database_url: str) -> None:
        self.redis = redis
        self.instance_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.prefix = f"tidings:{deployment_of(database_url)}:instance:"

    async def report(self, connections: int) -> tuple[int, int]:
        """Write our figures; return (connections, instances) over every live process."""
        await self.redis.set(
            self.prefix + self.instance_id, orjson.dumps({"connections": connections}), ex=TTL
        )
        keys = [key async for key in self.redis.scan_iter(match=self.prefix + "*", count=500)]
        values = await self.redis.mget(keys) if keys else []
        figures = [orjson.loads(value) for value in values if value is not None]
        return sum(int(f["connections"]) for f in figures), len(figures)

    async def withdraw(self) -> None:
        """Leave the figures at once (a clean shutdown), rather than after TTL."""
        await self.redis.delete(self.prefix + self.instance_id)
