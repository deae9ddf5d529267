"""Commands on supervision meetings (R15-R18, ADR 0009)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.bodies import JsonBodyRoute
from api.commanding import CommandDep
from api.responses import COMMAND_PROBLEMS, Done, MeetingCreated
from api.routes.paths import CandidateId, MeetingId
from api.schemas import CreateMeeting, Finalise, Preparation, Summary

router = APIRouter(tags=["meetings"], responses=COMMAND_PROBLEMS, route_class=JsonBodyRoute)


@router.post("/v1/candidates/{cid}/meetings", status_code=201, response_model=MeetingCreated)
async def create_meeting(cid: CandidateId, body: CreateMeeting, cmd: CommandDep) -> Response:
    """R15: the veileder plans a supervision meeting."""
    return await cmd.run(
        lambda ctx: cmd.application.create_meeting(
            ctx, cid, scheduled_for=body.scheduled_for, planned_minutes=body.planned_minutes
        ),
        body,
        status=201,
    )


@router.put("/v1/meetings/{mid}/preparation", response_model=Done)
async def write_preparation(mid: MeetingId, body: Preparation, cmd: CommandDep) -> Response:
    """R15: the candidate or the veileder writes their own preparation."""
    return await cmd.run(
        lambda ctx: cmd.application.write_preparation(ctx, mid, text=body.text), body
    )


@router.put("/v1/meetings/{mid}/summary", response_model=Done)
async def revise_summary(mid: MeetingId, body: Summary, cmd: CommandDep) -> Response:
    """R15, R16, R18: a logged revision of the summary and the goals discussed."""
    return await cmd.run(
        lambda ctx: cmd.application.revise_summary(
            ctx, mid, text=body.text, goals_discussed=list(body.goals_discussed)
        ),
        body,
    )


@router.post("/v1/meetings/{mid}/finalise", response_model=Done)
async def finalise_meeting(mid: MeetingId, body: Finalise, cmd: CommandDep) -> Response:
    """R17: the veileder finalises; the meeting is read-only afterwards."""
    return await cmd.run(
        lambda ctx: cmd.application.finalise_meeting(
            ctx, mid, held_on=body.held_on, duration_minutes=body.duration_minutes
        ),
        body,
    )
