"""Use cases of supervision meetings (R15-R18, R25)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from uuid import UUID

from kompetanse_domain.application.context import CommandContext, Outcome
from kompetanse_domain.application.loads import Loads
from kompetanse_domain.application.unit_of_work import Decision, changes
from kompetanse_domain.model.meeting import SupervisionMeeting


class MeetingUseCases(Loads):
    """Mixed into `KompetanseApplication`."""

    def create_meeting(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        *,
        scheduled_for: date | datetime,
        planned_minutes: int,
    ) -> Outcome:
        meeting_id = uuid.uuid4()

        def decide() -> Decision:
            candidate = self.get_candidate(candidate_id)
            meeting = SupervisionMeeting.create(
                candidate.actor(ctx.identity),
                meeting_id=meeting_id,
                candidate_id=candidate.id,
                scheduled_for=scheduled_for,
                planned_minutes=planned_minutes,
            )
            return changes(meeting, value={"meeting_id": str(meeting_id)})

        return self._execute(ctx, decide)

    def write_preparation(self, ctx: CommandContext, meeting_id: UUID, *, text: str) -> Outcome:
        return self._change_meeting(
            ctx, meeting_id, lambda meeting, actor, _: meeting.write_preparation(actor, text=text)
        )

    def revise_summary(
        self, ctx: CommandContext, meeting_id: UUID, *, text: str, goals_discussed: list[str]
    ) -> Outcome:
        return self._change_meeting(
            ctx,
            meeting_id,
            lambda meeting, actor, candidate: meeting.revise_summary(
                actor,
                text=text,
                goals_discussed=goals_discussed,
                known_goals=candidate.goal_codes(),
            ),
        )

    def finalise_meeting(
        self, ctx: CommandContext, meeting_id: UUID, *, held_on: date, duration_minutes: int
    ) -> Outcome:
        return self._change_meeting(
            ctx,
            meeting_id,
            lambda meeting, actor, _: meeting.finalise(
                actor, held_on=held_on, duration_minutes=duration_minutes, today=ctx.today
            ),
        )

    def cancel_meeting(self, ctx: CommandContext, meeting_id: UUID, *, reason: str) -> Outcome:
        """R25: the veileder cancels a meeting that will not be held (kept, with a reason)."""
        return self._change_meeting(
            ctx, meeting_id, lambda meeting, actor, _: meeting.cancel(actor, reason=reason)
        )
