"""The event feed for sync jobs between portal versions (R23, ADR 0012, ADR 0013).

`GET /v1/feed?after=&limit=&wait=` pages through the audit view in position order.
The audit view is filled strictly in position order (the follower applies every event
and its tracking position in one transaction), and positions are handed out in commit
order by the store (ADR 0013), so a page never skips a committed event: a consumer that
stores `next_after` and asks again sees everything, once.

Long poll: with `wait > 0` and nothing after `after`, the route polls the audit view's
position (a one-row read, in the threadpool) every `POLL_SECONDS` until it passes the
last position seen, or `wait` runs out, or the client goes away; it then answers,
possibly with no items and `next_after == after`. The waiting itself is an
`asyncio.sleep`, so a waiting consumer holds no worker thread.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.deps import SyncIdentityDep
from api.responses import Person
from api.routes.queries import QUERY_PROBLEMS, QueryRoute, ReaderDep
from projections.queries.port import FeedRow, ReadPort

MAX_LIMIT = 1000
MAX_WAIT = 30.0
POLL_SECONDS = 0.1
MAX_POSITION = 2**63 - 1

router = APIRouter(tags=["sync"], route_class=QueryRoute, responses=QUERY_PROBLEMS)


class FeedActor(Person):  # the shared `Person`, under the name the feed has always had
    pass


class FeedCandidate(BaseModel):
    candidate_id: str
    hpr_number: str | None = None
    sub: str | None = None


class FeedItem(BaseModel):
    position: int = Field(description="The event's position: strictly increasing, with holes.")
    event_id: str
    type: str = Field(description="`<Aggregate>.<Event>`, e.g. `LearningGoal.Approved`.")
    aggregate: str
    aggregate_id: str
    version: int
    occurred_at: datetime
    actor: FeedActor
    candidate: FeedCandidate | None = None
    data: dict[str, Any]
    schema_: int = Field(
        alias="schema",
        serialization_alias="schema",
        description="The event's schema version, upcast to the newest this server knows.",
    )
    goal_code: str | None = None

    model_config = {"populate_by_name": True}


class FeedPage(BaseModel):
    portal: str = Field(description="This deployment's name (KOMPETANSE_PORTAL_ID).")
    items: list[FeedItem]
    next_after: int = Field(description="Send as `after` next time; equals `after` if empty.")


FEED_DESCRIPTION = """
R23 (ADR 0012, 0013): every event of candidates, their goals and meetings after
position `after`, oldest first, at most `limit` items. Only for the sync role.

- Positions strictly increase and may have holes (rolled-back inserts, events that
  are not about a candidate). No committed event is ever skipped: the page is read
  from the audit view, which applies events strictly in position order.
- Store `next_after` and send it as `after` next time. An empty page has
  `next_after == after`.
- `wait` (seconds, at most 30) long-polls: when nothing is newer than `after`, the
  answer comes as soon as something is, or after `wait` seconds with no items.
- Each item carries `schema`, the event's schema version upcast to the newest this
  server knows. **A consumer skips item types it does not know** (new event types
  may appear without a new API version) and should ignore fields it does not know.
- `X-Projection-Position` is the audit view's position when the page was read.
- `X-Min-Position` waits (up to 5 s, then 503) until the views have applied that
  position, as for every query.
"""


@router.get(
    "/v1/feed",
    response_model=FeedPage,
    response_model_by_alias=True,
    description=FEED_DESCRIPTION,
    summary="Event feed for sync jobs (long poll)",
)
async def feed(
    request: Request,
    _: SyncIdentityDep,
    reader: ReaderDep,  # X-Min-Position, as every query (API.md "Queries")
    after: Annotated[int, Query(ge=0, le=MAX_POSITION, description="Last position seen.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 100,
    wait: Annotated[
        float,
        Query(ge=0, le=MAX_WAIT, allow_inf_nan=False, description="Long poll, seconds."),
    ] = 0,
) -> dict[str, Any]:
    services = reader.services
    queries = reader.queries
    deadline = time.monotonic() + wait
    while True:
        # The view's position first: the page read next is complete up to it at least.
        position: int = await run_in_threadpool(queries.audit_position)
        items: list[FeedRow] = await run_in_threadpool(queries.feed_page, after, limit)
        if items or time.monotonic() >= deadline:
            break
        if not await _wait_past(request, queries, max(position, after), deadline):
            break
    next_after = int(items[-1]["position"]) if items else after
    request.state.projection_position = max(position, next_after if items else 0)
    return {"portal": services.settings.portal_id, "items": items, "next_after": next_after}


async def _wait_past(request: Request, queries: ReadPort, seen: int, deadline: float) -> bool:
    """Sleep-poll until the audit view passes `seen`; False on timeout or disconnect."""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or await request.is_disconnected():
            return False
        await asyncio.sleep(min(POLL_SECONDS, remaining))
        if await run_in_threadpool(queries.audit_position) > seen:
            return True
