"""The use case of the sync job: approvals made in the other portal version (R23)."""

from __future__ import annotations

from datetime import datetime

from kompetanse_domain.application.context import CommandContext, Outcome
from kompetanse_domain.application.loads import Loads
from kompetanse_domain.application.unit_of_work import Decision, changes
from kompetanse_domain.model.guards import check_sync_job


class SyncUseCases(Loads):
    """Mixed into `KompetanseApplication`."""

    def import_approval(
        self,
        ctx: CommandContext,
        *,
        hpr_number: str | None,
        sub: str | None,
        goal_code: str,
        source_portal: str,
        source_event_id: str,
        approved_at: datetime,
        approver_name: str,
    ) -> Outcome:
        """R23: an approval made in the other portal version, applied at most once."""

        check_sync_job(ctx.identity)

        def decide() -> Decision:
            candidate = self.find_candidate_for_person(hpr_number=hpr_number, sub=sub)
            goal = self._target(self.get_goal(candidate.id, goal_code), ctx)
            applied = goal.import_approval(
                ctx.identity,
                source_portal=source_portal,
                source_event_id=source_event_id,
                approved_at=approved_at,
                approver_name=approver_name,
            )
            return changes(goal, value={"candidate_id": str(candidate.id), "applied": applied})

        return self._execute(ctx, decide)
