"""The candidate's list of supervision meetings (R15-R18); each meeting has its own page
(`web.routes.meetings`, `/moter/{mid}`), with the preparations and the summary.

Read through the read port (`list_meetings`) after the domain's check of who reads
meetings (as GET /v1/candidates/{cid}/meetings: the candidate, the veileder, auditors).
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from kompetanse_domain.errors import NotFoundError
from kompetanse_domain.model.identity import Role
from projections.queries.port import CandidateView
from web import texts
from web.pages import (
    WebRoute,
    render,
    signed_in,
    web_of,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)
MEETINGS = "/kandidater/{cid}/moter"


def _candidate(request: Request, cid: UUID) -> tuple[CandidateView, bool]:
    """The candidate, after the domain's check of who reads meetings; and whether the
    signed-in person is the candidate."""
    services = web_of(request).services
    actor = services.application.actor_for(signed_in(request), cid)
    services.application.get_candidate(cid).check_can_read_meetings(actor)
    candidate = services.projections.queries.get_candidate(cid)
    if candidate is None:
        raise NotFoundError("No such candidate")
    return candidate, actor.holds(Role.CANDIDATE)


@router.get(MEETINGS)
def meetings(request: Request, cid: UUID) -> Response:
    candidate, own = _candidate(request, cid)
    rows = web_of(request).services.projections.queries.list_meetings(cid)
    return render(
        request,
        "meetings.html",
        title=texts.MEETINGS_TITLE.format(name=candidate["name"]),
        candidate=candidate,
        own=own,
        meetings=rows,
        MEETING_STATES=texts.MEETING_STATES,
    )
