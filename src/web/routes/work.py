"""The supervisor's and the leader's lists: what waits for my signature (with the
evidence one click away), my candidates, and the approvals queue. The forms on them
post to the goal's routes (`web.routes.goal`) and come back here."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from web import texts
from web.pages import WebRoute, render, signed_in, web_of
from web.paging import PAGE_SIZE, Paging, page_number
from web.routes.approval import days_waiting
from web.routes.candidate import goal_title

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/signering")
def signing_requests(request: Request) -> Response:
    identity = signed_in(request)
    services = web_of(request).services
    rows = services.projections.queries.list_signing_requests(identity.sub)
    return render(
        request, "signing.html", title=texts.SIGNING_TITLE, rows=rows, idem=uuid.uuid4().hex
    )


@router.get("/leder")
def my_candidates(request: Request) -> Response:
    identity = signed_in(request)
    services = web_of(request).services
    queries = services.projections.queries
    rows = queries.list_leader_candidates(identity.sub)
    waiting = {  # candidate id -> days the oldest sent goal has waited
        cid: days_waiting(sent_at)
        for cid, sent_at in queries.oldest_approval_waits(identity.sub).items()
    }
    return render(request, "leader.html", title=texts.LEADER_TITLE, rows=rows, waiting=waiting)


@router.get("/leder/godkjenninger")
def approvals(request: Request, side: str = "") -> Response:
    """The approvals queue, oldest sent first, a page of `PAGE_SIZE` at a time (?side=N;
    a page that is not a number or out of range shows the nearest one)."""
    identity = signed_in(request)
    services = web_of(request).services
    catalogue = services.application.catalogue
    queries = services.projections.queries
    wanted = page_number(side)
    found = queries.page_leader_approvals(identity.sub, PAGE_SIZE, (wanted - 1) * PAGE_SIZE)
    paging = Paging(wanted, PAGE_SIZE, found["total"])
    if paging.page != wanted and found["total"]:  # past the end: the last page instead
        found = queries.page_leader_approvals(identity.sub, PAGE_SIZE, paging.offset)
    rows = [{**row, "title": goal_title(catalogue, row["goal_code"])} for row in found["rows"]]
    return render(
        request,
        "approvals.html",
        title=texts.APPROVALS_TITLE,
        rows=rows,
        paging=paging,
        idem=uuid.uuid4().hex,
    )
