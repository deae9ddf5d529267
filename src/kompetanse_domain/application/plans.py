"""Use cases of education plans: assigning, archiving, removing (R4, R5)."""

from __future__ import annotations

from uuid import UUID

from kompetanse_domain.application.context import CommandContext, Outcome
from kompetanse_domain.application.loads import Loads
from kompetanse_domain.application.unit_of_work import Decision, changes
from kompetanse_domain.catalogue import Catalogue
from kompetanse_domain.model.identity import Actor, Role, goal_id_for
from kompetanse_domain.model.learning_goal import GoalState, LearningGoal
from kompetanse_domain.model.plan_versions import held_version


class PlanUseCases(Loads):
    """Mixed into `KompetanseApplication`."""

    catalogue: Catalogue

    def assign_plan(
        self, ctx: CommandContext, candidate_id: UUID, *, plan_code: str, version: str | None = None
    ) -> Outcome:
        def decide() -> Decision:
            candidate, actor = self._candidate_for_change(ctx, candidate_id)
            candidate.check_can_read(actor)  # unrelated: not found, before the plan code
            plan = held_version(self.catalogue, plan_code, version)
            codes = [goal.code for goal in plan.goals]
            candidate.assign_plan(
                actor, plan_code=plan.code, catalogue_version=plan.version, goal_codes=codes
            )
            goals = [
                self._open_goal(actor, candidate.id, code, plan.code, plan.version)
                for code in codes
            ]
            return changes(candidate, *goals, value={"plan_code": plan.code, "goals": len(codes)})

        return self._execute(ctx, decide)

    def archive_plan(self, ctx: CommandContext, candidate_id: UUID, *, plan_code: str) -> Outcome:
        def decide() -> Decision:
            candidate, actor = self._candidate_for_change(ctx, candidate_id)
            plan = candidate.active_plan(plan_code) if actor.holds(Role.LEADER) else None
            unapproved = [
                code
                for code in (plan["goal_codes"] if plan else [])
                if self.get_goal(candidate.id, code).state != GoalState.APPROVED
            ]
            candidate.archive_plan(actor, plan_code=plan_code, unapproved_goals=unapproved)
            return changes(candidate)

        return self._execute(ctx, decide)

    def remove_plan(
        self, ctx: CommandContext, candidate_id: UUID, *, plan_code: str, reason: str
    ) -> Outcome:
        def decide() -> Decision:
            candidate, actor = self._candidate_for_change(ctx, candidate_id)
            candidate.remove_plan(actor, plan_code=plan_code, reason=reason)
            goals = []
            for code in candidate.plans[plan_code]["goal_codes"]:
                goal = self.get_goal(candidate.id, code)
                goal.withdraw(actor, reason=f"plan {plan_code} removed: {reason.strip()}")
                goals.append(goal)
            return changes(candidate, *goals)

        return self._execute(ctx, decide)

    def _open_goal(
        self, actor: Actor, candidate_id: UUID, code: str, plan_code: str, version: str
    ) -> LearningGoal:
        """The plan's goal, opened, or reopened if an earlier plan had it."""
        existing = self._find(goal_id_for(candidate_id, code), LearningGoal)
        if existing is None:
            return LearningGoal.open(
                actor, candidate_id=candidate_id, code=code, plan_code=plan_code, version=version
            )
        existing.reopen(actor, plan_code=plan_code, version=version)
        return existing
