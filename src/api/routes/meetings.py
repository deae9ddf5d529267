"""Supervision meetings: commands (R15-R18, R25, ADR 0009), a meeting and a candidate's
meetings (GET, R17: the candidate, the veileder and auditors read them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from fastapi import Response
from pydantic import BaseModel

from api import schemas
from api.bodies import command_router
from api.commanding import CommandDep
from api.responses import Done, MeetingCreated, Person
from api.routes.paths import CandidateId, MeetingId
from api.routes.queries import Listed, ListPublic, ReaderDep, etag, listed, query_router
from api.schemas import CancelMeeting, CreateMeeting, Finalise, Summary
from kompetanse_domain.application.service import MeetingNotFoundError
from kompetanse_domain.errors import NotFoundError
from kompetanse_domain.model.vocabulary import MeetingState
from projections.queries.port import MeetingSummaryRow, MeetingView

router = command_router("meetings")
reads = query_router()


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
async def write_preparation(mid: MeetingId, body: schemas.Preparation, cmd: CommandDep) -> Response:
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
    """R17, R25: the veileder finalises a meeting with a summary; it is read-only afterwards
    (409 while it has no summary, or when it was cancelled)."""
    return await cmd.run(
        lambda ctx: cmd.application.finalise_meeting(
            ctx, mid, held_on=body.held_on, duration_minutes=body.duration_minutes
        ),
        body,
    )


@router.post("/v1/meetings/{mid}/cancel", response_model=Done)
async def cancel_meeting(mid: MeetingId, body: CancelMeeting, cmd: CommandDep) -> Response:
    """R25: the veileder cancels a meeting that will not be held, with a reason (state
    `cancelled`, kept and shown, counted in no supervision hours); 409 if finalised."""
    return await cmd.run(
        lambda ctx: cmd.application.cancel_meeting(ctx, mid, reason=body.reason), body
    )


# -- GET: a meeting, a candidate's meetings ------------------------------------------------


class MeetingSummary(BaseModel):
    meeting_id: str
    candidate_id: str
    state: MeetingState
    scheduled_for: str
    planned_minutes: int
    held_on: date | None
    duration_minutes: int | None
    veileder: Person
    created_at: datetime
    updated_at: datetime
    version: int


class MeetingsPublic(ListPublic[MeetingSummary]):
    pass


class Preparation(BaseModel):  # as answered; the body of PUT .../preparation is `schemas`'
    author_role: str
    author: Person
    text: str
    written_at: datetime


class Change(BaseModel):
    version: int
    at: datetime
    actor: Person
    what: str
    detail: dict[str, Any]


class MeetingPublic(MeetingSummary):
    preparations: list[Preparation]
    summary: str
    goals_discussed: list[str]
    changes: list[Change]


@reads.get("/v1/candidates/{cid}/meetings", response_model=MeetingsPublic)
def list_meetings(cid: CandidateId, read: ReaderDep) -> Listed[MeetingSummaryRow]:
    """The candidate's supervision meetings with state and durations (R17)."""
    read.check_can_read_meetings(cid)
    return listed(read.queries.list_meetings(cid))


@reads.get("/v1/meetings/{mid}", response_model=MeetingPublic)
def get_meeting(mid: MeetingId, read: ReaderDep, response: Response) -> MeetingView:
    """Preparations, summary, goals discussed and the full change log (R15-R18)."""
    view = read.queries.get_meeting(mid)
    if view is None:
        raise MeetingNotFoundError(f"Supervision meeting {mid} not found")
    try:
        read.check_can_read_meetings(UUID(view["candidate_id"]))
    except NotFoundError:  # unrelated: the same 404 as for no such meeting (no leak)
        raise MeetingNotFoundError(f"Supervision meeting {mid} not found") from None
    etag(response, view["version"])
    return view
