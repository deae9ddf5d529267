"""The LearningGoal aggregate: one goal of a candidate's plan (R6-R13).

Goal states (API.md): not_started -> sent_for_approval -> approved | rejected;
a rejected goal may be sent again. Activity states: registered ->
sent_for_signing -> signed | rejected; a rejected activity may be sent again.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from kompetanse_domain.errors import ConflictError, InvalidInputError
from kompetanse_domain.model import values
from kompetanse_domain.model.acting import create_by, trigger_by
from kompetanse_domain.model.copying import FlatRecordsCopy
from kompetanse_domain.model.goal_corrections import CORRECTION_EVENTS, GoalCorrections
from kompetanse_domain.model.goal_records import (
    ActivityFields,
    ActivityNotFoundError,
    ActivityRecord,
    ActivityState,
    ActivityTransitionError,
    CommentRecord,
    GoalState,
    GoalTransitionError,
    check_can_send_for_signing,
    check_decidable,
    check_sendable,
    check_waiting_for,
    registered_activity,
)
from kompetanse_domain.model.guards import (
    check_not_future,
    check_role,
    check_sync_job,
    check_text,
    optional_text,
    reason_text,
)
from kompetanse_domain.model.identity import Actor, Identity, Role, goal_id_for
from kompetanse_domain.model.vocabulary import ACTIVITY_KINDS

__all__ = [  # states and kinds: `vocabulary`; refusals: `goal_records`, beside the records
    "ACTIVITY_KINDS",
    "ActivityNotFoundError",
    "ActivityState",
    "ActivityTransitionError",
    "GoalState",
    "GoalTransitionError",
    "LearningGoal",
]


WITHDRAWAL_LIMIT = values.PLAN_REMOVAL_REASON_LIMIT + 200
"""The plan removal's reason with "plan <code> removed: " before it."""


