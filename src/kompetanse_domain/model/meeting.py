"""The SupervisionMeeting aggregate: preparation, summary, finalise, cancel (R15-R18, R25).

Every write is its own event, so the change log under the summary (R16) is the
event history itself.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from kompetanse_domain.errors import ConflictError, InvalidInputError
from kompetanse_domain.model import values
from kompetanse_domain.model.acting import create_by, trigger_by
from kompetanse_domain.model.copying import PickleCopy
from kompetanse_domain.model.guards import check_not_future, check_role
from kompetanse_domain.model.identity import Actor, Role
from kompetanse_domain.model.vocabulary import MeetingState as MeetingState

MAX_MINUTES = 24 * 60


class MeetingFinalisedError(ConflictError):
    """Raised when a finalised meeting is written to (R17: read-only after finalising)."""


class MeetingCancelledError(ConflictError):
    """Raised when a cancelled meeting is written to or finalised (R25)."""


class SummaryMissingError(ConflictError):
    """Raised when a meeting without a summary is finalised (R25)."""


def _check_minutes(value: int, field_name: str) -> int:
    if not 1 <= value <= MAX_MINUTES:
        raise InvalidInputError(f"{field_name} must be between 1 and {MAX_MINUTES} minutes")
    return value


class SupervisionMeeting(PickleCopy, Aggregate):
    """A supervision meeting (veiledningssamtale) between a candidate and their veileder."""

    cancel_reason: str | None = None  # R25; a class default, so older snapshots have it too

    class Event(Aggregate.Event):
        actor: str
        actor_name: str

    class Created(Event, Aggregate.Created):
        candidate_id: UUID
        scheduled_for: str
        planned_minutes: int

    def __init__(
        self,
        *,
        actor: str,
        actor_name: str,
        candidate_id: UUID,
        scheduled_for: str,
        planned_minutes: int,
    ) -> None:
        self.candidate_id = candidate_id
        self.scheduled_for = scheduled_for
        self.planned_minutes = planned_minutes
        self.veileder_sub = actor
        self.state = MeetingState.OPEN
        self.preparations: dict[str, str] = {}
        self.summary = ""
        self.goals_discussed: list[str] = []
        self.held_on: date | None = None
        self.duration_minutes: int | None = None

    @classmethod
    def create(
        cls,
        actor: Actor,
        *,
        meeting_id: UUID,
        candidate_id: UUID,
        scheduled_for: date | datetime,
        planned_minutes: int,
    ) -> SupervisionMeeting:
        """R15: the veileder creates a meeting with the candidate."""
        check_role(actor, (Role.VEILEDER,), "R15: only the veileder creates supervision meetings")
        return create_by(
            cls,
            actor,
            cls.Created,
            id=meeting_id,
            candidate_id=candidate_id,
            scheduled_for=values.day_or_instant(scheduled_for, "scheduled_for").isoformat(),
            planned_minutes=_check_minutes(planned_minutes, "planned_minutes"),
        )

    def _check_writable(self, actor: Actor, what: str) -> Role:
        check_role(
            actor,
            (Role.CANDIDATE, Role.VEILEDER),
            f"R15: only the candidate and the veileder write the {what}",
        )
        if self.state == MeetingState.FINALISED:
            raise MeetingFinalisedError(
                f"R17: the meeting was finalised on {self.held_on}; it is read-only now"
            )
        self._check_not_cancelled()
        return Role.CANDIDATE if actor.holds(Role.CANDIDATE) else Role.VEILEDER

    class PreparationWritten(Event):
        author_role: str
        text: str

        def apply(self, aggregate: Any) -> None:
            cast(SupervisionMeeting, aggregate).preparations[self.author_role] = self.text

    def write_preparation(self, actor: Actor, *, text: str) -> None:
        """R15: candidate and veileder each write their own preparation before the meeting."""
        role = self._check_writable(actor, "preparation")
        trigger_by(
            self,
            actor,
            self.PreparationWritten,
            author_role=role.value,
            text=values.document(text, "text"),
        )

    class SummaryRevised(Event):
        text: str
        goals_discussed: list[str]

        def apply(self, aggregate: Any) -> None:
            meeting = cast(SupervisionMeeting, aggregate)
            meeting.summary = self.text
            meeting.goals_discussed = list(self.goals_discussed)

    def revise_summary(
        self, actor: Actor, *, text: str, goals_discussed: list[str], known_goals: set[str]
    ) -> None:
        """R15, R16, R18: a logged revision of the short summary and the goals discussed."""
        self._check_writable(actor, "summary")
        unknown = sorted(set(goals_discussed) - known_goals)
        if unknown:
            raise InvalidInputError(
                f"R18: goals_discussed names goals not in the candidate's plans: "
                f"{', '.join(unknown)}"
            )
        trigger_by(
            self,
            actor,
            self.SummaryRevised,
            text=values.document(text, "text"),
            goals_discussed=list(dict.fromkeys(goals_discussed)),
        )

    class Finalised(Event):
        held_on: date
        duration_minutes: int

        def apply(self, aggregate: Any) -> None:
            meeting = cast(SupervisionMeeting, aggregate)
            meeting.state = MeetingState.FINALISED
            meeting.held_on = self.held_on
            meeting.duration_minutes = self.duration_minutes

    def finalise(self, actor: Actor, *, held_on: date, duration_minutes: int, today: date) -> None:
        """R17, R25: only the veileder finalises, once the summary is written; afterwards
        the meeting is read-only."""
        check_role(actor, (Role.VEILEDER,), "R17: only the veileder may finalise a meeting")
        if self.state == MeetingState.FINALISED:
            raise MeetingFinalisedError("R17: the meeting is already finalised")
        self._check_not_cancelled()
        check_not_future(held_on, today, "held_on")
        minutes = _check_minutes(duration_minutes, "duration_minutes")
        if not self.summary.strip():
            raise SummaryMissingError(
                "R25: the meeting has no summary yet; a summary is written for every meeting: "
                "write it first, then finalise"
            )
        trigger_by(self, actor, self.Finalised, held_on=held_on, duration_minutes=minutes)

    def _check_not_cancelled(self) -> None:
        if self.state == MeetingState.CANCELLED:
            raise MeetingCancelledError(
                "R25: the meeting was cancelled; it cannot be changed or finalised. "
                "Plan a new meeting instead"
            )

    class Cancelled(Event):
        reason: str

        def apply(self, aggregate: Any) -> None:
            meeting = cast(SupervisionMeeting, aggregate)
            meeting.state = MeetingState.CANCELLED
            meeting.cancel_reason = self.reason

    def cancel(self, actor: Actor, *, reason: str) -> None:
        """R25: the veileder cancels a meeting that will not be held, with a reason; it is
        kept (never deleted) and counts toward no supervision hours (R19)."""
        check_role(actor, (Role.VEILEDER,), "R25: only the veileder may cancel a meeting")
        if self.state == MeetingState.FINALISED:
            raise MeetingFinalisedError(
                f"R25: the meeting was held and finalised on {self.held_on}; it cannot be cancelled"
            )
        if self.state == MeetingState.CANCELLED:
            raise MeetingCancelledError("R25: the meeting is already cancelled")
        trigger_by(
            self,
            actor,
            self.Cancelled,
            reason=values.paragraphs(reason, "reason", limit=values.REASON_LIMIT, rule="R25"),
        )
