"""Shared fixtures: one fresh, empty database per test on each supported store.

- `database_url` (parametrized `sqlite` / `postgres`): run the test on both stores.
- `sqlite_url`, `postgres_url`: one store only.
- `postgres_server`: the session's PostgreSQL server; a throwaway cluster started
  here, or the server named by KOMPETANSE_TEST_POSTGRES_URL.

Storage checks must never be skipped silently: if PostgreSQL is not available the
postgres tests fail with a hint to run scripts/test (which installs it).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from support.module_store import STORES, database_for_module
from support.postgres import (
    ExternalPostgres,
    PostgresNotAvailableError,
    ThrowawayPostgres,
)

EXTERNAL_POSTGRES_ENV = "KOMPETANSE_TEST_POSTGRES_URL"

settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[ExternalPostgres | ThrowawayPostgres]:
    """The PostgreSQL server for this session (per pytest-xdist worker)."""
    external = os.environ.get(EXTERNAL_POSTGRES_ENV)
    if external:
        yield ExternalPostgres(external)
        return
    missing: str | None = None
    try:
        server = ThrowawayPostgres()
    except PostgresNotAvailableError as error:
        missing = str(error)
    if missing is not None:
        pytest.fail(
            f"{missing}. Run the suite with scripts/test (it installs PostgreSQL when "
            f"missing), or set {EXTERNAL_POSTGRES_ENV}=postgresql://user@host:port/postgres. "
            "PostgreSQL tests are never skipped.",
            pytrace=False,
        )
    server.start()
    try:
        yield server
    finally:
        server.close()


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/kompetanse.db"


def _fresh_postgres_database(
    server: ExternalPostgres | ThrowawayPostgres,
) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a new, empty SQLite file in the test's tmp_path."""
    return _sqlite_url(tmp_path)


@pytest.fixture
def postgres_url(postgres_server: ExternalPostgres | ThrowawayPostgres) -> Iterator[str]:
    """URL of a new, empty PostgreSQL database, dropped after the test."""
    yield from _fresh_postgres_database(postgres_server)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a new, empty database; the test runs once per store."""
    if request.param == "sqlite":
        yield _sqlite_url(tmp_path)
        return
    server = request.getfixturevalue("postgres_server")
    yield from _fresh_postgres_database(server)


@pytest.fixture(scope="module", params=STORES)
def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """URL of a new, empty database shared by a module's tests (a world they only read,
    built once); the module runs once per store."""
    yield from database_for_module(request, tmp_path_factory)
