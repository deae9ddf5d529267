"""Corrections on the goal page (API.md v1.1 "Corrections", R29): the candidate edits an
activity (registered or rejected), withdraws one with a reason, recalls a goal sent for
approval; the leader or a deputy withdraws an approval with a reason. Each form calls
the application method its API route calls; a refusal is shown beside the form.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from kompetanse_domain.application import CommandContext, KompetanseApplication, Outcome
from web import texts
from web.form_pages import posted
from web.pages import Form, WebRoute
from web.routes.goal import GOAL, _goal_form, _submit, activity_fields

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.post(GOAL + "/aktiviteter/{aid}/endre")
async def edit_activity(request: Request, cid: UUID, code: str, aid: str) -> Response:
    """R29: every field of the registration as the form holds it (an emptied optional
    field is removed); the domain records nothing when no value changed."""
    values, errors, application = await posted(request, f"endre-{aid}")
    given = activity_fields(values, errors)
    return await _submit(
        request,
        cid,
        code,
        errors,
        lambda ctx: application.edit_activity(ctx, cid, code, aid, changes_=given),
        texts.ACTIVITY_EDITED,
    )


@router.post(GOAL + "/aktiviteter/{aid}/trekk")
async def withdraw_activity(request: Request, cid: UUID, code: str, aid: str) -> Response:
    def withdraw(app: KompetanseApplication, ctx: CommandContext, form: Form) -> Outcome:
        return app.withdraw_activity(ctx, cid, code, aid, reason=form.get("reason", ""))

    said = texts.ACTIVITY_WITHDRAWN
    return await _goal_form(request, cid, code, f"trekk-{aid}", withdraw, said=said)


@router.post(GOAL + "/hent-tilbake")
async def recall_goal(request: Request, cid: UUID, code: str) -> Response:
    def recall(app: KompetanseApplication, ctx: CommandContext, form: Form) -> Outcome:
        return app.recall_goal(ctx, cid, code, reason=form.get("reason") or None)

    said = texts.GOAL_RECALLED
    return await _goal_form(request, cid, code, "hent-tilbake", recall, said=said)


@router.post(GOAL + "/trekk-godkjenning")
async def withdraw_approval(request: Request, cid: UUID, code: str) -> Response:
    def withdraw(app: KompetanseApplication, ctx: CommandContext, form: Form) -> Outcome:
        return app.withdraw_approval(ctx, cid, code, reason=form.get("reason", ""))

    said = texts.APPROVAL_WITHDRAWN
    return await _goal_form(request, cid, code, "trekk-godkjenning", withdraw, said=said)
