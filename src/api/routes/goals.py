"""Learning goals and their activities: commands (R6-R13, ADR 0009) and the goal (GET)."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import Response
from pydantic import BaseModel

from api.bodies import command_router
from api.commanding import CommandDep
from api.responses import (
    ActivityRegistered,
    Attachment,
    CommentWritten,
    Done,
    Person,
)
from api.routes.paths import ActivityId, CandidateId, GoalCode
from api.routes.queries import ReaderDep, etag, query_router
from api.schemas import (
    Decision,
    GoalComment,
    RegisterActivity,
    Rejection,
    SendForApproval,
    SendForSigning,
)
from kompetanse_domain.errors import NotFoundError
from kompetanse_domain.model.vocabulary import ActivityKind, ActivityState, GoalState
from projections.queries.port import GoalView

router = command_router("goals")
reads = query_router()
GOAL = "/v1/candidates/{cid}/goals/{code}"
ACTIVITY = GOAL + "/activities/{aid}"


@router.post(GOAL + "/activities", status_code=201, response_model=ActivityRegistered)
async def register_activity(
    cid: CandidateId, code: GoalCode, body: RegisterActivity, cmd: CommandDep
) -> Response:
    """R9: register a learning activity you did (course, procedure, e-learning ...)."""
    attachment = str(body.attachment_id) if body.attachment_id else None
    fields = body.model_dump(exclude={"attachment_id"})  # the command's own arguments
    return await cmd.run(
        lambda ctx: cmd.application.register_activity(
            ctx, cid, code, **fields, attachment_id=attachment
        ),
        body,
        status=201,
    )


@router.post(ACTIVITY + "/send-for-signing", response_model=Done)
async def send_activity_for_signing(
    cid: CandidateId, code: GoalCode, aid: ActivityId, body: SendForSigning, cmd: CommandDep
) -> Response:
    """R9: send an activity to a supervisor (or the veileder) for signing."""
    return await cmd.run(
        lambda ctx: cmd.application.send_activity_for_signing(
            ctx, cid, code, str(aid), signer_sub=body.signer_sub
        ),
        body,
    )


@router.post(ACTIVITY + "/sign", response_model=Done)
async def sign_activity(
    cid: CandidateId, code: GoalCode, aid: ActivityId, cmd: CommandDep, body: Decision | None = None
) -> Response:
    """R10: the named signer signs the activity."""
    comment = body.comment if body else None
    return await cmd.run(
        lambda ctx: cmd.application.sign_activity(ctx, cid, code, str(aid), comment=comment),
        body,
    )


@router.post(ACTIVITY + "/reject", response_model=Done)
async def reject_activity(
    cid: CandidateId, code: GoalCode, aid: ActivityId, body: Rejection, cmd: CommandDep
) -> Response:
    """R10: the named signer rejects the activity, saying why."""
    return await cmd.run(
        lambda ctx: cmd.application.reject_activity(ctx, cid, code, str(aid), reason=body.reason),
        body,
    )


@router.post(GOAL + "/comments", status_code=201, response_model=CommentWritten)
async def comment_goal(
    cid: CandidateId, code: GoalCode, body: GoalComment, cmd: CommandDep
) -> Response:
    """R13: the veileder comments to the leader on progress."""
    return await cmd.run(
        lambda ctx: cmd.application.comment_goal(ctx, cid, code, text=body.text), body, status=201
    )


@router.post(GOAL + "/send-for-approval", response_model=Done)
async def send_goal_for_approval(
    cid: CandidateId, code: GoalCode, body: SendForApproval, cmd: CommandDep
) -> Response:
    """R6: send the goal to your leader with the date it was completed."""
    return await cmd.run(
        lambda ctx: cmd.application.send_goal_for_approval(
            ctx, cid, code, completed_on=body.completed_on, comment=body.comment
        ),
        body,
    )


@router.post(GOAL + "/approve", response_model=Done)
async def approve_goal(
    cid: CandidateId, code: GoalCode, cmd: CommandDep, body: Decision | None = None
) -> Response:
    """R7, R11: the leader or a deputy approves a goal sent for approval."""
    comment = body.comment if body else None
    return await cmd.run(
        lambda ctx: cmd.application.approve_goal(ctx, cid, code, comment=comment), body
    )


@router.post(GOAL + "/reject", response_model=Done)
async def reject_goal(
    cid: CandidateId, code: GoalCode, body: Rejection, cmd: CommandDep
) -> Response:
    """R7: the leader or a deputy rejects, saying why; the candidate may send again."""
    return await cmd.run(
        lambda ctx: cmd.application.reject_goal(ctx, cid, code, reason=body.reason), body
    )


# -- GET: the goal -------------------------------------------------------------------------


class ActivityPublic(BaseModel):
    activity_id: str
    title: str
    kind: ActivityKind
    fulfilled_on: date
    activity_code: str | None
    count: int | None
    note: str | None
    attachment_id: str | None
    attachment: Attachment | None
    state: ActivityState
    signer: Person | None
    decision_comment: str | None
    registered_at: datetime
    sent_for_signing_at: datetime | None
    decided_at: datetime | None
    withdrawn_at: datetime | None = None  # R29
    withdrawal_reason: str | None = None


class CommentPublic(BaseModel):
    comment_id: str
    author: Person
    text: str
    written_at: datetime


class DecisionPublic(BaseModel):
    """R29: an approval or rejection; a withdrawn approval stays, with who, when, why."""

    decision: str
    decided_by: Person | None
    decided_at: datetime
    comment: str | None
    source_portal: str | None
    source_event_id: str | None
    withdrawn: bool
    withdrawn_by: Person | None
    withdrawn_at: datetime | None
    withdrawal_reason: str | None


class CarriedOverFrom(BaseModel):
    """R30: the approval of a goal of the plan's previous version that this goal carries."""

    version: str
    goal_code: str
    approved_at: str
    approver: str | None


class GoalPublic(BaseModel):
    candidate_id: str
    code: str
    title: str
    plan_code: str
    catalogue_version: str
    state: GoalState
    withdrawn: bool
    completed_on: date | None
    sent_for_approval_at: datetime | None
    comment: str | None
    approver: Person | None
    decided_by: Person | None
    decided_at: datetime | None
    decision_comment: str | None
    imported_from: list[dict[str, str]]
    carried_over_from: CarriedOverFrom | None = None
    opened_at: datetime
    updated_at: datetime
    version: int
    activities: list[ActivityPublic]
    comments: list[CommentPublic]
    decisions: list[DecisionPublic] = []


@reads.get(GOAL, response_model=GoalPublic)
def get_goal(cid: CandidateId, code: GoalCode, read: ReaderDep, response: Response) -> GoalView:
    """A learning goal: state, activities with states, comments, approver, times."""
    read.actor(cid)
    view = read.queries.get_goal(cid, code)
    if view is None:
        raise NotFoundError(f"Goal {code} is not in this candidate's plans")
    etag(response, view["version"])
    return view
