"""`tidings serve --workers N`: worker processes that share Redis and PostgreSQL, or a clear refusal."""

from __future__ import annotations

import os
import subprocess

import pytest

from tidings.store.migration import head

from ..factories import SECRET
from ..processes import tidings_bin
from ..services import REDIS_URL
from .conftest import Node, until

pytestmark = pytest.mark.services  # the real Redis and PostgreSQL, never skipped


async def test_two_workers_serve_one_cluster_and_migrate_first(cluster, tmp_path):
    env = {**os.environ, "TIDINGS_DATABASE_URL": cluster.database_url, "TIDINGS_BROKER_URL": REDIS_URL,
           "TIDINGS_SECRET": SECRET, "TIDINGS_LOG_LEVEL": "warning"}  # fmt: skip
    node = Node("workers", env, tmp_path)
    with node.log_path.open("ab") as log:
        command = [tidings_bin(), "serve", "--port", str(node.port), "--workers", "2"]
        node.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    cluster.nodes.append(node)
    await node.wait_ready()  # the schema was empty: serve migrated it before starting its workers
    alice = cluster.user("alice")
    sockets = [await node.ws(alice) for _ in range(6)]
    query = "{ stats { clusterConnections instances } }"

    async def both_workers_report() -> bool:
        stats = (await node.api(alice)(query))["stats"]
        return bool(stats == {"clusterConnections": 6, "instances": 2})

    await until(both_workers_report, 15, "two workers holding six sockets between them")
    assert len(sockets) == 6


def test_several_workers_on_memory_are_refused_saying_why_and_what_to_set(tmp_path):
    env = {**os.environ, "TIDINGS_BROKER_URL": "memory://", "TIDINGS_SECRET": SECRET,
           "TIDINGS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/t.db"}  # fmt: skip
    done = subprocess.run(
        [tidings_bin(), "serve", "--workers", "3"], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert "--workers 3 needs an event bus the workers share" in done.stderr
    assert "Set TIDINGS_BROKER_URL=redis://HOST:6379" in done.stderr


def test_migrate_brings_an_empty_database_to_the_newest_revision(tmp_path):
    env = {**os.environ, "TIDINGS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/m.db"}
    first = subprocess.run([tidings_bin(), "migrate"], env=env, capture_output=True, text=True, timeout=30)
    again = subprocess.run([tidings_bin(), "migrate"], env=env, capture_output=True, text=True, timeout=30)
    assert (first.returncode, first.stdout.strip()) == (
        0,
        f"sqlite+aiosqlite:///{tmp_path}/m.db: at migration {head()} (was empty)",
    )
    assert (again.returncode, again.stdout.strip()) == (
        0,
        f"sqlite+aiosqlite:///{tmp_path}/m.db: at migration {head()}",
    )
