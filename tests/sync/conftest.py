"""Fixtures for the feed and sync tests (R23, ADR 0012, ADR 0013).

- `feed_world`: a portal's services as `kompetanse serve` wires them (projections
  running in a background thread) on the test's fresh database (`database_url`: SQLite
  and PostgreSQL), the FastAPI app over them in a `TestClient`, and dev tokens.
- `sqlite_feed_world`: the same on SQLite only, for checks the store cannot affect.
No `__init__.py` here on purpose: a test package named `sync` would be importable as a
top-level name and could shadow future packages; helpers are imported as `sync_support`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sync_support import FeedWorld
from sync_support import feed_world_on as _world


@pytest.fixture
def feed_world(database_url: str, tmp_path: Path) -> Iterator[FeedWorld]:
    """On both stores."""
    with _world(database_url, tmp_path) as world:
        yield world


@pytest.fixture
def sqlite_feed_world(sqlite_url: str, tmp_path: Path) -> Iterator[FeedWorld]:
    """Where the store does not matter (refusals, validation)."""
    with _world(sqlite_url, tmp_path) as world:
        yield world
