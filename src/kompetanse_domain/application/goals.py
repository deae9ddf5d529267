"""Use cases of learning goals and their activities (R6-R11, R13)."""

from __future__ import annotations

import uuid
from datetime import date
from functools import partial
from uuid import UUID

from kompetanse_domain.application.context import CommandContext, Outcome
from kompetanse_domain.application.loads import Loads
from kompetanse_domain.application.unit_of_work import Answer
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Actor, Role
from kompetanse_domain.model.learning_goal import LearningGoal


class GoalUseCases(Loads):
    """Mixed into `KompetanseApplication`."""

    # -- activities (R9, R10) --------------------------------------------------------

    def register_activity(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        goal_code: str,
        *,
        title: str,
        kind: str,
        fulfilled_on: date,
        activity_code: str | None = None,
        count: int | None = None,
        note: str | None = None,
        attachment_id: str | None = None,
    ) -> Outcome:
        activity_id = str(uuid.uuid4())

        def register(goal: LearningGoal, actor: Actor, candidate: Candidate) -> Answer:
            if actor.holds(Role.CANDIDATE):
                candidate.check_attachment(attachment_id)
            goal.register_activity(
                actor,
                activity_id=activity_id,
                title=title,
                kind=kind,
                fulfilled_on=fulfilled_on,
                today=ctx.today,
                activity_code=activity_code,
                count=count,
                note=note,
                attachment_id=attachment_id,
            )
            return {"activity_id": activity_id}

        return self._change_goal(ctx, candidate_id, goal_code, register)

    def send_activity_for_signing(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        goal_code: str,
        activity_id: str,
        *,
        signer_sub: str,
    ) -> Outcome:
        def send(goal: LearningGoal, actor: Actor, candidate: Candidate) -> Answer:
            goal.activity(activity_id)  # an unknown activity is not found, before the signer
            signer = candidate.signer(signer_sub) if actor.holds(Role.CANDIDATE) else None
            goal.send_activity_for_signing(
                actor,
                activity_id=activity_id,
                signer_sub=signer_sub,
                signer_name=signer["name"] if signer else "",
            )
            return None

        return self._change_goal(ctx, candidate_id, goal_code, send)

    def sign_activity(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        goal_code: str,
        activity_id: str,
        *,
        comment: str | None = None,
    ) -> Outcome:
        sign = partial(LearningGoal.sign_activity, activity_id=activity_id, comment=comment)
        return self._decide_goal(ctx, candidate_id, goal_code, sign)

    def reject_activity(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        goal_code: str,
        activity_id: str,
        *,
        reason: str,
    ) -> Outcome:
        reject = partial(LearningGoal.reject_activity, activity_id=activity_id, reason=reason)
        return self._decide_goal(ctx, candidate_id, goal_code, reject)

    # -- goals (R6-R8, R11, R13) -----------------------------------------------------

    def comment_goal(
        self, ctx: CommandContext, candidate_id: UUID, goal_code: str, *, text: str
    ) -> Outcome:
        comment_id = str(uuid.uuid4())

        def comment(goal: LearningGoal, actor: Actor, _: Candidate) -> Answer:
            goal.comment(actor, comment_id=comment_id, text=text)
            return {"comment_id": comment_id}

        return self._change_goal(ctx, candidate_id, goal_code, comment)

    def send_goal_for_approval(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        goal_code: str,
        *,
        completed_on: date,
        comment: str | None = None,
    ) -> Outcome:
        def send(goal: LearningGoal, actor: Actor, candidate: Candidate) -> Answer:
            approver = candidate.approver() if actor.holds(Role.CANDIDATE) else None
            goal.send_for_approval(
                actor,
                completed_on=completed_on,
                today=ctx.today,
                approver_sub=approver["sub"] if approver else "",
                approver_name=approver["name"] if approver else "",
                comment=comment,
            )
            return None

        return self._change_goal(ctx, candidate_id, goal_code, send)

    def approve_goal(
        self, ctx: CommandContext, candidate_id: UUID, goal_code: str, *, comment: str | None = None
    ) -> Outcome:
        return self._decide_goal(
            ctx, candidate_id, goal_code, partial(LearningGoal.approve, comment=comment)
        )

    def reject_goal(
        self, ctx: CommandContext, candidate_id: UUID, goal_code: str, *, reason: str
    ) -> Outcome:
        return self._decide_goal(
            ctx, candidate_id, goal_code, partial(LearningGoal.reject, reason=reason)
        )
