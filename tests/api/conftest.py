"""Fixtures for HTTP tests: services and app per database, dev-key tokens, people.

- `services` / `client`: a KompetanseApplication on the test's fresh database
  (`store_url`, by default `database_url`: SQLite and PostgreSQL), the shipped
  catalogue plus small test plans, a fake read side, and the FastAPI app over them.
- `api`: a small client that sends requests as a named person with a dev token.
No `__init__.py` here on purpose: a test package named `api` would shadow `src/api`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_world import (
    Api,
    FakeProjections,
    Person,
    catalogue_with_test_plans,
    dev_token_minter,
    people_by_label,
)
from fastapi.testclient import TestClient
from module_world import module_data_dir, served_api

from api.app import create_app
from api.attachments import AttachmentStore
from api.deps import Services
from api.settings import Settings
from kompetanse.devkeys import ensure_dev_keys
from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.catalogue import Catalogue
from kompetanse_store.urls import event_store_env


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    ensure_dev_keys(folder)
    return folder


@pytest.fixture
def store_url(database_url: str) -> str:
    """The store of the test's services; override with `sqlite_url` where storage is moot."""
    return database_url


@pytest.fixture
def services(store_url: str, data_dir: Path) -> Iterator[Services]:
    settings = Settings(data_dir=data_dir, database_url=store_url)
    application = KompetanseApplication(  # with the aggregate cache, as `serve` runs
        env=event_store_env(store_url, aggregate_cache=settings.aggregate_cache),
        catalogue=catalogue_with_test_plans(),
    )
    try:
        yield Services(
            application=application,
            projections=FakeProjections(application),
            settings=settings,
            attachments=AttachmentStore(settings.attachments_dir),
        )
    finally:
        application.close()


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def people() -> dict[str, Person]:
    return people_by_label()


@pytest.fixture
def token_for(data_dir: Path) -> Any:
    return dev_token_minter(data_dir)


@pytest.fixture
def api(client: TestClient, people: dict[str, Person], token_for: Any) -> Api:
    return Api(client, people, token_for)


@pytest.fixture(scope="module")
def shared_catalogue() -> Catalogue | None:
    """The catalogue of the module's `shared` app (None: the test plans); a module may
    override it."""
    return None


@pytest.fixture(scope="module")
def shared(
    module_database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    shared_catalogue: Catalogue | None,
) -> Iterator[Api]:
    """One app with the real read side per module and store, for the module's tests whose
    requests are refused or only read (they must not depend on what others recorded).
    Each new app costs 0.5-1.5 s before its first answer; such tests can share one."""
    with served_api(module_database_url, module_data_dir(tmp_path_factory), shared_catalogue) as (
        _,
        api,
    ):
        yield api
