"""Loading aggregates for the use cases: not-found answers, and the aggregate a
command changes loaded with the actor's relation to its candidate."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import InterfaceError, OperationalError

from kompetanse_domain.application.context import CommandContext, Outcome
from kompetanse_domain.application.receipts import PersonIndex
from kompetanse_domain.application.unit_of_work import (
    A,
    Answer,
    Decision,
    UnitOfWork,
    changes,
)
from kompetanse_domain.errors import NotFoundError, UnavailableError
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Actor, Identity, candidate_id_for, goal_id_for
from kompetanse_domain.model.learning_goal import LearningGoal
from kompetanse_domain.model.meeting import SupervisionMeeting


class CandidateNotFoundError(NotFoundError):
    """Raised when no candidate has the id (or the actor may not know it exists)."""


class GoalNotFoundError(NotFoundError):
    """Raised when the candidate has no goal with the code."""


class MeetingNotFoundError(NotFoundError):
    """Raised when no supervision meeting has the id."""


class Loads(UnitOfWork):
    """The loads the use cases share (mixed into `KompetanseApplication`)."""

    # -- for reading ----------------------------------------------------------------

    def get_candidate(self, candidate_id: UUID, *, for_change: bool = False) -> Candidate:
        """The candidate; without `for_change` a shared read-only copy from the cache."""
        candidate = self._find(candidate_id, Candidate, copy=for_change)
        if candidate is None:
            raise CandidateNotFoundError(
                "Candidate not found, or you have no role for this candidate"
            )
        return candidate

    def get_goal(self, candidate_id: UUID, goal_code: str) -> LearningGoal:
        return self._goal(goal_id_for(candidate_id, goal_code), goal_code)

    def get_meeting(self, meeting_id: UUID) -> SupervisionMeeting:
        meeting = self._find(meeting_id, SupervisionMeeting)
        if meeting is None:
            raise MeetingNotFoundError(f"Supervision meeting {meeting_id} not found")
        return meeting

    def actor_for(self, identity: Identity, candidate_id: UUID) -> Actor:
        """The identity's relation to a candidate; unrelated non-auditors get not-found."""
        candidate = self.get_candidate(candidate_id)
        actor = candidate.actor(identity)
        candidate.check_can_read(actor)
        return actor

    def find_candidate_for_person(self, *, hpr_number: str | None, sub: str | None) -> Candidate:
        """R23: the candidate of a person known by HPR number or by `sub`."""
        if hpr_number:
            index = self._find(PersonIndex.create_id(hpr_number), PersonIndex)
            if index is not None:
                return self.get_candidate(index.candidate_id)
        if sub:
            return self.get_candidate(candidate_id_for(sub))
        raise CandidateNotFoundError("No candidate matches that HPR number or sub")

    # -- for changing: the aggregate a command changes, and who acts on it ------------

    def _change_candidate(
        self, ctx: CommandContext, candidate_id: UUID, command: Callable[[Candidate, Actor], Answer]
    ) -> Outcome:
        """Load the candidate and who acts on it, run `command`, save the candidate; the
        command may return the values to answer with."""

        def decide() -> Decision:
            candidate, actor = self._candidate_for_change(ctx, candidate_id)
            return changes(candidate, value=command(candidate, actor))

        return self._execute(ctx, decide)

    def _change_goal(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        goal_code: str,
        command: Callable[[LearningGoal, Actor, Candidate], Answer],
    ) -> Outcome:
        """Load the goal, who acts on it and its candidate (only read), run `command`,
        save the goal; the command may return the values to answer with."""
        return self._change(
            ctx, lambda: self._goal_for_change(ctx, candidate_id, goal_code), command
        )

    def _decide_goal(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        goal_code: str,
        decision: Callable[[LearningGoal, Actor], None],
    ) -> Outcome:
        """`_change_goal` for a decision of the goal alone, such as
        `partial(LearningGoal.recall, reason=reason)`."""
        return self._change_goal(
            ctx, candidate_id, goal_code, lambda goal, actor, _: decision(goal, actor)
        )

    def _change_meeting(
        self,
        ctx: CommandContext,
        meeting_id: UUID,
        command: Callable[[SupervisionMeeting, Actor, Candidate], Answer],
    ) -> Outcome:
        """As `_change_goal`, for a supervision meeting."""
        return self._change(ctx, lambda: self._meeting_for_change(ctx, meeting_id), command)

    def _change(
        self,
        ctx: CommandContext,
        load: Callable[[], tuple[A, Actor, Candidate]],
        command: Callable[[A, Actor, Candidate], Answer],
    ) -> Outcome:
        def decide() -> Decision:
            target, actor, candidate = load()
            return changes(target, value=command(target, actor, candidate))

        return self._execute(ctx, decide)

    def _candidate_for_change(
        self, ctx: CommandContext, candidate_id: UUID
    ) -> tuple[Candidate, Actor]:
        self._take_turn(candidate_id)
        candidate = self._target(self.get_candidate(candidate_id, for_change=True), ctx)
        return candidate, candidate.actor(ctx.identity)

    def _goal_for_change(
        self, ctx: CommandContext, candidate_id: UUID, goal_code: str
    ) -> tuple[LearningGoal, Actor, Candidate]:
        """The goal, the actor (unrelated non-auditors get not-found) and the candidate,
        which is only read."""
        goal_id = goal_id_for(candidate_id, goal_code)
        self._take_turn(goal_id)
        with self._prefetched((candidate_id, goal_id)):
            candidate = self.get_candidate(candidate_id)
            actor = candidate.actor(ctx.identity)
            candidate.check_can_read(actor)
            goal = self._target(self._goal(goal_id, goal_code), ctx)
        return goal, actor, candidate

    def _meeting_for_change(
        self, ctx: CommandContext, meeting_id: UUID
    ) -> tuple[SupervisionMeeting, Actor, Candidate]:
        """The meeting, the actor (unrelated non-auditors get not-found) and the
        meeting's candidate, which is only read."""
        self._take_turn(meeting_id)
        meeting = self.get_meeting(meeting_id)
        candidate = self.get_candidate(meeting.candidate_id)
        actor = candidate.actor(ctx.identity)
        if not actor.is_related and not ctx.identity.is_auditor:
            raise MeetingNotFoundError(f"Supervision meeting {meeting_id} not found")
        return self._target(meeting, ctx), actor, candidate

    # -- the store -------------------------------------------------------------------

    def _prefetched(self, ids: Iterable[UUID]) -> AbstractContextManager[None]:
        """Within the block, loads of these aggregates may share one read of the store
        (the application's event store does; this default reads as usual)."""
        return nullcontext()

    def _goal(self, goal_id: UUID, goal_code: str) -> LearningGoal:
        goal = self._find(goal_id, LearningGoal)
        if goal is None:
            raise GoalNotFoundError(f"Goal {goal_code} is not in this candidate's plans")
        return goal

    def _find(self, aggregate_id: UUID, kind: type[A], *, copy: bool = True) -> A | None:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id, deepcopy_from_cache=copy)
        except AggregateNotFoundError:
            return None
        except (OperationalError, InterfaceError) as error:
            raise UnavailableError(f"The event store is unavailable: {error}") from None
        return aggregate if isinstance(aggregate, kind) else None

    def _exists(self, aggregate_id: UUID) -> bool:
        return self._find(aggregate_id, Aggregate) is not None
