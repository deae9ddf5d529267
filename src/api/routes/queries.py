"""How a query (GET) reads: the route class, the reader and its wait (API.md, ADR 0004).

The GET routes sit beside the commands of their resource (`api.routes.candidates`,
`goals`, `meetings`, `leaders`, `supervisors`, `audit`, `feed`), each on a router
made by `query_router()`; they ask the typed read port
(`projections.queries.port.ReadPort`) through `Reader.queries`.

Every answer, refusals included, carries `X-Projection-Position` (the position every
view has applied). `X-Min-Position: n` waits up to 5 s for the views to reach `n`
(read your own writes), else 503 with `Retry-After: 1`; the wait holds no worker
thread, and one caller waits in at most `api.waiting.PER_CALLER` queries at once
(more: 503 at once). Single resources carry `ETag: "<aggregate version>"`. Who may
read is decided by the domain: `actor_for` (404 for people unrelated to the
candidate) and, for meetings, `check_can_read_meetings` (403 for a related role that
may not read them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypedDict, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from pydantic import BaseModel

from api.deps import IdentityDep, Services, ServicesDep
from api.errors import domain_error, http_error
from api.responses import COMMAND_PROBLEMS
from api.waiting import PositionWaits, TooManyWaitsError
from kompetanse_domain.errors import DomainError
from kompetanse_domain.model.identity import Actor, Identity
from projections.queries.port import ReadPort

MIN_POSITION_WAIT = 5.0
_POSITION = re.compile(r"[0-9]{1,18}")  # ASCII digits only: "²".isdigit() is True
QUERY_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: COMMAND_PROBLEMS[code]
    for code in (400, 401, 403, 404, 422, 503)
    if code in COMMAND_PROBLEMS
}


class QueryRoute(APIRoute):
    """Adds `X-Projection-Position` to every answer of a query, refusals included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await handle(request)
            except DomainError as error:
                response = await domain_error(request, error)
            except HTTPException as error:
                response = await http_error(request, error)
            position = getattr(request.state, "projection_position", None)
            if position is not None:
                response.headers["X-Projection-Position"] = str(position)
            return response

        return handler


def query_router() -> APIRouter:
    """A resource's router for its GETs (tag `queries`, `X-Projection-Position` on all)."""
    return APIRouter(tags=["queries"], route_class=QueryRoute, responses=QUERY_PROBLEMS)


# -- reading at a position -------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """The services and identity of one query, after X-Min-Position was honoured."""

    services: Services
    identity: Identity

    @property
    def queries(self) -> ReadPort:
        return self.services.projections.queries

    def actor(self, cid: UUID) -> Actor:
        """R14, R24: related people and auditors read; others get 404 (no existence leak)."""
        return self.services.application.actor_for(self.identity, cid)

    def check_can_read_meetings(self, cid: UUID) -> None:
        """R17: the candidate, the veileder and auditors read meetings (others 403/404)."""
        actor = self.actor(cid)
        self.services.application.get_candidate(cid).check_can_read_meetings(actor)


async def reader(
    request: Request,
    services: ServicesDep,
    identity: IdentityDep,
    min_position: Annotated[
        str | None,
        Header(
            alias="X-Min-Position",
            description="Wait (up to 5 s) until the views have applied this event position.",
        ),
    ] = None,
) -> Reader:
    """Waits on the event loop (no worker thread held; `api.waiting`), at most
    `PER_CALLER` waits of one caller at once."""
    projections = services.projections
    if min_position is not None:
        wanted = min_position.strip()
        if not _POSITION.fullmatch(wanted):
            request.state.projection_position = await run_in_threadpool(projections.position)
            raise HTTPException(
                400, "X-Min-Position must be an event position: a whole number such as 42"
            )
        waits: PositionWaits = request.app.state.position_waits
        try:
            reached = await waits.wait_for(identity.sub, int(wanted), MIN_POSITION_WAIT)
        except TooManyWaitsError as error:
            request.state.projection_position = await run_in_threadpool(projections.position)
            raise HTTPException(503, str(error), headers={"Retry-After": "1"}) from None
        if not reached:
            request.state.projection_position = await run_in_threadpool(projections.position)
            raise HTTPException(
                503,
                f"The views have not reached position {wanted} yet; try again shortly",
                headers={"Retry-After": "1"},
            )
    request.state.projection_position = await run_in_threadpool(projections.position)
    return Reader(services, identity)


ReaderDep = Annotated[Reader, Depends(reader)]


def etag(response: Response, version: int) -> None:
    """`ETag: "<aggregate version>"` of a single resource."""
    response.headers["ETag"] = f'"{version}"'


T = TypeVar("T")


class Listed(TypedDict, Generic[T]):
    """A list answer: `{data, count}`."""

    data: list[T]
    count: int


def listed(rows: list[T]) -> Listed[T]:
    return {"data": rows, "count": len(rows)}


class ListPublic(BaseModel, Generic[T]):
    """The published shape of a `Listed` answer; each list is its own schema, named by a
    subclass: `class ApprovalsPublic(ListPublic[Approval]): pass`."""

    data: list[T]
    count: int
