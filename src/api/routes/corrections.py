"""Corrections (API.md v1.1 "Corrections", R29, ADR 0021): edit and withdraw an activity,
recall a goal, withdraw an approval. Each records a new event; nothing is deleted."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from api.bodies import command_router
from api.commanding import CommandDep
from api.responses import Done
from api.routes.paths import ActivityId, CandidateId, GoalCode
from api.schemas import EditActivity, Recall, Withdrawal

router = command_router("goals")
GOAL = "/v1/candidates/{cid}/goals/{code}"
ACTIVITY = GOAL + "/activities/{aid}"


def _given(body: EditActivity) -> dict[str, Any]:
    """The fields the client sent (an absent field is unchanged; null removes it)."""
    given = {name: getattr(body, name) for name in body.model_fields_set}
    if given.get("attachment_id") is not None:
        given["attachment_id"] = str(given["attachment_id"])
    return given


@router.patch(ACTIVITY, response_model=Done)
async def edit_activity(
    cid: CandidateId, code: GoalCode, aid: ActivityId, body: EditActivity, cmd: CommandDep
) -> Response:
    """R29: correct an activity that is registered or rejected (a rejected one is then
    registered again, to be sent again); 409 once it is sent, signed or withdrawn."""
    given = _given(body)
    return await cmd.run(
        lambda ctx: cmd.application.edit_activity(ctx, cid, code, str(aid), changes_=given),
        body,
    )


@router.post(ACTIVITY + "/withdraw", response_model=Done)
async def withdraw_activity(
    cid: CandidateId, code: GoalCode, aid: ActivityId, body: Withdrawal, cmd: CommandDep
) -> Response:
    """R29: withdraw an activity not signed, saying why; it stays, counted nowhere."""
    return await cmd.run(
        lambda ctx: cmd.application.withdraw_activity(ctx, cid, code, str(aid), reason=body.reason),
        body,
    )


@router.post(GOAL + "/recall", response_model=Done)
async def recall_goal(
    cid: CandidateId, code: GoalCode, cmd: CommandDep, body: Recall | None = None
) -> Response:
    """R29: take back a goal sent for approval and not yet decided (`not_started`)."""
    reason = body.reason if body else None
    return await cmd.run(
        lambda ctx: cmd.application.recall_goal(ctx, cid, code, reason=reason), body
    )


@router.post(GOAL + "/withdraw-approval", response_model=Done)
async def withdraw_approval(
    cid: CandidateId, code: GoalCode, body: Withdrawal, cmd: CommandDep
) -> Response:
    """R29: the leader or a deputy withdraws an approval given by mistake, saying why;
    the goal is `not_started` again and its `decisions` keep the withdrawn approval."""
    return await cmd.run(
        lambda ctx: cmd.application.withdraw_approval(ctx, cid, code, reason=body.reason),
        body,
    )
