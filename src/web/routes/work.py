"""The supervisor's and the leader's lists: what waits for my signature (with the
evidence one click away), my candidates, and the approvals queue. The forms on them
post to the goal's routes (`web.routes.goal`) and come back here."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from web.pages import WebRoute, render, signed_in, web_of
from web.routes.approval import days_waiting
from web.routes.candidate import goal_title

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/signering")
def signing_requests(request: Request) -> Response:
    identity = signed_in(request)
    services = web_of(request).services
    rows = services.projections.queries.list_signing_requests(identity.sub)
    return render(request, "signing.html", title="Til signering", rows=rows, idem=uuid.uuid4().hex)


@router.get("/leder")
def my_candidates(request: Request) -> Response:
    identity = signed_in(request)
    services = web_of(request).services
    queries = services.projections.queries
    rows = queries.list_leader_candidates(identity.sub)
    waiting: dict[str, int] = {}  # candidate id -> days the oldest sent goal has waited
    for row in queries.list_leader_approvals(identity.sub):
        days = days_waiting(row["sent_at"])
        cid = row["candidate"]["candidate_id"]
        if days is not None and days >= waiting.get(cid, -1):
            waiting[cid] = days
    return render(request, "leader.html", title="Mine kandidater", rows=rows, waiting=waiting)


@router.get("/leder/godkjenninger")
def approvals(request: Request) -> Response:
    identity = signed_in(request)
    services = web_of(request).services
    catalogue = services.application.catalogue
    rows = [
        {**row, "title": goal_title(catalogue, row["goal_code"])}
        for row in services.projections.queries.list_leader_approvals(identity.sub)
    ]
    return render(
        request, "approvals.html", title="Til godkjenning", rows=rows, idem=uuid.uuid4().hex
    )
