"""One app with the real read side per module and store, for tests whose requests are
refused or only read (a shared store, so they must not depend on what others recorded).

Each new app costs 0.5-1.5 s before its first answer (the views' tables, the routers'
state that FastAPI builds on the first request); tests that only read can share one.
Use it from a module-scoped fixture parametrized over the stores, e.g.:

    @pytest.fixture(scope="module", params=STORES)
    def shared(request, tmp_path_factory) -> Iterator[Api]:
        with api_over_a_new_store(request, tmp_path_factory) as api:
            yield api
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import pytest
from api_world import Api, Person, people_by_label, services_with_views
from fastapi.testclient import TestClient

from api.app import create_app
from kompetanse.devkeys import ensure_dev_keys, mint_dev_token
from kompetanse_domain.catalogue import Catalogue

STORES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@contextlib.contextmanager
def api_over_a_new_store(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    catalogue: Catalogue | None = None,
) -> Iterator[Api]:
    """An `Api` over a new, empty database of the store `request.param` names."""
    folder = tmp_path_factory.mktemp("shared-api")
    data_dir = folder / "data"
    ensure_dev_keys(data_dir)
    server = None
    name = f"t_{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        url = f"sqlite:///{folder}/kompetanse.db"
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database(name)
    tokens: dict[Person, str] = {}

    def token(person: Person) -> str:
        if person not in tokens:
            tokens[person] = mint_dev_token(
                data_dir, sub=person.sub, name=person.name, roles=person.roles
            )
        return tokens[person]

    try:
        with (
            services_with_views(url, data_dir, catalogue) as services,
            TestClient(create_app(services), raise_server_exceptions=False) as client,
        ):
            yield Api(client, people_by_label(), token)
    finally:
        if server is not None:
            server.drop_database(name)
