"""The supervisor's and the leader's lists: what waits for my signature (with the
evidence one click away), my candidates, and the approvals queue. The forms on them
post to the goal's routes (`web.routes.goal`) and come back here."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from web.pages import WebRoute, render, signed_in, web_of
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
    rows = services.projections.queries.list_leader_candidates(identity.sub)
    return render(request, "leader.html", title="Mine kandidater", rows=rows)


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
