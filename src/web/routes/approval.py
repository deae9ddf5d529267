"""The leader's approval page (issue 25, point 4): the whole basis of a goal sent for
approval on one screen, with approve, reject and withdraw.

The basis is read through the typed read port: the goal's activities with who signed
and when, the evidence one click away (downloaded, never shown inline), the procedure
counts against the recommended minimums (R12, the progress answer's), the veileder's
comments, and the supervision meetings that discussed the goal. Approve and reject call
the application methods the API's routes call; a refusal is shown on this page again,
beside the form, with what was typed. Withdrawing an approval is the goal page's form
(`web.routes.corrections`), included here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Request, Response

from kompetanse_domain.application import CommandContext, Outcome
from kompetanse_domain.errors import NotFoundError
from kompetanse_domain.model.identity import Role
from web import texts
from web.pages import (
    FormErrors,
    WebRoute,
    form_of,
    render,
    signed_in,
    submit_form,
    web_of,
)
from web.paging import page_number
from web.routes.candidate import goal_title
from web.routes.goal import back_to

router = APIRouter(route_class=WebRoute, include_in_schema=False)
BASIS = "/kandidater/{cid}/mal/{code}/grunnlag"


def days_waiting(sent_at: datetime | None, now: datetime | None = None) -> int | None:
    """Whole days since the goal was sent for approval (0 on the day it was sent)."""
    if sent_at is None:
        return None
    return max(0, ((now or datetime.now(UTC)) - sent_at).days)


def basis_page(
    request: Request,
    cid: UUID,
    code: str,
    errors: FormErrors | None = None,
    status: int = 200,
    side: int = 1,
) -> Response:
    """The basis; `side` is the page of the approvals queue it was opened from, where the
    decision goes back to."""
    identity = signed_in(request)
    services = web_of(request).services
    actor = services.application.actor_for(identity, cid)
    queries = services.projections.queries
    candidate = queries.get_candidate(cid)
    goal = queries.get_goal(cid, code)
    if candidate is None or goal is None:
        raise NotFoundError(f"Goal {code} is not in this candidate's plans")
    procedures = queries.get_goal_procedures(cid, code)
    meetings = queries.list_meetings_discussing(cid, code)
    return render(
        request,
        "approval.html",
        status=status,
        title=texts.APPROVAL_TITLE.format(code=goal["code"], name=candidate["name"]),
        candidate=candidate,
        goal=goal,
        goal_name=goal_title(services.application.catalogue, goal["code"]),
        procedures=procedures,
        meetings=meetings,
        waiting=days_waiting(goal["sent_for_approval_at"]),
        is_candidate=False,  # the included withdraw form is the approver's only
        is_approver=actor.holds(Role.LEADER, Role.DEPUTY),
        errors=errors,
        idem=uuid.uuid4().hex,
        side=side,
    )


@router.get(BASIS)
def show_basis(request: Request, cid: UUID, code: str, side: str = "") -> Response:
    return basis_page(request, cid, code, side=page_number(side))


async def _decide(
    request: Request,
    cid: UUID,
    code: str,
    errors: FormErrors,
    call: Callable[[CommandContext], Outcome],
    said: str,
) -> Response:
    """Decide, then back to the queue at the page the basis was opened from."""
    side = errors.values.get("side", "")
    return await submit_form(
        request,
        errors,
        call,
        lambda refused: basis_page(request, cid, code, refused, status=422, side=page_number(side)),
        back_to({"tilbake": "godkjenninger", "side": side}) or "/leder/godkjenninger",
        said,
    )


@router.post(BASIS + "/godkjenn")
async def approve(request: Request, cid: UUID, code: str) -> Response:
    values = await form_of(request)
    application = web_of(request).services.application
    return await _decide(
        request,
        cid,
        code,
        FormErrors("godkjenn", values=values),
        lambda ctx: application.approve_goal(ctx, cid, code, comment=values.get("comment") or None),
        texts.GOAL_APPROVED.format(code=code),
    )


@router.post(BASIS + "/avvis")
async def reject(request: Request, cid: UUID, code: str) -> Response:
    values = await form_of(request)
    errors = FormErrors("avvis-mal", values=values)
    application = web_of(request).services.application
    return await _decide(
        request,
        cid,
        code,
        errors,
        lambda ctx: application.reject_goal(ctx, cid, code, reason=values.get("reason", "")),
        texts.GOAL_REJECTED.format(code=code),
    )
