"""Fixtures for the audit tests (R24, ADR 0011), on SQLite and PostgreSQL.

- `world` + `story`: a fresh database per test (`database_url`) with two candidates'
  histories, projected; for tests that tamper with the store.
- `shared`: one such world per module and store, for tests that only read.
No `__init__.py` here on purpose: helper modules are top-level (`audit_support`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from audit_support import AuditWorld, Http, Journey, Shared, journey

from support.domain import unique_people


def two_journeys(world: AuditWorld) -> tuple[Journey, Journey]:
    """Two candidates' histories, the second after the first, then projected."""
    first = journey(world.app, unique_people("a"), hpr_number="1234567")
    second = journey(world.app, unique_people("b"), hpr_number=None)
    world.service.catch_up()
    return first, second


@pytest.fixture
def world(database_url: str) -> Iterator[AuditWorld]:
    built = AuditWorld(database_url)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def story(world: AuditWorld) -> tuple[Journey, Journey]:
    return two_journeys(world)


@pytest.fixture(scope="module")
def shared(module_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    """One projected world per module and store; tests must not change it."""
    built = AuditWorld(module_database_url)
    try:
        http = Http(built, tmp_path_factory.mktemp("audit") / "data")
        with http.client:
            yield Shared(built, two_journeys(built), http)
    finally:
        built.close()
