"""The candidate's supervision meetings (R15-R18): the list, one meeting with the
preparations and the summary, and the candidate's own preparation while it is open.

Read through the read port (`list_meetings`, `get_meeting`) after the domain's check of
who reads meetings (as GET /v1/candidates/{cid}/meetings: the candidate, the veileder,
auditors); the preparation form calls `write_preparation`, as
PUT /v1/meetings/{mid}/preparation does.
"""

from __future__ import annotations

import uuid
from uuid import UUID

from fastapi import APIRouter, Request, Response

from kompetanse_domain.errors import DomainError, NotFoundError
from kompetanse_domain.model.identity import Role
from projections.queries.port import CandidateView
from web.pages import (
    FormErrors,
    WebRoute,
    form_of,
    render,
    run_command,
    see_other,
    session_of,
    signed_in,
    web_of,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)
MEETINGS = "/kandidater/{cid}/moter"
MEETING_STATES = {"open": "Planlagt", "finalised": "Ferdigstilt", "cancelled": "Avlyst"}


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
        title=f"Veiledningsmøter for {candidate['name']}",
        candidate=candidate,
        own=own,
        meetings=rows,
        MEETING_STATES=MEETING_STATES,
    )


def meeting_page(
    request: Request, cid: UUID, mid: UUID, errors: FormErrors | None = None, status: int = 200
) -> Response:
    candidate, own = _candidate(request, cid)
    meeting = web_of(request).services.projections.queries.get_meeting(mid)
    if meeting is None or meeting["candidate_id"] != str(cid):
        raise NotFoundError("No such meeting for this candidate")
    return render(
        request,
        "meeting.html",
        status=status,
        title="Veiledningsmøte",
        candidate=candidate,
        own=own,
        meeting=meeting,
        MEETING_STATES=MEETING_STATES,
        errors=errors,
        idem=uuid.uuid4().hex,
    )


@router.get(MEETINGS + "/{mid}")
def meeting(request: Request, cid: UUID, mid: UUID) -> Response:
    return meeting_page(request, cid, mid)


@router.post(MEETINGS + "/{mid}/forberedelse")
async def write_preparation(request: Request, cid: UUID, mid: UUID) -> Response:
    values = await form_of(request)
    errors = FormErrors("forberedelse", values=values)
    services = web_of(request).services
    meeting = services.projections.queries.get_meeting(mid)
    if meeting is None or meeting["candidate_id"] != str(cid):
        raise NotFoundError("No such meeting for this candidate")
    try:
        await run_command(
            request,
            values,
            lambda ctx: services.application.write_preparation(
                ctx, mid, text=values.get("text", "")
            ),
        )
    except NotFoundError:
        raise
    except DomainError as error:
        errors.add(error)
        return meeting_page(request, cid, mid, errors, status=422)
    session_of(request).show_once("Forberedelsen er lagret.")
    return see_other(f"/kandidater/{cid}/moter/{mid}")
