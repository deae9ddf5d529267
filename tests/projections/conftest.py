"""Fixtures for the read side: a `World` (application + ProjectionService) per database.

No `__init__.py` here on purpose: a test package named `projections` would shadow
`src/projections`; helper modules have unique top-level names (`projection_world`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from projection_world import World


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    built = World(database_url)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture(scope="module")
def shared_world(module_database_url: str) -> Iterator[World]:
    """One world per module and store, for tests that keep to their own `world.team()`."""
    built = World(module_database_url)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A factory of empty databases (one per hypothesis example); close what used the last one."""
    if request.param == "sqlite":

        def new_sqlite() -> str:
            return f"sqlite:///{tmp_path}/{uuid.uuid4().hex[:8]}/kompetanse.db"

        yield new_sqlite
        return
    server = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = server.create_database(name)

    def new_postgres() -> str:
        """The same database, emptied (creating one per example would be slow)."""
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
        return url

    try:
        yield new_postgres
    finally:
        server.drop_database(name)
