"""From an HTTP request to one use case call and back (ADR 0009).

A route parses its body and hands `Commander.run` one call of the application.
The commander builds the `CommandContext` (identity, `If-Match` as expected
version, `Idempotency-Key` with a fingerprint of method, path and canonical body)
and answers with the outcome's value, `X-Event-Position` and `ETag`.

The call runs in a worker thread, at most `KOMPETANSE_COMMAND_THREADS` of a process
at once (default 4); the others wait their turn on the event loop, in order (ADR 0017).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Depends, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import AuthenticatedIdentity, Projections, Services
from api.errors import is_store_outage
from api.observability import Metrics
from api.store_health import StoreHealth
from kompetanse_domain.application import CommandContext, KompetanseApplication, Outcome
from kompetanse_domain.model.identity import Identity

_ETAG = re.compile(r'^\s*(?:W/)?"(\d{1,18})"\s*$')

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=100,
        description='The ETag you last saw, e.g. `"3"`; 412 if the resource has moved on.',
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[\x21-\x7e]{1,200}$",
        description="A retry with the same key and body returns the first answer.",
    ),
]


def expected_version(if_match: str | None) -> int | None:
    """`"3"` or `W/"3"` -> 3; `*` or no header -> None; anything else -> -1, which never
    matches (412, but only after the domain has had its say: RFC 9110 13.2.1)."""
    if if_match is None or if_match.strip() in ("", "*"):
        return None
    match = _ETAG.match(if_match)
    return int(match.group(1)) if match is not None else -1


def canonical(body: BaseModel | dict[str, Any] | None) -> str:
    data = body.model_dump(mode="json") if isinstance(body, BaseModel) else (body or {})
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Commander:
    """One request's command: context in, response out."""

    application: KompetanseApplication
    projections: Projections
    identity: Identity
    method: str
    path: str
    route: str
    if_match: str | None
    idempotency_key: str | None
    metrics: Metrics
    store: StoreHealth
    limiter: CapacityLimiter

    def context(self, body: BaseModel | dict[str, Any] | None) -> CommandContext:
        request_text = f"{self.method} {self.path}\n{canonical(body)}"
        return CommandContext(
            identity=self.identity,
            expected_version=expected_version(self.if_match),
            idempotency_key=self.idempotency_key,
            fingerprint=hashlib.sha256(request_text.encode()).hexdigest(),
        )

    def wake_projections(self) -> None:
        """Ask the in-process read side to look for the new events now (read your writes)."""
        self.projections.notify()

    async def run(
        self,
        call: Callable[[CommandContext], Outcome],
        body: BaseModel | dict[str, Any] | None = None,
        *,
        status: int = 200,
    ) -> Response:
        context = self.context(body)

        def in_turn() -> Outcome:
            self.store.check()  # a no-op unless the store went down while this one waited
            return call(context)

        try:
            outcome = await anyio.to_thread.run_sync(in_turn, limiter=self.limiter)
        except Exception as error:
            if is_store_outage(error):
                self.store.saw_outage(error)  # later commands are refused at once meanwhile
            raise
        headers = {"X-Event-Position": str(outcome.position)}
        if outcome.version is not None:
            headers["ETag"] = f'"{outcome.version}"'
        if outcome.replayed:
            headers["Idempotent-Replayed"] = "true"
        else:
            self.metrics.command_recorded(self.route, outcome.position)
            self.wake_projections()
        if status == 204:
            return Response(status_code=204, headers=headers)
        return JSONResponse(outcome.value, status_code=status, headers=headers)


async def commander(
    request: Request,
    identity: AuthenticatedIdentity,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Commander:
    """Few dependencies (each one FastAPI solves costs CPU on every command); the
    identity's own, so that a request without a token is answered 401 before its
    headers are checked."""
    services: Services = request.app.state.services
    if services.store.down:  # refuse at once while the store is down (a quick probe)
        await run_in_threadpool(services.store.check)
    route = getattr(request.scope.get("route"), "path", request.url.path)
    return Commander(
        application=services.application,
        projections=services.projections,
        identity=identity,
        method=request.method,
        path=request.url.path,
        route=route,
        if_match=if_match,
        idempotency_key=idempotency_key,
        metrics=request.app.state.metrics,
        store=services.store,
        limiter=request.app.state.command_limiter,
    )


CommandDep = Annotated[Commander, Depends(commander)]
