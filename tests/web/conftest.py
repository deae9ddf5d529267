"""Fixtures for the web pages: real services over each store, the app with its pages,
a team built through the application, and (for the browser tests) a live server.

No `__init__.py` here on purpose: a test package named `web` would shadow `src/web`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from web_world import (
    Browsers,
    LiveServer,
    build_team,
    real_services,
    wait_for_views,
    web_app,
)

from api.deps import Services


@pytest.fixture
def store_url(database_url: str) -> str:
    """The store of the test's services; override with `sqlite_url` where storage is moot."""
    return database_url


@pytest.fixture
def services(store_url: str, tmp_path: Path) -> Iterator[Services]:
    with real_services(store_url, tmp_path / "data") as built:
        yield built


@pytest.fixture
def team(services: Services) -> UUID:
    cid = build_team(services.application)
    wait_for_views(services)
    return cid


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(web_app(services), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def live_server(services: Services) -> Iterator[LiveServer]:
    with LiveServer(web_app(services)) as server:
        yield server


@pytest.fixture(scope="session")
def browsers() -> Iterator[Browsers]:
    """The session's Chromiums, lent to one test at a time and wiped in between."""
    pool = Browsers()
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def browser(browsers: Browsers) -> Iterator[Any]:
    driver = browsers.take(javascript=True)
    try:
        yield driver
    finally:
        browsers.give_back(driver, javascript=True)


@pytest.fixture
def browser_without_javascript(browsers: Browsers) -> Iterator[Any]:
    driver = browsers.take(javascript=False)
    try:
        yield driver
    finally:
        browsers.give_back(driver, javascript=False)
