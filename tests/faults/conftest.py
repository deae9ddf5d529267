"""Fixtures of the fault tests: a `kompetanse serve` subprocess, stopped after the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_support import ServerProcess


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path / "logs")
    try:
        yield process
    finally:
        process.stop()
