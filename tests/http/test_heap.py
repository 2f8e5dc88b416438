"""A serving process freezes what import and start-up made: full collections while it serves do
not walk the ~200,000 objects of the schema and the libraries (each such walk took 90-140 ms,
during which nothing was delivered)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import gc
from tidings.http.factory import app
app()
frozen, tracked = gc.get_freeze_count(), len(gc.get_objects())
print(frozen, tracked)
"""


def test_a_worker_s_start_up_heap_is_frozen_before_it_serves(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TIDINGS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'heap.db'}",
        "TIDINGS_BROKER_URL": "memory://",
        "TIDINGS_SECRET": "heap-test-secret-heap-test-secret-000",
    }
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    frozen, tracked = map(int, done.stdout.split())
    assert frozen > 50_000, f"only {frozen} objects frozen"
    assert tracked < frozen / 10, f"{tracked} objects left for the collector to walk, {frozen} frozen"
