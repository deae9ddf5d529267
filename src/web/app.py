"""Adds the web pages to the API's FastAPI app (ADR 0023): same process, same services.

`install(app)` is called by the wiring (`kompetanse serve`, the workers' factory, the
tests); the API package knows nothing of the pages. The pages are left out of the
OpenAPI document; their static files (Designsystemet's CSS, copied by
`scripts/fetch_designsystemet`) are served under `/static`. With the OIDC settings the
pages sign people in through the identity provider (`web.oidc`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.app import serve_routes
from api.deps import Services
from web import texts
from web.oidc import OidcSignIn
from web.pages import Web, environment
from web.routes import (
    approval,
    audit_state,
    auditor,
    candidate,
    candidate_meetings,
    corrections,
    export,
    goal,
    leader,
    meetings,
    notifications,
    people,
    profile,
    signin,
    veileder,
    work,
)
from web.session import SessionCodec, session_secret

STATIC = Path(__file__).parent / "static"


def install(
    app: FastAPI,
    *,
    secret: str | None = None,
    demo_users: Iterable[tuple[str, str, str]] = (),
) -> FastAPI:
    """The pages on `app`, over the services it was made with; `demo_users` (sub, name,
    what they do) are offered on dev mode's sign-in page, with an auditor beside them."""
    services: Services = app.state.services
    key = secret if secret is not None else session_secret(services.settings.data_dir)
    offered = tuple((sub, name, (), what) for sub, name, what in demo_users)
    app.state.web = Web(
        services=services,
        templates=environment(),
        sessions=SessionCodec(key),
        demo_users=(*offered, texts.AUDITOR) if offered else texts.DEMO_USERS,
    )
    settings = services.settings  # `kompetanse serve` refuses to start with a sign-in problem
    usable = not settings.dev_mode and settings.sign_in_problem() is None
    app.state.oidc_sign_in = OidcSignIn.from_settings(settings) if usable else None
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    serve_routes(
        app,
        *(
            module.router
            for module in (
                signin,
                candidate,
                goal,
                approval,
                leader,
                corrections,
                people,
                profile,
                export,
                candidate_meetings,
                meetings,
                notifications,
                work,
                auditor,
                audit_state,
                veileder,
            )
        ),
    )
    return app
