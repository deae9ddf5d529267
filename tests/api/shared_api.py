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
from collections.abc import Iterator

import pytest
from api_world import Api
from module_world import module_data_dir, served_api

from kompetanse_domain.catalogue import Catalogue
from support.module_store import STORES, database_for_module

__all__ = ["STORES", "api_over_a_new_store"]


@contextlib.contextmanager
def api_over_a_new_store(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    catalogue: Catalogue | None = None,
) -> Iterator[Api]:
    """An `Api` over a new, empty database of the store `request.param` names."""
    database = database_for_module(request, tmp_path_factory)
    try:
        with served_api(next(database), module_data_dir(tmp_path_factory), catalogue) as (_, api):
            yield api
    finally:
        database.close()  # drops the PostgreSQL database
