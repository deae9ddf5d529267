"""Property-based checks of the whole API against its own OpenAPI schema (schemathesis).

Every operation is called with generated (valid and invalid) input and a valid dev
token: no answer may be a 5xx, and every answer must conform to the schema (status
documented, content type, body shape). SQLite only, with the real read side;
bounded to stay under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import schemathesis
from api_world import Api, build_team, catalogue_with_test_plans
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from api.attachments import AttachmentStore
from api.deps import Services
from api.settings import Settings
from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.application.store import event_store_env, views_database_url
from projections.service import ProjectionService

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def services(sqlite_url: str, data_dir: Path) -> Iterator[Services]:
    """The whole read side too, so the query routes are fuzzed as well."""
    settings = Settings(data_dir=data_dir, database_url=sqlite_url)
    application = KompetanseApplication(
        env=event_store_env(sqlite_url), catalogue=catalogue_with_test_plans()
    )
    projections = ProjectionService(application, views_database_url(sqlite_url))
    projections.start()
    try:
        yield Services(
            application=application,
            projections=projections,
            settings=settings,
            attachments=AttachmentStore(settings.attachments_dir),
        )
    finally:
        projections.close()
        application.close()


@pytest.fixture
def app_and_headers(api: Api) -> tuple[FastAPI, dict[str, str]]:
    """The app over a database with a whole team, and the candidate's token."""
    build_team(api)
    return api.client.app, api.headers("candidate")


def _schema_of_the_app() -> Any:
    """The app's own OpenAPI document; building it touches no storage."""
    services = Services(
        application=cast(Any, None),
        projections=cast(Any, None),
        settings=Settings(),
        attachments=AttachmentStore(Path("unused")),
    )
    return schemathesis.openapi.from_dict(create_app(services).openapi())


schema = _schema_of_the_app()


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_gives_5xx_and_every_answer_matches_the_schema(
    case: Any, app_and_headers: tuple[FastAPI, dict[str, str]]
) -> None:
    app, headers = app_and_headers
    _reachable_min_position(case)
    case.call_and_validate(app=app, headers=headers, checks=CHECKS)


def _reachable_min_position(case: Any) -> None:
    """A well-formed `X-Min-Position` the views never reach gets the documented 503.

    That contract has its own tests (tests/api/test_queries.py); here a valid position is
    set to 0 so the 5xx check judges everything else. Malformed values are kept (400).
    """
    for name, value in list((case.headers or {}).items()):
        if name.lower() == "x-min-position" and str(value).strip().isdigit():
            case.headers[name] = "0"
