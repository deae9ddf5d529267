"""What a route may ask for: the wired services and the authenticated identity.

`Annotated` aliases in one place, as in fastapi's full-stack template (STYLE);
the services are built once per process by `kompetanse.bootstrap` (ADR 0008).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Protocol

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.attachments import AttachmentStore
from api.auth import AuthenticationError, Principal, TokenVerifier
from api.settings import Settings
from api.store_health import StoreHealth
from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.model.guards import SYNC_ROUTES_REFUSAL, check_sync_job
from kompetanse_domain.model.identity import Identity
from projections.engine.status import ProjectionStatus
from projections.notifications.service import NotificationService
from projections.queries.port import ReadPort


class Projections(Protocol):
    """What the API uses of `projections.service.ProjectionService`: the read port for
    every query, how far the views are, and a nudge after a command (read your writes)."""

    @property
    def queries(self) -> ReadPort: ...

    def position(self) -> int: ...

    def wait_for(self, position: int, timeout: float) -> bool: ...

    def status(self) -> Sequence[ProjectionStatus]: ...

    def notify(self) -> None:
        """Something was written in this process: look for it now."""
        ...

    def close(self) -> None:
        """Stop following the store and release the views' connections."""
        ...


@dataclass(frozen=True)
class Services:
    """One per process: the application, the read side, settings, files, token checks,
    and whether the event store is known to be down."""

    application: KompetanseApplication
    projections: Projections
    settings: Settings
    attachments: AttachmentStore
    tokens: TokenVerifier | None = None
    store: StoreHealth = field(default_factory=lambda: StoreHealth(None))
    notifications: NotificationService | None = None  # R31 (API.md v1.1 "Notifications")


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]

bearer = HTTPBearer(
    auto_error=False,
    description="A JWT from the identity provider (HelseID), or `kompetanse dev-token`.",
)


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def authenticate(
    request: Request, services: Services, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    """The verified token's principal; 401 when the token is missing or not trusted,
    400 when the request has more than one Authorization header.

    A token verified lately is answered here on the event loop; a new one is verified
    in a worker thread (the signature check, perhaps a fetch of the issuer's keys).
    """
    if len(request.headers.getlist("authorization")) > 1:  # proxies may read another one
        raise HTTPException(400, "Send one Authorization header, not several")
    if credentials is None:
        raise AuthenticationError(
            "Send Authorization: Bearer <token> (see `kompetanse dev-token`)", token_given=False
        )
    tokens = services.tokens
    assert tokens is not None, "create_app sets the token verifier"
    principal = tokens.remembered_principal(credentials.credentials)
    if principal is None:
        principal = await run_in_threadpool(tokens.verify, credentials.credentials)
    request.state.sub = principal.identity.sub
    if principal.email and services.notifications is not None:
        await remember_email(services.notifications, principal.identity.sub, principal.email)
    return principal


async def remember_email(notifications: NotificationService, sub: str, email: str) -> None:
    """Record the `email` claim last seen for `sub` (the address its e-mails go to), only
    when this process has not recorded that very address already."""
    if notifications.store.claims_seen.get(sub) != email:
        await run_in_threadpool(notifications.store.remember_claim, sub, email)


async def current_principal(
    request: Request, services: ServicesDep, credentials: Credentials
) -> Principal:
    return await authenticate(request, services, credentials)


async def authenticated_identity(request: Request, credentials: Credentials) -> Identity:
    """`current_identity` in one dependency instead of three (commands solve it)."""
    return (await authenticate(request, request.app.state.services, credentials)).identity


AuthenticatedIdentity = Annotated[Identity, Depends(authenticated_identity)]


PrincipalDep = Annotated[Principal, Depends(current_principal)]


async def current_identity(principal: PrincipalDep) -> Identity:
    return principal.identity


IdentityDep = Annotated[Identity, Depends(current_identity)]


async def sync_identity(identity: IdentityDep) -> Identity:
    """R23: only the sync job (platform role `sync`) may push approvals between portals."""
    check_sync_job(identity, SYNC_ROUTES_REFUSAL)
    return identity


SyncIdentityDep = Annotated[Identity, Depends(sync_identity)]
