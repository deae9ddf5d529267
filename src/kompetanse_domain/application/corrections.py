"""Use cases of corrections (R29, ADR 0021): edit or withdraw an activity, recall a goal,
withdraw an approval. Each loads the goal, decides, and saves one new event."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any
from uuid import UUID

from kompetanse_domain.application.context import CommandContext, Outcome
from kompetanse_domain.application.loads import Loads
from kompetanse_domain.application.unit_of_work import Answer
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Actor, Role
from kompetanse_domain.model.learning_goal import LearningGoal


class CorrectionUseCases(Loads):
    """Mixed into `KompetanseApplication`."""

    def edit_activity(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        goal_code: str,
        activity_id: str,
        *,
        changes_: Mapping[str, Any],
    ) -> Outcome:
        """R29: `changes_` holds only the fields the candidate gave (None removes an
        optional one); an attachment must be one of this candidate's uploads (R27)."""

        def edit(goal: LearningGoal, actor: Actor, candidate: Candidate) -> Answer:
            goal.activity(activity_id)  # an unknown activity is not found, first
            if actor.holds(Role.CANDIDATE):
                candidate.check_attachment(changes_.get("attachment_id"))
            goal.edit_activity(actor, activity_id=activity_id, today=ctx.today, changes=changes_)
            return None

        return self._change_goal(ctx, candidate_id, goal_code, edit)

    def withdraw_activity(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        goal_code: str,
        activity_id: str,
        *,
        reason: str,
    ) -> Outcome:
        withdraw = partial(LearningGoal.withdraw_activity, activity_id=activity_id, reason=reason)
        return self._decide_goal(ctx, candidate_id, goal_code, withdraw)

    def recall_goal(
        self, ctx: CommandContext, candidate_id: UUID, goal_code: str, *, reason: str | None = None
    ) -> Outcome:
        return self._decide_goal(
            ctx, candidate_id, goal_code, partial(LearningGoal.recall, reason=reason)
        )

    def withdraw_approval(
        self, ctx: CommandContext, candidate_id: UUID, goal_code: str, *, reason: str
    ) -> Outcome:
        withdraw = partial(LearningGoal.withdraw_approval, reason=reason)
        return self._decide_goal(ctx, candidate_id, goal_code, withdraw)
