"""The committed schema.graphql is what the code serves, and it holds the public contract."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tidings.schema import schema

ROOT = Path(__file__).resolve().parents[1]
CONTRACT_CHECK = ROOT.parent / "shared" / "tools" / "contract_check.py"


def test_committed_schema_matches_the_code():
    committed = (ROOT / "schema.graphql").read_text()
    assert committed.strip() == schema.as_str().strip(), "run: tidings export-schema > schema.graphql"


def test_the_schema_holds_the_contract():
    result = subprocess.run(
        [sys.executable, str(CONTRACT_CHECK), "--module", "tidings.schema:schema"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1] == "contract: all present", result.stdout + result.stderr