class LearningGoal(GoalCorrections, FlatRecordsCopy, Aggregate):
    """A learning goal (læringsmål) of one candidate, with its activities and comments."""

    class Event(Aggregate.Event):
        actor: str
        actor_name: str

    ActivityEdited, ActivityWithdrawn, Recalled, ApprovalWithdrawn = CORRECTION_EVENTS

    class Opened(Event, Aggregate.Created):
        candidate_id: UUID
        code: str
        plan_code: str
        catalogue_version: str

    @staticmethod
    def create_id(candidate_id: UUID, code: str) -> UUID:
        return goal_id_for(candidate_id, code)

    def __init__(
        self,
        *,
        actor: str,
        actor_name: str,
        candidate_id: UUID,
        code: str,
        plan_code: str,
        catalogue_version: str,
    ) -> None:
        self.candidate_id = candidate_id
        self.code = code
        self.plan_code = plan_code
        self.catalogue_version = catalogue_version
        self.state = GoalState.NOT_STARTED
        self.withdrawn = False
        self.completed_on: date | None = None
        self.approver_sub: str | None = None
        self.approver_name: str | None = None
        self.decided_by_sub: str | None = None
        self.decided_by_name: str | None = None
        self.decided_at: datetime | None = None
        self.imported_from: list[str] = []
        self.activities: dict[str, ActivityRecord] = {}
        self.comments: list[CommentRecord] = []

    @classmethod
    def open(
        cls, actor: Actor, *, candidate_id: UUID, code: str, plan_code: str, version: str
    ) -> LearningGoal:
        """R4: assigning a plan opens one goal per goal of the plan."""
        return create_by(
            cls,
            actor,
            cls.Opened,
            candidate_id=candidate_id,
            code=code,
            plan_code=plan_code,
            catalogue_version=version,
        )

    # -- guards ----------------------------------------------------------------------

    def check_open(self) -> None:
        if self.withdrawn:
            raise GoalTransitionError(
                f"R5: the plan of goal {self.code} was removed; ask the leader to assign it again"
            )

    def activity(self, activity_id: str) -> ActivityRecord:
        record = self.activities.get(activity_id)
        if record is None:
            raise ActivityNotFoundError(f"Goal {self.code} has no activity {activity_id}")
        return record

    # -- activities (R9, R10, R12) ---------------------------------------------------

    class ActivityRegistered(Event, ActivityFields):
        activity_id: str

        def apply(self, aggregate: Any) -> None:
            goal = cast(LearningGoal, aggregate)
            goal.activities[self.activity_id] = registered_activity(self.activity_id, self)

    def register_activity(
        self,
        actor: Actor,
        *,
        activity_id: str,
        title: str,
        kind: str,
        fulfilled_on: date,
        today: date,
        activity_code: str | None = None,
        count: int | None = None,
        note: str | None = None,
        attachment_id: str | None = None,
    ) -> None:
        """R9: the candidate registers an activity they did (innfridd dato)."""
        check_role(actor, (Role.CANDIDATE,), "R9: only the candidate registers activities")
        self.check_open()
        if activity_id in self.activities:
            raise ConflictError(f"Activity {activity_id} is already registered")
        if kind not in ACTIVITY_KINDS:
            raise InvalidInputError(
                f"kind {kind!r} is unknown; use one of {', '.join(ACTIVITY_KINDS)}"
            )
        if count is not None and not 1 <= count <= 10_000:
            raise InvalidInputError("R12: count must be between 1 and 10000")
        check_not_future(fulfilled_on, today, "fulfilled_on")
        trigger_by(
            self,
            actor,
            self.ActivityRegistered,
            activity_id=activity_id,
            title=check_text(title, "title", "R9", limit=values.NAME_LIMIT),
            kind=kind,
            fulfilled_on=fulfilled_on,
            activity_code=values.optional_line(
                activity_code, "activity_code", limit=values.CODE_LIMIT
            ),
            count=count,
            note=optional_text(note, "note"),
            attachment_id=attachment_id,
        )

    class ActivitySentForSigning(Event):
        activity_id: str
        signer_sub: str
        signer_name: str

        def apply(self, aggregate: Any) -> None:
            record = cast(LearningGoal, aggregate).activities[self.activity_id]
            record["state"] = ActivityState.SENT_FOR_SIGNING
            record["signer_sub"] = self.signer_sub
            record["signer_name"] = self.signer_name
            record["decision_comment"] = None

    def send_activity_for_signing(
        self, actor: Actor, *, activity_id: str, signer_sub: str, signer_name: str
    ) -> None:
        """R9: the candidate sends an activity to a named supervisor (or the veileder).

        An activity still waiting may be re-routed to another signer (the first one left,
        or is away); a signed activity is final.
        """
        check_role(actor, (Role.CANDIDATE,), "R9: only the candidate sends activities for signing")
        self.check_open()
        check_can_send_for_signing(self.activity(activity_id), signer_sub)
        trigger_by(
            self,
            actor,
            self.ActivitySentForSigning,
            activity_id=activity_id,
            signer_sub=signer_sub,
            signer_name=signer_name,
        )

    def _activity_to_decide(self, actor: Actor, activity_id: str, verb: str) -> ActivityRecord:
        """R10: only the signer it was sent to decides an activity waiting for signature."""
        check_role(
            actor,
            (Role.SUPERVISOR, Role.VEILEDER),
            f"R10: only a supervisor or the veileder may {verb} activities",
        )
        self.check_open()
        record = self.activity(activity_id)
        check_waiting_for(record, actor, verb)
        return record

    class ActivitySigned(Event):
        activity_id: str
        comment: str | None

        def apply(self, aggregate: Any) -> None:
            goal = cast(LearningGoal, aggregate)
            goal._activity_decided(self.activity_id, ActivityState.SIGNED, self.comment)

    def sign_activity(self, actor: Actor, *, activity_id: str, comment: str | None = None) -> None:
        """R10: the named supervisor (or veileder) signs the activity."""
        self._activity_to_decide(actor, activity_id, "sign")
        comment = optional_text(comment, "comment")
        trigger_by(self, actor, self.ActivitySigned, activity_id=activity_id, comment=comment)

    class ActivityRejected(Event):
        activity_id: str
        reason: str

        def apply(self, aggregate: Any) -> None:
            goal = cast(LearningGoal, aggregate)
            goal._activity_decided(self.activity_id, ActivityState.REJECTED, self.reason)

    def _activity_decided(self, activity_id: str, state: str, comment: str | None) -> None:
        record = self.activities[activity_id]
        record["state"] = state
        record["decision_comment"] = comment

    def reject_activity(self, actor: Actor, *, activity_id: str, reason: str) -> None:
        """R10: the named supervisor (or veileder) rejects the activity, saying why."""
        self._activity_to_decide(actor, activity_id, "reject")
        reason = reason_text(reason, "reason", "R10")
        trigger_by(self, actor, self.ActivityRejected, activity_id=activity_id, reason=reason)

    # -- mentor comments (R13) -------------------------------------------------------

    class MentorCommented(Event):
        comment_id: str
        text: str

        def apply(self, aggregate: Any) -> None:
            cast(LearningGoal, aggregate).comments.append(
                CommentRecord(
                    comment_id=self.comment_id,
                    author_sub=self.actor,
                    author_name=self.actor_name,
                    text=self.text,
                    written_at=self.timestamp,
                )
            )

    def comment(self, actor: Actor, *, comment_id: str, text: str) -> None:
        """R13: the veileder leaves the leader a comment about progress on this goal."""
        check_role(actor, (Role.VEILEDER,), "R13: only the veileder comments on goals")
        self.check_open()
        text = reason_text(text, "text", "R13")
        trigger_by(self, actor, self.MentorCommented, comment_id=comment_id, text=text)

    # -- approval (R6-R8, R11) -------------------------------------------------------

    class SentForApproval(Event):
        completed_on: date
        comment: str | None
        approver_sub: str
        approver_name: str

        def apply(self, aggregate: Any) -> None:
            goal = cast(LearningGoal, aggregate)
            goal.state = GoalState.SENT_FOR_APPROVAL
            goal.completed_on = self.completed_on
            goal.approver_sub = self.approver_sub
            goal.approver_name = self.approver_name

    def send_for_approval(
        self,
        actor: Actor,
        *,
        completed_on: date,
        today: date,
        approver_sub: str,
        approver_name: str,
        comment: str | None = None,
    ) -> None:
        """R6: the candidate sends the goal with a completion date; the leader approves."""
        check_role(actor, (Role.CANDIDATE,), "R6: only the candidate sends goals for approval")
        self.check_open()
        check_sendable(self.code, self.state)
        check_not_future(completed_on, today, "completed_on")
        trigger_by(
            self,
            actor,
            self.SentForApproval,
            completed_on=completed_on,
            comment=optional_text(comment, "comment"),
            approver_sub=approver_sub,
            approver_name=approver_name,
        )

    def _check_decidable(self, actor: Actor, verb: str) -> None:
        check_role(
            actor, (Role.LEADER, Role.DEPUTY), f"R7: only the leader or a deputy may {verb} goals"
        )
        self.check_open()
        check_decidable(self.code, self.state, verb)

    class Approved(Event):
        comment: str | None

        def apply(self, aggregate: Any) -> None:
            goal = cast(LearningGoal, aggregate)
            goal._decided(GoalState.APPROVED, self.actor, self.actor_name, self.timestamp)

    def _decided(self, state: str, sub: str, name: str, at: datetime) -> None:
        self.state = state
        self.decided_by_sub = sub
        self.decided_by_name = name
        self.decided_at = at
        self.decided_source = None

    def approve(self, actor: Actor, *, comment: str | None = None) -> None:
        """R7, R8, R11: the leader or a deputy approves; signed activities are not required."""
        self._check_decidable(actor, "approve")
        trigger_by(self, actor, self.Approved, comment=optional_text(comment, "comment"))

    class Rejected(Event):
        reason: str

        def apply(self, aggregate: Any) -> None:
            goal = cast(LearningGoal, aggregate)
            goal._decided(GoalState.REJECTED, self.actor, self.actor_name, self.timestamp)

    def reject(self, actor: Actor, *, reason: str) -> None:
        """R7: the leader or a deputy rejects, saying why; the candidate may send again."""
        self._check_decidable(actor, "reject")
        trigger_by(self, actor, self.Rejected, reason=reason_text(reason, "reason", "R7"))

    # -- approvals from the other portal version (R23) -------------------------------

    class ApprovalImported(Event):
        source_portal: str
        source_event_id: str
        approved_at: datetime
        approver_name: str

        def apply(self, aggregate: Any) -> None:
            goal = cast(LearningGoal, aggregate)
            goal.imported_from.append(self.source_event_id)
            goal._decided(GoalState.APPROVED, self.actor, self.approver_name, self.approved_at)
            goal.decided_source = (self.source_portal, self.source_event_id)

    def import_approval(
        self,
        identity: Identity,
        *,
        source_portal: str,
        source_event_id: str,
        approved_at: datetime,
        approver_name: str,
    ) -> bool:
        """R23: record an approval made in the other portal; False when nothing applied."""
        check_sync_job(identity)
        if source_event_id in self.imported_from or self.state == GoalState.APPROVED:
            return False
        self.check_open()
        source_portal = check_text(source_portal, "source_portal", "R23", limit=values.SOURCE_LIMIT)
        source_event_id = check_text(
            source_event_id, "source_event_id", "R23", limit=values.SOURCE_LIMIT
        )
        approved_at = values.instant(approved_at, "approved_at")
        approver_name = check_text(approver_name, "approver_name", "R23", limit=values.NAME_LIMIT)
        trigger_by(
            self,
            identity,
            self.ApprovalImported,
            source_portal=source_portal,
            source_event_id=source_event_id,
            approved_at=approved_at,
            approver_name=approver_name,
        )
        return True

    # -- plan removal and re-assignment (R5) -----------------------------------------

    class Withdrawn(Event):
        reason: str

        def apply(self, aggregate: Any) -> None:
            cast(LearningGoal, aggregate).withdrawn = True

    def withdraw(self, actor: Actor, *, reason: str) -> None:
        """R5: the plan was removed; the goal is kept for history but closed."""
        check_role(actor, (Role.LEADER,), "R5: only the leader removes plans")
        if not self.withdrawn:
            trigger_by(
                self,
                actor,
                self.Withdrawn,
                reason=check_text(reason, "reason", "R5", limit=WITHDRAWAL_LIMIT, multiline=True),
            )

    class Reopened(Event):
        plan_code: str
        catalogue_version: str

        def apply(self, aggregate: Any) -> None:
            goal = cast(LearningGoal, aggregate)
            goal.withdrawn = False
            goal.plan_code = self.plan_code
            goal.catalogue_version = self.catalogue_version

    def reopen(self, actor: Actor, *, plan_code: str, version: str) -> None:
        """R4: a removed plan assigned again reopens its goals with their history."""
        check_role(
            actor, (Role.LEADER, Role.DEPUTY), "R4: only the leader or a deputy assigns plans"
        )
        if self.withdrawn:
            trigger_by(self, actor, self.Reopened, plan_code=plan_code, catalogue_version=version)
