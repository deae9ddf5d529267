"""The HTTP tests' world once per module and store, for modules whose tests only read it.

`served_api` builds what tests/api/conftest.py's function-scoped fixtures build per test
(services with the real read side, the app, the dev-token client) once; `module_data_dir`
is `data_dir` for a module. Pair them with `support.module_store` (one database per module
and store). Imported as a top-level module (tests/api has no `__init__.py`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_world import Api, dev_token_minter, people_by_label, services_with_views
from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import Services
from kompetanse.devkeys import ensure_dev_keys
from kompetanse_domain.catalogue import Catalogue


def module_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("module-data") / "data"
    ensure_dev_keys(folder)
    return folder


@contextlib.contextmanager
def served_api(
    store_url: str, data_dir: Path, catalogue: Catalogue | None = None
) -> Iterator[tuple[Services, Api]]:
    """The services (views following the store), the app and an `Api` with dev tokens."""
    with (
        services_with_views(store_url, data_dir, catalogue) as services,
        TestClient(create_app(services), raise_server_exceptions=False) as client,
    ):
        yield services, Api(client, people_by_label(), dev_token_minter(data_dir))
