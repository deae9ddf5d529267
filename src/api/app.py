"""The FastAPI application factory: routers, error table, observability (ADR 0008, 0009).

`create_app(services)` only assembles; the services are built once per process
by `kompetanse.bootstrap.build_services` (or by a test).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import metadata
from typing import Any

from anyio import CapacityLimiter
from fastapi import APIRouter, FastAPI

from api.auth import TokenVerifier
from api.deps import Services
from api.errors import PROBLEM_JSON, install_error_handlers
from api.observability import Metrics, RequestObservation
from api.openapi import document_contract
from api.routes import (
    attachments,
    audit,
    candidates,
    commands,
    feed,
    goals,
    leaders,
    meetings,
    mentors,
    notifications,
    ops,
    profile,
    supervisors,
)
from api.routes import catalogue as catalogue_routes
from api.routes import export as export_routes
from api.waiting import PositionWaits

MULTIPART_OVERHEAD = 64 * 1024

DESCRIPTION = """
Documentation of Norwegian doctors' specialist training (kompetanseportalen).

Commands are recorded as events; queries read projections and may lag (send
`X-Min-Position` with the `X-Event-Position` of your last command to read your
own writes). Every request but `/healthz`, `/readyz` and `/metrics` needs
`Authorization: Bearer <JWT>`. Errors are RFC 9457 problem details.
"""


def _version() -> str:
    try:
        return metadata.version("kompetanse")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def create_app(services: Services, *, on_shutdown: Callable[[], None] | None = None) -> FastAPI:
    """The HTTP API over one set of services; `on_shutdown` runs when the server stops."""
    if services.tokens is None:
        services = dataclasses.replace(services, tokens=TokenVerifier(services.settings.tokens()))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if on_shutdown is not None:
            on_shutdown()

    app = FastAPI(
        title="Kompetanse", version=_version(), description=DESCRIPTION, lifespan=lifespan
    )
    app.state.services = services
    app.state.metrics = Metrics()
    app.state.command_limiter = CapacityLimiter(services.settings.command_threads)
    app.state.position_waits = PositionWaits(services.projections)
    install_error_handlers(app)
    serve_routes(app, ops.router, *commands.routers)
    app.include_router(  # its body limit is a setting: its routes are built per app
        commands.upload_router,
        max_body_size=services.settings.max_upload + MULTIPART_OVERHEAD,
    )
    serve_routes(  # the GETs
        app,
        *(
            resource.reads
            for resource in (
                candidates,
                goals,
                meetings,
                leaders,
                supervisors,
                attachments,
                profile,
                mentors,
            )
        ),
        audit.router,  # R24 audit
        feed.router,  # R23 feed
        catalogue_routes.router,  # API.md v1.1 "Finding things"
        export_routes.router,  # API.md v1.1 "The applicant's export"
        notifications.reads,  # API.md v1.1 "Notifications" (R31)
    )
    app.add_middleware(RequestObservation, metrics=app.state.metrics)
    _document_problems_as_problem_json(app)
    document_contract(app, lambda: services.application)
    return app


def serve_routes(app: FastAPI, *routers: APIRouter) -> None:
    """Serve the routers' routes as they were built when their modules were imported.

    `app.include_router` would give the app its own copy of every route, built on the
    app's first request: about 0.1-0.4 s of CPU per app for the API's 60 routes (FastAPI
    0.165 analyses each route's parameters and models again). The routes take nothing
    from the app (no prefix, tags or limits at inclusion; `dependency_overrides` are not
    used), so every app of a process can share them (ADR 0027)."""
    app.router.routes.extend(route for router in routers for route in router.routes)


def _document_problems_as_problem_json(app: FastAPI) -> None:
    """Error responses are `application/problem+json`, not `application/json`."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = original()
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    for response in operation.get("responses", {}).values():
                        content = response.get("content", {})
                        body = content.get("application/json", {})
                        if body.get("schema", {}).get("$ref", "").endswith("/Problem"):
                            content[PROBLEM_JSON] = content.pop("application/json")
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
