"""Every app of a process serves the routes its modules built on import (ADR 0027).

FastAPI's `include_router` would build a copy of each of the 60 routes per app, on the
app's first request (0.1-0.4 s of CPU). The routes are shared instead, so each must
carry its own configuration: a command route its JSON body limit, and the upload
route, whose limit is a setting, is still built per app.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from api_world import TINY_PDF, Api, FakeProjections, catalogue_with_test_plans, registration
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import create_app
from api.attachments import AttachmentStore
from api.bodies import JSON_BODY_LIMIT
from api.deps import Services
from api.routes import commands
from api.settings import Settings
from kompetanse_domain.application import KompetanseApplication
from kompetanse_store.urls import event_store_env

SOME_ID = "7d1f3a52-2f5e-4c1b-9a57-0d4a3c1e9b10"


@pytest.fixture
def store_url(sqlite_url: str) -> str:
    return sqlite_url  # the routes are the same whatever the store


def _services(store_url: str, data_dir: Path, *, max_upload: int) -> Services:
    settings = Settings(data_dir=data_dir, database_url=store_url, max_upload=max_upload)
    application = KompetanseApplication(
        env=event_store_env(store_url), catalogue=catalogue_with_test_plans()
    )
    return Services(
        application=application,
        projections=FakeProjections(application),
        settings=settings,
        attachments=AttachmentStore(settings.attachments_dir),
    )


def _api_routes(app: FastAPI) -> dict[tuple[str, str], APIRoute]:
    return {
        (route.path, method): route
        for route in app.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }


def _command_routes() -> list[APIRoute]:
    return [route for router in commands.routers for route in router.routes]  # type: ignore[misc]


def test_a_second_app_serves_the_same_route_objects_as_the_first(
    services: Services,
) -> None:
    first, second = create_app(services), create_app(services)
    shared = _api_routes(first)
    assert len(shared) > 50  # all but the upload route
    assert _api_routes(second) == shared
    assert all(second_route is shared[key] for key, second_route in _api_routes(second).items())


@pytest.mark.parametrize(
    "route",
    [pytest.param(route, id=f"{min(route.methods)} {route.path}") for route in _command_routes()],
)
def test_every_command_refuses_a_json_body_over_the_limit_with_a_413(
    api: Api, route: APIRoute
) -> None:
    path = re.sub(r"\{[^}]+\}", SOME_ID, route.path)
    body = b'{"x": "' + b"a" * JSON_BODY_LIMIT + b'"}'
    response = api.client.request(
        min(route.methods),
        path,
        content=body,
        headers=api.headers("candidate", {"Content-Type": "application/json"}),
    )
    assert response.status_code == 413, response.text[:300]
    assert response.headers["content-type"] == "application/problem+json"


def test_the_upload_limit_of_each_app_is_its_own_setting(
    api: Api, store_url: str, data_dir: Path
) -> None:
    cid = api.ok("POST", "/v1/candidates", "candidate", registration(), 201)["candidate_id"]
    content = TINY_PDF + b"\0" * 3000
    big_enough = api.call(
        "POST",
        f"/v1/candidates/{cid}/attachments",
        "candidate",
        files={"file": ("kurs.pdf", content, "application/pdf")},
    )
    assert big_enough.status_code == 201, big_enough.text

    small = _services(store_url, data_dir, max_upload=2048)
    try:
        with TestClient(create_app(small), raise_server_exceptions=False) as client:
            second = Api(client, api.people, api.token_for)
            refused = second.call(
                "POST",
                f"/v1/candidates/{cid}/attachments",
                "candidate",
                files={"file": ("kurs2.pdf", content + b"\1", "application/pdf")},
            )
    finally:
        small.application.close()
    assert refused.status_code == 413, refused.text
