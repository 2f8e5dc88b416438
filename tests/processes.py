"""Helpers for tests that run `tidings serve` as a real process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def tidings_bin() -> str:
    """`TIDINGS_BIN`, else the `tidings` beside this Python, else the one on PATH."""
    from_env = os.environ.get("TIDINGS_BIN")
    if from_env:
        return from_env
    beside_python = Path(sys.executable).with_name("tidings")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("tidings")
    assert found is not None, "the tidings command is not installed (pip install -e .)"
    return found


def stop_process(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """SIGTERM, then SIGKILL if it has not exited within 10 s; waits for the exit either way."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
