"""`goals`: a goal with its activities and comments for GET .../goals/{code} (R6-R13, R23).

R27: it also keeps every uploaded file's description (the `attachment` object of the
activities that carry it, in this and other queries) and, for each file, who was ever
sent an activity carrying it (`attachment_sent`): a supervisor may download exactly
those files. The row is written when the activity is sent, with the attachment the
activity carries at that moment, and never removed (a signed, rejected or re-sent
activity leaves the first signer able to open what they were shown).
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.learning_goal import ActivityState, GoalState, LearningGoal
from kompetanse_domain.model.plan_versions import GoalLeftPlan, GoalMovedToVersion
from projections.engine.base import ViewProjection, ViewTx, aggregate_id
from projections.views.goals_tables import GoalTables, define_goal_tables

Tx = ViewTx[GoalTables]


class GoalsView(ViewProjection[GoalTables]):
    name = "goals"
    define = staticmethod(define_goal_tables)

    @singledispatchmethod
    def process_event(self, domain_event: object, tx: Tx) -> None:
        """Other events do not change this view."""

    def _goal(self, event: LearningGoal.Event, tx: Tx, **values: Any) -> None:
        """Every goal event moves the goal's version (its ETag)."""
        tx.update(
            tx.t.goal,
            {"goal_id": aggregate_id(event)},
            version=event.originator_version,
            updated_at=event.timestamp,
            **values,
        )

    def _activity(self, event: Any, tx: Tx, **values: Any) -> None:
        tx.update(tx.t.activity, {"activity_id": event.activity_id}, **values)
        self._goal(event, tx)

    @process_event.register
    def attachment_uploaded(self, event: Candidate.AttachmentUploaded, tx: Tx) -> None:
        tx.insert(
            tx.t.attachment,
            attachment_id=event.attachment_id,
            candidate_id=aggregate_id(event),
            filename=event.filename,
            content_type=event.media_type,
            size=event.size,
            sha256=event.sha256,
        )

    @process_event.register
    def goal_opened(self, event: LearningGoal.Opened, tx: Tx) -> None:
        tx.insert(
            tx.t.goal,
            goal_id=aggregate_id(event),
            candidate_id=str(event.candidate_id),
            code=event.code,
            plan_code=event.plan_code,
            catalogue_version=event.catalogue_version,
            state=GoalState.NOT_STARTED,
            withdrawn=False,
            imported_from=[],
            opened_at=event.timestamp,
            updated_at=event.timestamp,
            version=event.originator_version,
        )

    @process_event.register
    def activity_registered(self, event: LearningGoal.ActivityRegistered, tx: Tx) -> None:
        tx.insert(
            tx.t.activity,
            activity_id=event.activity_id,
            goal_id=aggregate_id(event),
            title=event.title,
            kind=event.kind,
            fulfilled_on=event.fulfilled_on,
            activity_code=event.activity_code,
            count=event.count,
            note=event.note,
            attachment_id=event.attachment_id,
            state=ActivityState.REGISTERED,
            registered_at=event.timestamp,
        )
        self._goal(event, tx)

    @process_event.register
    def activity_sent_for_signing(self, event: LearningGoal.ActivitySentForSigning, tx: Tx) -> None:
        self._activity(
            event,
            tx,
            state=ActivityState.SENT_FOR_SIGNING,
            signer_sub=event.signer_sub,
            signer_name=event.signer_name,
            decision_comment=None,
            sent_at=event.timestamp,
            decided_at=None,
        )
        attachment_id = tx.value(tx.t.activity, "attachment_id", {"activity_id": event.activity_id})
        sent = {"attachment_id": attachment_id, "sub": event.signer_sub}
        if attachment_id is not None and not tx.exists(tx.t.attachment_sent, sent):
            tx.insert(tx.t.attachment_sent, **sent)

    @process_event.register
    def activity_signed(self, event: LearningGoal.ActivitySigned, tx: Tx) -> None:
        self._activity(
            event,
            tx,
            state=ActivityState.SIGNED,
            decision_comment=event.comment,
            decided_at=event.timestamp,
        )

    @process_event.register
    def activity_rejected(self, event: LearningGoal.ActivityRejected, tx: Tx) -> None:
        self._activity(
            event,
            tx,
            state=ActivityState.REJECTED,
            decision_comment=event.reason,
            decided_at=event.timestamp,
        )

    @process_event.register
    def mentor_commented(self, event: LearningGoal.MentorCommented, tx: Tx) -> None:
        tx.insert(
            tx.t.comment,
            comment_id=event.comment_id,
            goal_id=aggregate_id(event),
            author_sub=event.actor,
            author_name=event.actor_name,
            text=event.text,
            written_at=event.timestamp,
        )
        self._goal(event, tx)

    @process_event.register
    def goal_sent_for_approval(self, event: LearningGoal.SentForApproval, tx: Tx) -> None:
        self._goal(
            event,
            tx,
            state=GoalState.SENT_FOR_APPROVAL,
            completed_on=event.completed_on,
            send_comment=event.comment,
            sent_at=event.timestamp,
            approver_sub=event.approver_sub,
            approver_name=event.approver_name,
        )

    @process_event.register
    def goal_approved(self, event: LearningGoal.Approved, tx: Tx) -> None:
        self._decided(event, GoalState.APPROVED, event.comment, tx)

    @process_event.register
    def goal_rejected(self, event: LearningGoal.Rejected, tx: Tx) -> None:
        self._decided(event, GoalState.REJECTED, event.reason, tx)

    def _decided(self, event: LearningGoal.Event, state: str, comment: str | None, tx: Tx) -> None:
        self._goal(
            event,
            tx,
            state=state,
            decided_by_sub=event.actor,
            decided_by_name=event.actor_name,
            decided_at=event.timestamp,
            decision_comment=comment,
        )

    @process_event.register
    def approval_imported(self, event: LearningGoal.ApprovalImported, tx: Tx) -> None:
        sources = tx.value(tx.t.goal, "imported_from", {"goal_id": aggregate_id(event)})
        source = {"source_portal": event.source_portal, "source_event_id": event.source_event_id}
        self._goal(
            event,
            tx,
            state=GoalState.APPROVED,
            decided_by_sub=event.actor,
            decided_by_name=event.approver_name,
            decided_at=event.approved_at,
            decision_comment=None,
            imported_from=[*(sources or []), source],
        )

    @process_event.register
    def goal_withdrawn(self, event: LearningGoal.Withdrawn, tx: Tx) -> None:
        self._goal(event, tx, withdrawn=True)

    @process_event.register
    def goal_reopened(self, event: LearningGoal.Reopened, tx: Tx) -> None:
        self._goal(
            event,
            tx,
            withdrawn=False,
            plan_code=event.plan_code,
            catalogue_version=event.catalogue_version,
        )

    @process_event.register
    def goal_moved_to_version(self, event: GoalMovedToVersion, tx: Tx) -> None:
        """R30: the goal belongs to the new version; an approval carried over names its
        old goal (`carried_over_from`) and keeps its approver and instant."""
        self._goal(
            event,
            tx,
            withdrawn=False,
            plan_code=event.plan_code,
            catalogue_version=event.to_version,
            state=event.state,
            carried_over_from=event.carried_over_from,
        )
        if event.carried_over_from is not None:
            self._goal(
                event,
                tx,
                decided_by_sub=event.decided_by_sub,
                decided_by_name=event.decided_by_name,
                decided_at=event.decided_at,
                decision_comment=None,
            )

    @process_event.register
    def goal_left_plan(self, event: GoalLeftPlan, tx: Tx) -> None:
        self._goal(event, tx, withdrawn=True)
