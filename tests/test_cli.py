"""The `tidings` command itself (its subcommands are tested where they act: serve in
integration/ and scaleout/, token and config in test_config.py)."""

from __future__ import annotations

import importlib.metadata

import pytest

import tidings
from tidings.cli import main


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"tidings {importlib.metadata.version('tidings')}\n"
    assert tidings.__version__ == importlib.metadata.version("tidings")  # one version, not two
