"""One fresh, empty database per test module and store, for modules whose tests only read
a world built once (the function-scoped `database_url` of tests/conftest.py builds it per
test). tests/conftest.py offers it as the module-scoped fixture `module_database_url`;
tests/api/conftest.py builds a shared app on it (`shared`). Both stores, as `database_url`:
the postgres parameter carries the `postgres` mark."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

STORES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def database_for_module(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A new, empty database on `request.param`'s store, dropped (PostgreSQL) afterwards."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("module-store")
        yield f"sqlite:///{folder}/kompetanse.db"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    url: str = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)
